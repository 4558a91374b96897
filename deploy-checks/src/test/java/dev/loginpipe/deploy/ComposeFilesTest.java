package dev.loginpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loginpipe.common.config.Setting;
import dev.loginpipe.common.config.Settings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both Compose files, resolved by docker-compose itself (anchors, merges and .env.example applied), so the checks
 * see what a container would get.
 */
class ComposeFilesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Jobs that run once and exit: judged by their exit status, not a health check. */
    private static final Set<String> ONE_SHOT = Set.of("topic-creator", "schema-registrar");
    /** HOST:HOST_PORT:CONTAINER_PORT[/protocol], the host an IPv4 address or a bracketed IPv6 one. */
    private static final Pattern PUBLISHED = Pattern.compile(
            "^(\\d{1,3}(?:\\.\\d{1,3}){3}|\\[[0-9A-Fa-f:.]+\\]):(\\d+(?:-\\d+)?):(\\d+(?:-\\d+)?)(?:/(?:tcp|udp))?$");
    private static final Set<String> SHARED = Settings.ALL.stream().map(Setting::name)
            .filter(name -> !name.equals(Settings.INSTANCE_ID.name())).collect(Collectors.toSet());

    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.yml", "docker-compose.cluster.yml"})
    void isValid(String file) {
        Repo.Result result = compose(file, "config", "-q");
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.yml", "docker-compose.cluster.yml"})
    void everyLoginpipeServiceGetsTheWholeEnvironmentAndItsOwnInstanceId(String file) throws Exception {
        JsonNode services = resolved(file).path("services");
        Set<String> instanceIds = new HashSet<>();
        List<String> loginpipe = List.of("producer", "consumer-1", "consumer-2", "consumer-3", "dlq-consumer");
        for (String name : loginpipe) {
            JsonNode env = services.path(name).path("environment");
            assertThat(env.path("BOOTSTRAP_SERVERS").asText()).as(name).isNotBlank();
            // The original's bug: a per-instance environment block replaced the shared one.
            assertThat(names(env)).as(name + " environment").containsAll(SHARED)
                    .contains(Settings.INSTANCE_ID.name());
            assertThat(instanceIds.add(env.path("INSTANCE_ID").asText())).as(name + " INSTANCE_ID unique").isTrue();
        }
        Map<String, String> first = env(services.path("consumer-1"));
        for (String name : List.of("consumer-2", "consumer-3")) {
            Map<String, String> other = env(services.path(name));
            other.put("INSTANCE_ID", first.get("INSTANCE_ID"));
            assertThat(other).as(name + " equals consumer-1 but for INSTANCE_ID").isEqualTo(first);
        }
        assertThat(services.path("topic-creator").path("environment").path("BOOTSTRAP_SERVERS").asText()).isNotBlank();
        assertThat(services.path("dlq-consumer").path("command").toString()).contains("watch");
        assertThat(services.path("dlq-console").path("command").toString()).contains("/app/dlq-console.jar");
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.yml", "docker-compose.cluster.yml"})
    void everyServiceIsHealthCheckedRestartedAndLimited(String file) throws Exception {
        JsonNode services = resolved(file).path("services");
        Set<String> names = names(services);
        assertThat(names).contains("topic-creator", "prometheus", "grafana", "kafka-ui");
        services.fields().forEachRemaining(e -> {
            String name = e.getKey();
            JsonNode service = e.getValue();
            assertThat(service.path("restart").asText()).as(name).isEqualTo("on-failure");
            assertThat(service.path("mem_limit").asText()).as(name + " mem_limit").isNotBlank();
            if (!ONE_SHOT.contains(name)) { // a one-shot job, judged by its exit status
                assertThat(service.path("healthcheck").path("test").isArray()).as(name + " healthcheck").isTrue();
            }
            // docker-compose config -q does not notice a dependency on a service that does not exist.
            assertThat(names).as(name + " depends_on").containsAll(names(service.path("depends_on")));
        });
        for (String name : List.of("producer", "consumer-1", "consumer-2", "consumer-3", "dlq-consumer")) {
            assertThat(services.path(name).path("depends_on").path("topic-creator").path("condition").asText())
                    .as(name).isEqualTo("service_completed_successfully");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.yml", "docker-compose.cluster.yml"})
    void everyVariableItReadsIsInEnvExample(String file) {
        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)").matcher(Repo.read(file));
        while (m.find()) {
            used.add(m.group(1));
        }
        assertThat(EnvExampleTest.declared()).containsAll(used);
    }

    /**
     * Parsed from the files as written (merge keys applied, ${...} taken from .env.example): a copy of a Compose file
     * publishes nothing beyond this host by default, and pulls images of a known version.
     */
    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.yml", "docker-compose.cluster.yml"})
    void everyPortHasAHostAddressAndEveryImageATag(String file) {
        assertThat(problems(Repo.read(file), EnvExampleTest.values())).as(file).isEmpty();
        assertThat(Repo.read(file)).as(file + " publishes ports").contains("ports:");
    }

    /** The check itself refuses what it is there to refuse. */
    @org.junit.jupiter.api.Test
    void theCheckRefusesAPortWithoutHostAddressAndAnImageWithoutTag() {
        String compose = """
                x-web: &web
                  image: nginx
                  ports: ["8080:80"]
                services:
                  web: *web
                  api:
                    image: example/api:${API_VERSION:-}
                    ports: ["${BIND:-0.0.0.0}:9000:9000", "127.0.0.1:9001:9001", {target: 9002, published: 9002}]
                  db:
                    image: postgres:latest
                  app:
                    build: .
                    image: app:latest
                """;
        assertThat(problems(compose, Map.of())).containsExactlyInAnyOrder(
                "web: image nginx has no tag",
                "web: port 8080:80 is published without a host address",
                "api: image example/api: has no tag",
                "api: port 0.0.0.0:9000:9000 is published on 0.0.0.0, not 127.0.0.1",
                "api: port {target=9002, published=9002} is published without a host address",
                "db: image postgres:latest is pulled by the tag latest, which names no version");
    }

    /** Grafana without admin/admin, the registry unpublished, the Kafka UI from Kafbat, read-only, with the registry. */
    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.yml", "docker-compose.cluster.yml"})
    void theToolsAreSafeToCopy(String file) throws Exception {
        JsonNode services = resolved(file).path("services");
        Map<String, String> grafana = env(services.path("grafana"));
        assertThat(grafana).doesNotContainKey("GF_SECURITY_ADMIN_PASSWORD")
                .containsEntry("GF_AUTH_ANONYMOUS_ENABLED", "true").containsEntry("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer")
                .containsEntry("GF_AUTH_DISABLE_LOGIN_FORM", "true").containsEntry("GF_AUTH_BASIC_ENABLED", "false");
        assertThat(services.path("registry").path("ports").isMissingNode()).as("registry published").isTrue();
        assertThat(services.path("schema-registrar").path("depends_on").path("registry").path("condition").asText())
                .isEqualTo("service_healthy");
        JsonNode ui = services.path("kafka-ui");
        assertThat(ui.path("image").asText()).startsWith("ghcr.io/kafbat/kafka-ui:v");
        assertThat(env(ui)).containsEntry("KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS",
                        env(services.path("consumer-1")).get("BOOTSTRAP_SERVERS"))
                .containsEntry("KAFKA_CLUSTERS_0_SCHEMAREGISTRY", "http://registry:8080/apis/ccompat/v7")
                .containsEntry("KAFKA_CLUSTERS_0_READONLY", "true");
    }

    /** What is wrong with a Compose file's published ports and images, one line each. */
    @SuppressWarnings("unchecked")
    static List<String> problems(String composeFile, Map<String, String> dotEnv) {
        Map<String, Object> compose = new org.yaml.snakeyaml.Yaml().load(composeFile);
        List<String> problems = new java.util.ArrayList<>();
        ((Map<String, Object>) compose.get("services")).forEach((name, value) -> {
            Map<String, Object> service = (Map<String, Object>) value;
            Object image = service.get("image");
            if (image == null) {
                problems.add(name + ": no image");
            } else {
                String resolved = interpolate(image.toString(), dotEnv);
                String last = resolved.substring(resolved.lastIndexOf('/') + 1);
                int colon = last.indexOf(':');
                if (colon < 0 || colon == last.length() - 1) {
                    problems.add(name + ": image " + resolved + " has no tag");
                } else if (last.substring(colon + 1).equals("latest") && !service.containsKey("build")) {
                    problems.add(name + ": image " + resolved + " is pulled by the tag latest, which names no version");
                }
            }
            for (Object port : (List<Object>) service.getOrDefault("ports", List.of())) {
                Matcher published = PUBLISHED.matcher(port instanceof String text ? interpolate(text, dotEnv) : "");
                if (!published.matches()) {
                    problems.add(name + ": port " + port + " is published without a host address");
                } else if (!published.group(1).equals("127.0.0.1")) {
                    problems.add(name + ": port " + interpolate((String) port, dotEnv) + " is published on "
                            + published.group(1) + ", not 127.0.0.1");
                }
            }
        });
        return problems;
    }

    /** Compose's ${NAME}, ${NAME:-default} and ${NAME-default}, with the values of an env file. */
    static String interpolate(String text, Map<String, String> dotEnv) {
        Matcher m = Pattern.compile("\\$\\{([A-Za-z0-9_]+)(?:(:?)-([^}]*))?}").matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = dotEnv.get(m.group(1));
            boolean unset = value == null || (":".equals(m.group(2)) && value.isEmpty());
            String replacement = !unset ? value : m.group(3) != null ? m.group(3) : "";
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        return m.appendTail(out).toString();
    }

    static Repo.Result compose(String file, String... args) {
        Repo.requireTool("docker-compose", "docker-compose");
        List<String> command = new java.util.ArrayList<>(List.of("docker-compose", "-f", file, "--env-file",
                ".env.example"));
        command.addAll(List.of(args));
        return Repo.run(Duration.ofMinutes(1), Map.of(), command);
    }

    private static JsonNode resolved(String file) throws Exception {
        Repo.Result result = compose(file, "config");
        assertThat(result.exitCode()).as(result.output()).isZero();
        return YAML.readTree(result.output());
    }

    private static Set<String> names(JsonNode map) {
        Set<String> names = new TreeSet<>();
        map.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Map<String, String> env(JsonNode service) {
        Map<String, String> env = new java.util.TreeMap<>();
        service.path("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }
}
