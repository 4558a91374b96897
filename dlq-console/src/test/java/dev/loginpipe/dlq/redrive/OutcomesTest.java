package dev.loginpipe.dlq.redrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Service;
import dev.loginpipe.local.KafkaCluster;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * What became of a plan's records is counted on partitions added to the output and the DLQ while it runs, and the
 * tracker outlives the brokers going away (its checks fail meanwhile) and counts on when they are back.
 */
class OutcomesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PLAN = "plan-0badc0de";

    @Test
    void partitionsAddedLaterAreCountedAndAnOutageDoesNotEndTheTracker() throws Exception {
        try (KafkaCluster cluster = TestKafka.cluster(1)) {
            String bootstrap = cluster.bootstrapServers();
            String output = TestKafka.uniqueName("processed");
            String dlq = TestKafka.uniqueName("dlq");
            TestKafka.createTopic(bootstrap, output, 1);
            TestKafka.createTopic(bootstrap, dlq, 1);
            Config config = Config.load(Service.DLQ_CONSOLE, Map.of("BOOTSTRAP_SERVERS", bootstrap,
                    "OUTPUT_TOPIC", output, "DLQ_TOPIC", dlq, "HTTP_PORT", "0", "INSTANCE_ID", "test",
                    "KAFKA_CLIENT_DEFAULT_API_TIMEOUT_MS", "3000", "KAFKA_CLIENT_REQUEST_TIMEOUT_MS", "3000"));
            Outcomes outcomes = new Outcomes(config, Instant.now().minusSeconds(1), List.of(PLAN));
            try {
                write(bootstrap, output, 0);
                await().atMost(WAIT).until(() -> outcomes.of(PLAN).equals(new Outcomes.Counts(1, 0)));

                try (Admin admin = TestKafka.admin(bootstrap)) {
                    admin.createPartitions(Map.of(output, NewPartitions.increaseTo(2), dlq,
                            NewPartitions.increaseTo(2))).all().get();
                }
                write(bootstrap, output, 1);
                write(bootstrap, dlq, 1);
                await().atMost(Duration.ofMillis(Outcomes.PARTITION_CHECK_MS * 3))
                        .until(() -> outcomes.of(PLAN).equals(new Outcomes.Counts(2, 1)));

                cluster.node(1).stop();
                await().atMost(WAIT).until(() -> outcomes.failures() > 0); // a partition check met the outage
                cluster.node(1).start();
                cluster.awaitReady(WAIT);
                write(bootstrap, output, 0);
                write(bootstrap, output, 1);
                write(bootstrap, dlq, 0);
                await().atMost(WAIT).until(() -> outcomes.of(PLAN).equals(new Outcomes.Counts(4, 2)));
                assertThat(outcomes.of("plan-other")).isEqualTo(Outcomes.Counts.NONE);
            } finally {
                outcomes.close(); // a close still ends it
            }
        }
    }

    /** One record of the plan, as the pipeline writes it (the input's headers kept). */
    private static void write(String bootstrap, String topic, int partition) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(DlqHeaders.REPLAY_ID, PLAN.getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(bootstrap, Map.of())) {
            producer.send(new ProducerRecord<>(topic, partition, (byte[]) null, "v".getBytes(StandardCharsets.UTF_8),
                    headers));
        }
    }
}
