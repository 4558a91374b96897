package dev.loginpipe.system;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One test's topics and groups, created on the broker's internal listener, the settings that point a service at
 * them, and the check that routing lost and doubled nothing.
 */
final class Pipeline {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    final String input = TestKafka.uniqueName("in");
    final String output = TestKafka.uniqueName("out");
    final String dlq = TestKafka.uniqueName("dlq");
    final String group = TestKafka.uniqueName("group");
    /** The replay ledger: replay creates it when it first publishes. */
    final String ledger = dlq + "-replayed";
    private final String internalBootstrap;

    Pipeline(String internalBootstrap) {
        this.internalBootstrap = internalBootstrap;
        TestKafka.createTopic(internalBootstrap, input, 3);
        TestKafka.createTopic(internalBootstrap, output, 3);
        TestKafka.createTopic(internalBootstrap, dlq, 1);
    }

    /** The service settings for these topics; the connection settings come from {@link SecureBroker#clientEnv}. */
    Map<String, String> env(String instance) {
        return new HashMap<>(Map.of("INPUT_TOPIC", input, "OUTPUT_TOPIC", output, "DLQ_TOPIC", dlq, "GROUP_ID", group,
                "INSTANCE_ID", instance, "HTTP_PORT", "0", "LOG_SUMMARY_SECONDS", "0", "REPLAY_LEDGER_TOPIC", ledger));
    }

    /** The consumer's transactional id: GROUP_ID-INSTANCE_ID. */
    String transactionalId(String instance) {
        return group + "-" + instance;
    }

    List<ConsumerRecord<byte[], byte[]>> read(String topic, int expected) {
        return TestKafka.readCommitted(internalBootstrap, topic, expected, READ_TIMEOUT);
    }

    /** Reads a topic that should stay empty, for a moment only. */
    List<ConsumerRecord<byte[], byte[]>> readNow(String topic) {
        return TestKafka.readCommitted(internalBootstrap, topic, 0, Duration.ofSeconds(2));
    }

    /**
     * Waits until output and DLQ together hold {@code inputCount} records, then asserts that they hold every input
     * record exactly once, by the input coordinates in the source headers. Returns the number of DLQ records.
     */
    int assertExactlyOnce(int inputCount) {
        List<ConsumerRecord<byte[], byte[]>> in = read(input, inputCount);
        assertThat(in).hasSize(inputCount);
        List<ConsumerRecord<byte[], byte[]>> routed = awaitRouted(inputCount);
        Map<String, Integer> times = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : routed) {
            times.merge(header(r, DlqHeaders.SOURCE_PARTITION) + "@" + header(r, DlqHeaders.SOURCE_OFFSET), 1,
                    Integer::sum);
        }
        List<String> missing = in.stream().map(r -> r.partition() + "@" + r.offset())
                .filter(coordinates -> !times.containsKey(coordinates)).toList();
        assertThat(missing).as("input records in neither output nor DLQ").isEmpty();
        assertThat(times).as("input records routed more than once").allSatisfy((k, n) -> assertThat(n).isEqualTo(1));
        assertThat(routed).hasSize(inputCount);
        return (int) routed.stream().filter(r -> r.topic().equals(dlq)).count();
    }

    /** Output and DLQ records, once there are {@code count} of them (or after the read timeout). */
    private List<ConsumerRecord<byte[], byte[]>> awaitRouted(int count) {
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (true) {
            List<ConsumerRecord<byte[], byte[]>> routed = new ArrayList<>(readNow(output));
            routed.addAll(readNow(dlq));
            if (routed.size() >= count || System.nanoTime() > deadline) {
                return routed;
            }
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), UTF_8);
    }
}
