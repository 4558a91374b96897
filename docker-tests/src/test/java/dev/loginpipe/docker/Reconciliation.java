package dev.loginpipe.docker;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Input against output + DLQ, record by record (as {@code ./run-local.sh --events} does): each input record, by its
 * partition and offset, must come back exactly once through the {@code source.*} headers, the valid ones with the
 * same bytes.
 */
record Reconciliation(int input, int output, int dlq, List<String> missing, List<String> duplicated,
                      List<String> changed, Map<String, Integer> dlqByReason) {

    /** Reads the three topics under read_committed from {@code bootstrap} and matches them. */
    static Reconciliation read(String bootstrap, String inputTopic, String outputTopic, String dlqTopic) {
        Duration wait = Duration.ofSeconds(30);
        List<ConsumerRecord<byte[], byte[]>> in = TestKafka.readCommitted(bootstrap, inputTopic, 0, wait);
        List<ConsumerRecord<byte[], byte[]>> out = TestKafka.readCommitted(bootstrap, outputTopic, 0, wait);
        List<ConsumerRecord<byte[], byte[]>> dlq = TestKafka.readCommitted(bootstrap, dlqTopic, 0, wait);

        Map<String, Integer> routedTimes = new HashMap<>();
        Map<String, byte[]> outputValue = new HashMap<>();
        Map<String, Integer> byReason = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : out) {
            routedTimes.merge(source(r), 1, Integer::sum);
            outputValue.put(source(r), r.value());
        }
        for (ConsumerRecord<byte[], byte[]> r : dlq) {
            routedTimes.merge(source(r), 1, Integer::sum);
            byReason.merge(String.valueOf(header(r, DlqHeaders.ERROR_REASON)), 1, Integer::sum);
        }
        List<String> missing = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : in) {
            String at = r.partition() + "@" + r.offset();
            if (!routedTimes.containsKey(at)) {
                missing.add(at);
            } else if (outputValue.containsKey(at) && !Arrays.equals(outputValue.get(at), r.value())) {
                changed.add(at);
            }
        }
        List<String> duplicated = routedTimes.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey).sorted().toList();
        return new Reconciliation(in.size(), out.size(), dlq.size(), missing, duplicated, changed, byReason);
    }

    int routed() {
        return output + dlq;
    }

    private static String source(ConsumerRecord<byte[], byte[]> r) {
        return header(r, DlqHeaders.SOURCE_PARTITION) + "@" + header(r, DlqHeaders.SOURCE_OFFSET);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), UTF_8);
    }
}
