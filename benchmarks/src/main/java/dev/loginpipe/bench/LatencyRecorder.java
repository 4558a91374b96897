package dev.loginpipe.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;

import dev.loginpipe.common.DlqHeaders;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the output topic under read_committed and notes, for every record, the time from the input record's
 * timestamp ({@code source.timestamp}) to the moment it became visible here: end-to-end latency.
 */
final class LatencyRecorder implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private long[] latencies = new long[1 << 16];
    private int count;

    LatencyRecorder(String bootstrap, String topic) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(IntStream.range(0, BenchAdmin.PARTITIONS).mapToObj(p -> new TopicPartition(topic, p)).toList());
    }

    /**
     * Polls until {@code expected} records produced at or after {@code fromMillis} were seen (earlier ones are the
     * warm-up and not counted); call from one thread while the events flow. Both are set by the sender as it goes:
     * until then they hold {@link Long#MAX_VALUE}.
     */
    void record(LongSupplier fromMillis, LongSupplier expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count < expected.getAsLong()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("saw " + count + " of " + expected.getAsLong() + " output records within "
                        + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                long now = System.currentTimeMillis();
                Header source = r.headers().lastHeader(DlqHeaders.SOURCE_TIMESTAMP);
                long produced = Long.parseLong(new String(source.value(), UTF_8));
                if (produced >= fromMillis.getAsLong()) {
                    add(now - produced);
                }
            }
        }
    }

    /** Latency in ms at each quantile (0.5, 0.99, 1.0 ...), by nearest rank. */
    long[] quantiles(List<Double> qs) {
        long[] sorted = Arrays.copyOf(latencies, count);
        Arrays.sort(sorted);
        return qs.stream().mapToLong(q -> sorted[Math.max(0, (int) Math.ceil(q * count) - 1)]).toArray();
    }

    int count() {
        return count;
    }

    private void add(long millis) {
        if (count == latencies.length) {
            latencies = Arrays.copyOf(latencies, count * 2);
        }
        latencies[count++] = millis;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
