package dev.loginpipe.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

import dev.loginpipe.common.DlqHeaders;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Record by record, after a drain: every input record is on the output or the DLQ exactly once (by the
 * {@code source.*} headers every routed record carries), nothing else is there, exactly the valid events are on the
 * output, and every DLQ record, and no output record, says why ({@code error.reason}). Reads under read_committed,
 * so aborted writes do not count.
 */
final class ExactlyOnceCheck {
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

    /** What the output and the DLQ hold, against the input. */
    record Verdict(long input, long output, long dlq, long expectedOutput, long missing, long duplicates, long foreign,
                   long mislabelled) {
        boolean holds() {
            return missing == 0 && duplicates == 0 && foreign == 0 && mislabelled == 0 && output == expectedOutput
                    && output + dlq == input;
        }

        @Override
        public String toString() {
            return (holds() ? "exactly once" : "NOT EXACTLY ONCE") + String.format(java.util.Locale.ROOT,
                    " (input %,d = output %,d + DLQ %,d; missing %d, duplicated %d, not from the input %d%s%s)",
                    input, output, dlq, missing, duplicates, foreign,
                    mislabelled == 0 ? "" : "; with error.reason on the output or without it on the DLQ " + mislabelled,
                    output == expectedOutput ? "" : "; " + expectedOutput + " valid events expected on the output");
        }
    }

    private ExactlyOnceCheck() {
    }

    /** {@code inputEnd}: the input's end offsets (it starts at 0 and is not transactional, so every offset is a record). */
    static Verdict check(String bootstrap, RunTopics run, Map<TopicPartition, Long> inputEnd, long validEvents) {
        BitSet[] seen = new BitSet[BenchAdmin.PARTITIONS];
        for (int p = 0; p < seen.length; p++) {
            seen[p] = new BitSet();
        }
        long input = inputEnd.values().stream().mapToLong(Long::longValue).sum();
        long output = 0;
        long dlq = 0;
        long duplicates = 0;
        long foreign = 0;
        long mislabelled = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 << 20)),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> routed = new ArrayList<>();
            for (int p = 0; p < BenchAdmin.PARTITIONS; p++) {
                routed.add(new TopicPartition(run.output(), p));
                routed.add(new TopicPartition(run.dlq(), p));
            }
            consumer.assign(routed);
            consumer.seekToBeginning(routed);
            Map<TopicPartition, Long> end = consumer.endOffsets(routed); // markers included: read up to, not count
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + run.output() + " and " + run.dlq()
                            + " to their end within " + READ_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    boolean toOutput = r.topic().equals(run.output());
                    if (toOutput) {
                        output++;
                    } else {
                        dlq++;
                    }
                    if (toOutput == (r.headers().lastHeader(DlqHeaders.ERROR_REASON) != null)) {
                        mislabelled++;
                    }
                    long partition = number(r, DlqHeaders.SOURCE_PARTITION);
                    long offset = number(r, DlqHeaders.SOURCE_OFFSET);
                    Header topic = r.headers().lastHeader(DlqHeaders.SOURCE_TOPIC);
                    if (topic == null || !run.input().equals(new String(topic.value(), US_ASCII))
                            || partition < 0 || partition >= BenchAdmin.PARTITIONS || offset < 0
                            || offset >= inputEnd.get(new TopicPartition(run.input(), (int) partition))) {
                        foreign++;
                    } else if (seen[(int) partition].get((int) offset)) {
                        duplicates++;
                    } else {
                        seen[(int) partition].set((int) offset);
                    }
                }
            }
        }
        long found = 0;
        for (BitSet s : seen) {
            found += s.cardinality();
        }
        return new Verdict(input, output, dlq, validEvents, input - found, duplicates, foreign, mislabelled);
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    /** A non-negative decimal header, or -1 when it is missing or not a number. */
    private static long number(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        if (h == null || h.value() == null || h.value().length == 0 || h.value().length > 18) {
            return -1;
        }
        long n = 0;
        for (byte b : h.value()) {
            if (b < '0' || b > '9') {
                return -1;
            }
            n = n * 10 + (b - '0');
        }
        return n;
    }
}
