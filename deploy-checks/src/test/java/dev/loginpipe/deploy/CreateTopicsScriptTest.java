package dev.loginpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** create-topics.sh against a real broker, through the Kafka CLI classes in local-kafka.jar (as run-local.sh runs it). */
class CreateTopicsScriptTest {
    private static final String JAR = "local-kafka/target/local-kafka.jar";
    private static String bootstrap;

    @BeforeAll
    static void broker() {
        assertThat(Repo.file(JAR)).as("build local-kafka first (mvn -pl local-kafka package)").exists();
        bootstrap = TestKafka.shared().bootstrapServers();
    }

    @Test
    void createsOnceThenChangesNothing() throws Exception {
        Map<String, String> env = env("first");
        Repo.Result first = script(env);
        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.output()).contains("created " + env.get("INPUT_TOPIC"), "created " + env.get("DLQ_TOPIC"),
                "created " + env.get("REPLAY_LEDGER_TOPIC"), "created " + env.get("REDRIVE_AUDIT_TOPIC"));

        try (Admin admin = TestKafka.admin(bootstrap)) {
            assertThat(partitions(admin, env.get("INPUT_TOPIC"))).isEqualTo(3);
            assertThat(partitions(admin, env.get("OUTPUT_TOPIC"))).isEqualTo(3);
            assertThat(partitions(admin, env.get("DLQ_TOPIC"))).isEqualTo(1);
            Config dlq = config(admin, env.get("DLQ_TOPIC"));
            Config input = config(admin, env.get("INPUT_TOPIC"));
            assertThat(dlq.get("max.message.bytes").value()).isEqualTo("2097152");
            assertThat(Long.parseLong(dlq.get("retention.ms").value()))
                    .isGreaterThan(Long.parseLong(input.get("retention.ms").value()));
            assertThat(partitions(admin, env.get("REPLAY_LEDGER_TOPIC"))).isEqualTo(1);
            assertThat(config(admin, env.get("REPLAY_LEDGER_TOPIC")).get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(partitions(admin, env.get("REDRIVE_AUDIT_TOPIC"))).isEqualTo(1);
            assertThat(config(admin, env.get("REDRIVE_AUDIT_TOPIC")).get("retention.ms").value()).isEqualTo("-1");
        }

        Repo.Result second = script(env);
        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(second.output()).doesNotContain("created", "grew").contains("up to date");
    }

    @Test
    void growsTooFewPartitionsAndKeepsTheData() throws Exception {
        Map<String, String> env = env("grow");
        String input = env.get("INPUT_TOPIC");
        TestKafka.createTopic(bootstrap, input, 1);
        try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(bootstrap, Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(input, 0, null, ("event-" + i).getBytes(StandardCharsets.UTF_8)));
            }
        }

        Repo.Result result = script(env);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("grew " + input + " from 1 to 3 partitions");
        try (Admin admin = TestKafka.admin(bootstrap)) {
            assertThat(partitions(admin, input)).isEqualTo(3);
        }
        assertThat(TestKafka.readCommitted(bootstrap, input, 10, Duration.ofSeconds(30))).hasSize(10);
    }

    @Test
    void givesUpOnAMissingBrokerWithAClearMessage() {
        Map<String, String> env = env("nobroker");
        env.put("BOOTSTRAP_SERVERS", "127.0.0.1:1");
        env.put("BROKER_WAIT_SECONDS", "3");
        Repo.Result result = script(env);
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("no broker answered at 127.0.0.1:1 within 3s");
    }

    @Test
    void refusesADlqRetentionShorterThanTheInputs() {
        Map<String, String> env = env("retention");
        env.put("DLQ_RETENTION_MS", "1000");
        Repo.Result result = script(env);
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("DLQ_RETENTION_MS (1000) must be longer than INPUT_RETENTION_MS");
    }

    private static Map<String, String> env(String prefix) {
        Map<String, String> env = new HashMap<>();
        env.put("BOOTSTRAP_SERVERS", bootstrap);
        env.put("KAFKA_TOPICS_CMD", "java -cp " + Repo.file(JAR) + " org.apache.kafka.tools.TopicCommand");
        env.put("INPUT_TOPIC", TestKafka.uniqueName(prefix + "-in"));
        env.put("OUTPUT_TOPIC", TestKafka.uniqueName(prefix + "-out"));
        env.put("DLQ_TOPIC", TestKafka.uniqueName(prefix + "-dlq"));
        env.put("REPLAY_LEDGER_TOPIC", TestKafka.uniqueName(prefix + "-replayed"));
        env.put("REDRIVE_AUDIT_TOPIC", TestKafka.uniqueName(prefix + "-audit"));
        return env;
    }

    private static Repo.Result script(Map<String, String> env) {
        return Repo.run(Duration.ofMinutes(2), env, List.of("bash", "create-topics.sh"));
    }

    private static int partitions(Admin admin, String topic) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        return d.partitions().size();
    }

    private static Config config(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }
}
