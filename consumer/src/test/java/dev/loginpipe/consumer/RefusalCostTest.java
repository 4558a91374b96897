package dev.loginpipe.consumer;

import static dev.loginpipe.consumer.Pipeline.header;
import static dev.loginpipe.consumer.Pipeline.record;
import static dev.loginpipe.consumer.Pipeline.validEvent;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/**
 * Issue 31: a batch holding several records the output refuses for good (valid events without a key, on a compacted
 * output) costs at most two aborted transactions, not one per refused record plus one; each refused record is in the
 * DLQ as {@code rejected} once and every other record is routed once.
 */
class RefusalCostTest {
    private static final String BOOTSTRAP = TestKafka.shared().bootstrapServers();
    /** Offsets of the valid events sent without a key. */
    private static final Set<String> KEYLESS = Set.of("20", "75", "131", "192", "266", "280");
    private static final int COUNT = 300;

    @Test
    void keylessEventsOnACompactedOutputCostAtMostTwoAborts() throws Exception {
        Pipeline pipeline = new Pipeline(BOOTSTRAP);
        TestKafka.createTopic(BOOTSTRAP, pipeline.input, 1);
        TestKafka.createTopic(BOOTSTRAP, pipeline.output, 1, 1, Map.of("cleanup.policy", "compact"));
        TestKafka.createTopic(BOOTSTRAP, pipeline.dlq, 1);
        pipeline.send(batch());
        try (Pipeline.InProcess consumer = pipeline.start("refusal-cost-1")) {
            await().atMost(Duration.ofSeconds(120)).until(pipeline::groupCaughtUp);
            assertThat(consumer.stop()).isZero();
            assertRejectedOnce(pipeline, COUNT);
            assertThat(consumer.metrics.aborted.get()).as("aborted transactions").isLessThanOrEqualTo(2);
        }
    }

    /** The output becomes compacted while the consumer runs: the first refusal teaches it, the rest are predicted. */
    @Test
    void anOutputCompactedWhileRunningCostsAtMostTwoAborts() throws Exception {
        Pipeline pipeline = new Pipeline(BOOTSTRAP);
        TestKafka.createTopic(BOOTSTRAP, pipeline.input, 1);
        TestKafka.createTopic(BOOTSTRAP, pipeline.output, 1);
        TestKafka.createTopic(BOOTSTRAP, pipeline.dlq, 1);
        try (Pipeline.InProcess consumer = pipeline.start("refusal-cost-2");
             Admin admin = TestKafka.admin(BOOTSTRAP)) {
            pipeline.send(List.of(record(utf8("k-first"), utf8(validEvent("first")))));
            assertThat(pipeline.readOutput(1)).hasSize(1);
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, pipeline.output),
                    List.of(new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SET))))
                    .all().get();
            Thread.sleep(1_000); // the broker applies topic settings from the metadata log, a moment after the call
            pipeline.send(batch());
            await().atMost(Duration.ofSeconds(120)).until(pipeline::groupCaughtUp);
            assertThat(consumer.stop()).isZero();
            assertRejectedOnce(pipeline, COUNT + 1);
            assertThat(consumer.metrics.aborted.get()).as("aborted transactions").isLessThanOrEqualTo(2);
        }
    }

    /** {@value #COUNT} records; every tenth not JSON, those at {@link #KEYLESS} (counted from the first) without a key. */
    private static List<ProducerRecord<byte[], byte[]>> batch() {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            boolean keyless = KEYLESS.contains(Integer.toString(i));
            String value = i % 10 == 3 ? "broken " + i : validEvent("u-" + i);
            records.add(record(keyless ? null : utf8("k-" + i), utf8(value)));
        }
        return records;
    }

    private static void assertRejectedOnce(Pipeline pipeline, int total) {
        pipeline.assertExactlyOnce(total);
        int shift = total - COUNT;
        List<String> rejected = pipeline.readDlq(0).stream()
                .filter(r -> "rejected".equals(header(r, DlqHeaders.ERROR_REASON)))
                .map(r -> Long.toString(Long.parseLong(header(r, DlqHeaders.SOURCE_OFFSET)) - shift)).toList();
        assertThat(rejected).containsExactlyInAnyOrderElementsOf(KEYLESS);
        assertThat(pipeline.readOutput(0)).allSatisfy(r -> assertThat(r.key()).isNotNull());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(UTF_8);
    }
}
