package dev.loginpipe.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.loginpipe.common.config.Settings;
import dev.loginpipe.local.TestKafka;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The jar's face before it connects anywhere: --help, and exit 2 with one line for a bad setting. */
class ConsumerCommandLineTest {

    record Result(int status, String stdout, String stderr) {
    }

    static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(Pipeline.javaCommand(ConsumerMain.class.getName(), args));
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("still running after 30 s: " + env);
        }
        return new Result(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void helpListsTheVariables() throws Exception {
        Result result = run(Map.of(), "--help");
        assertThat(result.status()).isZero();
        for (var setting : Settings.of(dev.loginpipe.common.config.Service.CONSUMER)) {
            assertThat(result.stdout()).contains(setting.name());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "HTTP_PORT|abc|consumer: HTTP_PORT: invalid value 'abc', expected an integer from 0 to 65535",
            "SCHEMA_PATH|/nonexistent|consumer: SCHEMA_PATH: invalid value '/nonexistent', expected a readable file holding a valid draft-07 JSON Schema (no such file /nonexistent)",
            "BATCH_MAX_RECORDS|-5|consumer: BATCH_MAX_RECORDS: invalid value '-5', expected an integer from 1 to 100000",
            "KAFKA_CLIENT_ACKS|maybe|consumer: KAFKA_CLIENT_ACKS: invalid value 'maybe' for Kafka's acks",
            "SCHEMA_REGISTRY_URL|ftp://registry|consumer: SCHEMA_REGISTRY_URL: invalid value 'ftp://registry', expected an http(s) URL or nothing",
            "SCHEMA_REGISTRY_VERSION|0|consumer: SCHEMA_REGISTRY_VERSION: invalid value '0', expected latest or a version number",
            "SCHEMA_REFRESH_MS|10|consumer: SCHEMA_REFRESH_MS: invalid value '10', expected an integer from 100 to 3600000",
            "KAFKA_CLIENT_AUTO_OFFSET_RESET|latest|consumer: KAFKA_CLIENT_AUTO_OFFSET_RESET: must be earliest or unset, not 'latest': a partition without a committed offset is read from its start",
            "KAFKA_CLIENT_AUTO_OFFSET_RESET|none|consumer: KAFKA_CLIENT_AUTO_OFFSET_RESET: must be earliest or unset, not 'none'",
            "KAFKA_CLIENT_GROUP_PROTOCOL|consumer|consumer: KAFKA_CLIENT_GROUP_PROTOCOL: must be classic or unset, not 'consumer': the KIP-848 'consumer' rebalance protocol is not covered by the router's fault model",
            "KAFKA_CLIENT_ISOLATION_LEVEL|read_uncommitted|consumer: KAFKA_CLIENT_ISOLATION_LEVEL: must be read_committed or unset, not 'read_uncommitted'",
            "KAFKA_CLIENT_ENABLE_AUTO_COMMIT|true|consumer: KAFKA_CLIENT_ENABLE_AUTO_COMMIT: must be false or unset, not 'true'"})
    void aBadSettingExitsTwoWithOneLineBeforeConnecting(String variable, String value, String message) throws Exception {
        // 127.0.0.1:1 accepts no connection: a test that hung or printed a client warning would show it.
        Result result = run(Map.of("BOOTSTRAP_SERVERS", "127.0.0.1:1", variable, value));
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.stderr().strip()).startsWith(message);
        assertThat(result.stderr().strip().lines()).hasSize(1);
    }

    @Test
    void registryCredentialsAreOneKindAndNeverShown() throws Exception {
        Result result = run(Map.of("BOOTSTRAP_SERVERS", "127.0.0.1:1", "SCHEMA_REGISTRY_URL", "http://127.0.0.1:1",
                "SCHEMA_REGISTRY_USER", "loginpipe", "SCHEMA_REGISTRY_TOKEN", "t0ken-never-shown"));
        assertThat(result.status()).isEqualTo(2);
        List<String> lines = result.stderr().strip().lines().toList();
        assertThat(lines.get(lines.size() - 1)).isEqualTo(
                "consumer: SCHEMA_REGISTRY_TOKEN: set either a token or SCHEMA_REGISTRY_USER, not both");
        assertThat(result.stderr()).contains("SCHEMA_REGISTRY_TOKEN=[hidden]").doesNotContain("t0ken-never-shown");
        assertThat(result.stdout()).doesNotContain("t0ken-never-shown");
    }

    @Test
    void anUnusableCandidateSchemaExitsTwoNamingIt() throws Exception {
        Result result = run(Map.of("BOOTSTRAP_SERVERS", "127.0.0.1:1", "SCHEMA_CANDIDATE", "/nonexistent"));
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.stderr().strip().lines().reduce((first, last) -> last))
                .hasValue("consumer: SCHEMA_CANDIDATE: no such file /nonexistent");
    }

    @Test
    void aFailureWhileStartingExitsOneThoughTheHttpServerIsUp() throws Exception {
        int port = TestKafka.freePort();
        // A keystore that is not there fails the first Kafka client built, after the HTTP server started.
        Result result = run(Map.of("BOOTSTRAP_SERVERS", "127.0.0.1:1", "HTTP_PORT", Integer.toString(port),
                "KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL", "KAFKA_CLIENT_SSL_KEYSTORE_LOCATION", "/nonexistent/ks.p12",
                "KAFKA_CLIENT_SSL_KEYSTORE_PASSWORD", "changeit"));
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.stdout() + result.stderr()).contains("could not start");
    }

    @Test
    void aMissingRequiredSettingIsNamed() throws Exception {
        Result result = run(Map.of());
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.stderr().strip().lines().toList())
                .isEqualTo(List.of("consumer: BOOTSTRAP_SERVERS: required, expected host:port[,host:port...]"));
    }
}
