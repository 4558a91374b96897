package dev.loginpipe.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import dev.loginpipe.common.config.KafkaClientSettings.ClientKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigTest {
    static final Map<String, String> MINIMAL = Map.of("BOOTSTRAP_SERVERS", "localhost:9092");

    static Map<String, String> env(String... keyValues) {
        Map<String, String> env = new HashMap<>(MINIMAL);
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return env;
    }

    @Test
    void everyOptionalSettingHasAWorkingDefault() {
        for (Service service : Service.values()) {
            Config config = Config.load(service, MINIMAL);
            for (Setting<?> setting : Settings.of(service)) {
                assertThat(config.get(setting)).as(setting.name()).isNotNull();
            }
        }
        Config consumer = Config.load(Service.CONSUMER, MINIMAL);
        assertThat(consumer.get(Settings.INPUT_TOPIC)).isEqualTo("user-login");
        assertThat(consumer.get(Settings.OUTPUT_TOPIC)).isEqualTo("processed-user-login");
        assertThat(consumer.get(Settings.DLQ_TOPIC)).isEqualTo("user-login-dlq");
        assertThat(consumer.get(Settings.GROUP_ID)).isEqualTo("user-login-consumer-group");
        assertThat(consumer.get(Settings.HTTP_PORT)).isEqualTo(8080);
        assertThat(consumer.get(Settings.INSTANCE_ID)).isNotBlank();
        assertThat(consumer.get(Settings.SCHEMA_PATH).source()).isEqualTo("classpath:dev/loginpipe/common/schema.json");
        assertThat(Config.load(Service.DLQ_CONSUMER, MINIMAL).get(Settings.DLQ_GROUP_ID)).isEqualTo("dlq-consumer-group");
    }

    @Test
    void readsValuesFromTheEnvironment() {
        Config config = Config.load(Service.CONSUMER, env("INPUT_TOPIC", "in", "HTTP_PORT", "0", "INSTANCE_ID", "c-2"));
        assertThat(config.get(Settings.INPUT_TOPIC)).isEqualTo("in");
        assertThat(config.get(Settings.HTTP_PORT)).isZero();
        assertThat(config.get(Settings.INSTANCE_ID)).isEqualTo("c-2");
    }

    static Stream<Arguments> badSettings() {
        return Stream.of(
                Arguments.of(Map.of(), "BOOTSTRAP_SERVERS: required, expected host:port[,host:port...]"),
                Arguments.of(env("BOOTSTRAP_SERVERS", "localhost"), "BOOTSTRAP_SERVERS: invalid value 'localhost'"),
                Arguments.of(env("HTTP_PORT", "abc"), "HTTP_PORT: invalid value 'abc', expected an integer from 0 to 65535"),
                Arguments.of(env("HTTP_PORT", "70000"), "HTTP_PORT: invalid value '70000', expected an integer from 0 to 65535"),
                Arguments.of(env("BATCH_MAX_RECORDS", "0"), "BATCH_MAX_RECORDS: invalid value '0', expected an integer from 1"),
                Arguments.of(env("LOG_SUMMARY_SECONDS", "-1"), "LOG_SUMMARY_SECONDS: invalid value '-1'"),
                Arguments.of(env("SCHEMA_PATH", "/nonexistent"), "SCHEMA_PATH: invalid value '/nonexistent', expected a readable file"),
                Arguments.of(env("INPUT_TOPIC", " "), "INPUT_TOPIC: invalid value ' ', expected a non-empty printable string"),
                Arguments.of(env("KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_NOPE"), "KAFKA_CLIENT_SECURITY_PROTOCOL: invalid value 'SASL_NOPE'"),
                Arguments.of(env("KAFKA_CLIENT_MAX_POLL_RECORDS", "many"), "KAFKA_CLIENT_MAX_POLL_RECORDS: invalid value 'many'"),
                Arguments.of(env("KAFKA_CLIENT_NO_SUCH_THING", "1"), "KAFKA_CLIENT_NO_SUCH_THING: 'no.such.thing' is not a Kafka"));
    }

    @ParameterizedTest
    @MethodSource("badSettings")
    void aBadSettingNamesTheVariableAndWhatWasExpected(Map<String, String> env, String message) {
        assertThatThrownBy(() -> Config.load(Service.CONSUMER, env))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(message)
                .hasMessageNotContaining("\n");
    }

    @Test
    void everyVariableOfEveryServiceRejectsABadValueByName() {
        for (Service service : Service.values()) {
            for (Setting<?> setting : Settings.of(service)) {
                assertThatThrownBy(() -> Config.load(service, env(setting.name(), " \u0007 ")))
                        .as("%s of the %s", setting.name(), service.jarName())
                        .isInstanceOf(ConfigException.class)
                        .hasMessageStartingWith(setting.name() + ": invalid value")
                        .hasMessageContaining("expected " + setting.type().expected());
            }
        }
    }

    @Test
    void aSchemaThatIsNotAJsonSchemaIsASettingError(@TempDir Path dir) throws Exception {
        Path schema = dir.resolve("schema.json");
        Files.writeString(schema, "{\"required\": \"everything\"}");
        assertThatThrownBy(() -> Config.load(Service.CONSUMER, env("SCHEMA_PATH", schema.toString())))
                .hasMessageStartingWith("SCHEMA_PATH: invalid value")
                .hasMessageContaining("not a valid draft-07 JSON Schema");
    }

    @Test
    void settingsOfOtherServicesAreNotParsed() {
        Config producer = Config.load(Service.PRODUCER, env("SCHEMA_PATH", "/nonexistent"));
        assertThatThrownBy(() -> producer.get(Settings.SCHEMA_PATH)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void kafkaClientSettingsPassThroughToTheClientsThatKnowThem() {
        Config config = Config.load(Service.CONSUMER, env(
                "KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_CLIENT_MAX_POLL_RECORDS", "10",
                "KAFKA_CLIENT_LINGER_MS", "7"));
        assertThat(config.kafkaProperties(ClientKind.CONSUMER))
                .containsEntry("bootstrap.servers", "localhost:9092")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("max.poll.records", "10")
                .doesNotContainKey("linger.ms");
        assertThat(config.kafkaProperties(ClientKind.PRODUCER))
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("linger.ms", "7")
                .doesNotContainKey("max.poll.records");
    }

    @Test
    void theConsoleTokenIsASecretThatMayBeEmpty() {
        assertThat(Config.load(Service.DLQ_CONSOLE, env()).get(Settings.CONSOLE_TOKEN)).isEmpty();
        Config config = Config.load(Service.DLQ_CONSOLE, env("CONSOLE_TOKEN", "t0ken-value"));
        assertThat(config.get(Settings.CONSOLE_TOKEN)).isEqualTo("t0ken-value");
        assertThat(config.describe()).containsEntry("CONSOLE_TOKEN", "[hidden]");
        assertThat(config.describe().toString()).doesNotContain("t0ken-value");
        assertThatThrownBy(() -> Config.load(Service.DLQ_CONSOLE, env("CONSOLE_TOKEN", "t0ken\u0007")))
                .hasMessage("CONSOLE_TOKEN: invalid value, expected a printable string or nothing");
    }

    @Test
    void secretsAreMaskedInTheDescription() {
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"s3cret\";";
        Config config = Config.load(Service.CONSUMER, env(
                "KAFKA_CLIENT_SASL_JAAS_CONFIG", jaas,
                "KAFKA_CLIENT_SSL_TRUSTSTORE_PASSWORD", "hunter2",
                "KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512"));
        assertThat(config.describe().toString()).doesNotContain("s3cret").doesNotContain("hunter2")
                .contains("KAFKA_CLIENT_SASL_JAAS_CONFIG=[hidden]")
                .contains("KAFKA_CLIENT_SASL_MECHANISM=SCRAM-SHA-512");
        assertThat(config.kafkaProperties(ClientKind.CONSUMER)).containsEntry("sasl.jaas.config", jaas);
    }

    @Test
    void helpListsEveryVariableOfTheJar() {
        String help = SettingsDoc.help(Service.CONSUMER, "Usage: java -jar consumer.jar");
        for (Setting<?> setting : Settings.of(Service.CONSUMER)) {
            assertThat(help).contains(setting.name());
        }
        assertThat(help).doesNotContain("DLQ_GROUP_ID").contains("KAFKA_CLIENT_<NAME>");
    }
}
