package dev.loginpipe.dlq.console;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Comparator;
import java.util.stream.Collectors;
import java.util.function.Consumer;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.dlq.DlqClients;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads DLQ records by coordinates, for the pages, the viewer and the dry run: per partition, in offset order,
 * seeking over gaps, so a page of nearby records costs one or two fetches and a dry run reads sequentially. One
 * consumer, one request at a time; records are handed on as they arrive, so memory stays bounded by one poll.
 */
final class RecordFetcher implements AutoCloseable {
    /** Past this many offsets to the next wanted record, seek instead of reading on. */
    private static final long SEEK_GAP = 200;
    /**
     * For pages and the viewer, small fetches: a page of scattered records costs one fetch per record, each of which
     * should bring little beyond that record (a record larger than this still comes whole). And a short wait at the
     * end of the log: the consumer's read-ahead fetch there would otherwise hold up the next seek for
     * fetch.max.wait.ms (500 ms).
     */
    static final Map<String, Object> FOR_PAGES = Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024,
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200, ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    /** For the dry run, which reads long runs of records: the client's usual fetch sizes, the same short wait. */
    static final Map<String, Object> FOR_BULK = Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000,
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration STALL = Duration.ofSeconds(15);

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;

    RecordFetcher(Config config, String topic, String role, Map<String, Object> fetchSettings) {
        this.topic = topic;
        this.consumer = DlqClients.consumer(config, null, role, fetchSettings);
    }

    /**
     * Hands each record at these coordinates (partition to ascending offsets) to {@code action}; one that is gone
     * (deleted by retention) is passed over. Throws {@link IllegalStateException} when Kafka delivers nothing for a
     * while.
     */
    synchronized void forEach(Map<Integer, long[]> wanted, Consumer<ConsumerRecord<byte[], byte[]>> action) {
        Set<Integer> partitions = consumer.partitionsFor(topic).stream().map(PartitionInfo::partition)
                .collect(Collectors.toSet());
        List<TopicPartition> wantedPartitions = wanted.keySet().stream().filter(partitions::contains)
                .map(p -> new TopicPartition(topic, p)).toList();
        // Two requests for all partitions, rather than two a partition.
        Map<TopicPartition, Long> starts = consumer.beginningOffsets(wantedPartitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(wantedPartitions);
        for (TopicPartition tp : wantedPartitions.stream().sorted(Comparator.comparingInt(TopicPartition::partition)).toList()) {
            long[] offsets = wanted.get(tp.partition());
            long start = starts.get(tp);
            long end = ends.get(tp);
            int next = 0;
            long lastProgress = System.nanoTime();
            while (next < offsets.length && offsets[next] < start) {
                next++;
            }
            if (next == offsets.length || offsets[next] >= end) {
                continue;
            }
            consumer.assign(List.of(tp));
            consumer.seek(tp, offsets[next]);
            while (next < offsets.length && offsets[next] < end) {
                if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                    throw new IllegalStateException("Kafka delivered nothing for " + STALL.toSeconds() + " s");
                }
                long position = consumer.position(tp);
                if (position > offsets[next] || offsets[next] - position > SEEK_GAP) {
                    consumer.seek(tp, offsets[next]);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    while (next < offsets.length && offsets[next] < record.offset()) {
                        next++;
                    }
                    if (next < offsets.length && offsets[next] == record.offset()) {
                        action.accept(record);
                        next++;
                    }
                    lastProgress = System.nanoTime();
                }
                // Offsets passed over (transaction markers, aborted records) hold nothing to find.
                long after = consumer.position(tp);
                while (next < offsets.length && offsets[next] < after) {
                    next++;
                }
            }
        }
    }

    /** The records at these coordinates, keyed by {@link #key}. */
    Map<String, ConsumerRecord<byte[], byte[]>> fetch(Map<Integer, long[]> wanted) {
        Map<String, ConsumerRecord<byte[], byte[]>> found = new HashMap<>();
        forEach(wanted, record -> found.put(key(record.partition(), record.offset()), record));
        return found;
    }

    /** A record's coordinates as one key: "partition:offset". */
    static String key(int partition, long offset) {
        return partition + ":" + offset;
    }

    /** Index entries grouped by partition, offsets ascending, as {@link #forEach} wants them. */
    static Map<Integer, long[]> byPartition(List<DlqIndex.Entry> entries) {
        Map<Integer, long[]> wanted = new HashMap<>();
        for (DlqIndex.Entry entry : entries) {
            long[] offsets = wanted.getOrDefault(entry.partition(), new long[0]);
            offsets = Arrays.copyOf(offsets, offsets.length + 1);
            offsets[offsets.length - 1] = entry.offset();
            wanted.put(entry.partition(), offsets);
        }
        wanted.values().forEach(Arrays::sort);
        return wanted;
    }

    @Override
    public synchronized void close() {
        consumer.close();
    }
}
