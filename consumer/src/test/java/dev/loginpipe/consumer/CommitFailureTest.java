package dev.loginpipe.consumer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Issue 22's findings on a real broker: a transaction that fails at its commit while the next poll brings partitions
 * the group has never committed, a member whose partitions were lost, and a stop with nothing left open.
 */
class CommitFailureTest {
    private static final String BOOTSTRAP = TestKafka.shared().bootstrapServers();

    /**
     * A fresh group drains a 24-partition backlog in transactions of one poll (2,000 records, committed by size, sends
     * lingering until the commit) into a compacted output, which refuses the valid events without a key: each refusal
     * fails the commit made before a poll that mostly brings partitions for the first time. The loop that rewound only the failed
     * transaction's partitions lost 500 of 24,000 records here, on neither topic, with offsets at the end.
     */
    @Test
    void aFreshGroupDrainingIntoAnOutputThatRefusesSomeRecordsLosesNothing() throws Exception {
        Pipeline pipeline = new Pipeline(BOOTSTRAP);
        TestKafka.createTopic(BOOTSTRAP, pipeline.input, 24);
        TestKafka.createTopic(BOOTSTRAP, pipeline.output, 4, 1, Map.of("cleanup.policy", "compact"));
        TestKafka.createTopic(BOOTSTRAP, pipeline.dlq, 1);
        int total = 24_000;
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(total);
        List<String> keyless = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            boolean noKey = i % 4_001 == 3_000 && i % 10 != 0; // five valid events without a key
            String value = i % 10 == 0 ? "not json " + i : Pipeline.validEvent("user-" + i);
            records.add(new ProducerRecord<>(pipeline.input, i % 24, noKey ? null : ("user-" + i).getBytes(UTF_8),
                    value.getBytes(UTF_8)));
            if (noKey) {
                keyless.add("user-" + i);
            }
        }
        pipeline.send(records);

        try (Pipeline.InProcess consumer = pipeline.start("refused-1",
                Map.of("BATCH_MAX_RECORDS", "2000", "COMMIT_INTERVAL_MS", "10000", "KAFKA_CLIENT_LINGER_MS", "5000"))) {
            await().atMost(Duration.ofSeconds(180)).until(pipeline::groupCaughtUp);
            assertThat(consumer.stop()).isZero();
        }
        pipeline.assertExactlyOnce(total);
        List<ConsumerRecord<byte[], byte[]>> rejected = pipeline.readDlq(0).stream()
                .filter(r -> "rejected".equals(Pipeline.header(r, DlqHeaders.ERROR_REASON))).toList();
        assertThat(rejected.stream().map(r -> userOf(r.value())).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(keyless);
    }

    /**
     * The broker goes away for twice the session timeout: the member's partitions are lost and given back when it
     * returns. The process stays up (it once fetched committed offsets inside the assignment callback and exited
     * when they did not come within 10 s) and nothing is lost or doubled.
     */
    @Test
    void aMemberWhosePartitionsWereLostRejoinsAndGoesOn() throws Exception {
        try (var cluster = TestKafka.cluster(1)) {
            Pipeline pipeline = new Pipeline(cluster.bootstrapServers(), 3);
            pipeline.sendMixed(6_000);
            Map<String, String> env = new java.util.HashMap<>(Pipeline.QUICK_SESSION);
            env.put("KAFKA_CLIENT_MAX_BLOCK_MS", "2000");
            try (Pipeline.InProcess consumer = pipeline.start("lost-1", env)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> consumer.metrics.consumed.get() >= 6_000);
                cluster.node(1).stop();
                Thread.sleep(12_000);
                cluster.node(1).start();
                cluster.awaitReady(Duration.ofSeconds(60));
                pipeline.sendMixed(6_000);
                await().atMost(Duration.ofSeconds(120)).until(() -> consumer.metrics.consumed.get() >= 12_000);
                assertThat(consumer.status).isNotDone();
                assertThat(consumer.stop()).isZero();
            }
            pipeline.assertExactlyOnce(12_000);
        }
    }

    private static String userOf(byte[] value) {
        String json = new String(value, UTF_8);
        int start = json.indexOf("\"user_id\":\"") + 11;
        return json.substring(start, json.indexOf('"', start));
    }
}
