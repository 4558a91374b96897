package dev.loginpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.local.TestRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * register-schema.sh, which the Compose service schema-registrar runs inside the network (the registry is not
 * published), against a real Apicurio Registry: the registry then serves exactly schema.json, and a refusal fails it.
 * Tagged slow: starting the registry takes half a minute in a JVM that has no other use for it.
 */
@Tag("slow")
class RegisterSchemaScriptTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void registersSchemaJsonAsTheSubjectsLatestVersion() throws Exception {
        TestRegistry registry = registry();
        String subject = "register-schema-" + UUID.randomUUID();

        Repo.Result result = register(registry, Map.of("SUBJECT", subject));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("registered as " + subject);
        JsonNode latest = JSON.readTree(get(registry.url() + "/subjects/" + subject + "/versions/latest"));
        assertThat(latest.path("version").asInt()).isEqualTo(1);
        assertThat(JSON.readTree(latest.path("schema").asText())).isEqualTo(JSON.readTree(Repo.read("schema.json")));
    }

    @Test
    void theSubjectDefaultsToTheInputTopicsValueSubject() throws Exception {
        TestRegistry registry = registry();
        String topic = "topic-" + UUID.randomUUID();

        Repo.Result result = register(registry, Map.of("INPUT_TOPIC", topic));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(JSON.readTree(get(registry.url() + "/subjects/" + topic + "-value/versions/latest"))
                .path("version").asInt()).isEqualTo(1);
    }

    @Test
    void aSchemaTheRegistryRefusesFailsWithItsAnswer(@TempDir Path dir) throws Exception {
        TestRegistry registry = registry();
        Path notJson = dir.resolve("broken.json");
        Files.writeString(notJson, "{\"type\": \"object\",");

        Repo.Result result = register(registry, Map.of("SUBJECT", "broken-" + UUID.randomUUID(),
                "SCHEMA_FILE", notJson.toString()));

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).containsPattern("answered HTTP [45]\\d\\d for subject broken-");
    }

    /** The real registry, skipped with the reason where no JDK 21+ runs it (as every registry test). */
    private static TestRegistry registry() {
        return TestRegistry.shared();
    }

    private static Repo.Result register(TestRegistry registry, Map<String, String> settings) {
        Map<String, String> env = new java.util.HashMap<>(settings);
        env.put("REGISTRY_URL", registry.url());
        return Repo.run(Duration.ofMinutes(1), env, List.of("bash", "register-schema.sh"));
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
        return response.body();
    }
}
