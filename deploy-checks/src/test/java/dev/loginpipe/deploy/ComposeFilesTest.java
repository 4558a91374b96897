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
            if (!name.equals("topic-creator")) { // a one-shot job, judged by its exit status
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
