package dev.loginpipe.dlq.console;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.function.Consumer;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.dlq.DlqClients;
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
    private static final long SEEK_GAP = 500;
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration STALL = Duration.ofSeconds(15);

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;

    RecordFetcher(Config config, String topic) {
        this.topic = topic;
        this.consumer = DlqClients.consumer(config, null, "console-fetch");
    }

    /**
     * Hands each record at these coordinates (partition to ascending offsets) to {@code action}; one that is gone
     * (deleted by retention) is passed over. Throws {@link IllegalStateException} when Kafka delivers nothing for a
     * while.
     */
    synchronized void forEach(Map<Integer, long[]> wanted, Consumer<ConsumerRecord<byte[], byte[]>> action) {
        Set<Integer> partitions = consumer.partitionsFor(topic).stream().map(PartitionInfo::partition)
                .collect(Collectors.toSet());
        for (Map.Entry<Integer, long[]> e : new TreeMap<>(wanted).entrySet()) {
            if (!partitions.contains(e.getKey())) {
                continue;
            }
            TopicPartition tp = new TopicPartition(topic, e.getKey());
            long[] offsets = e.getValue();
            consumer.assign(List.of(tp));
            long start = consumer.beginningOffsets(List.of(tp)).get(tp);
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            int next = 0;
            long lastProgress = System.nanoTime();
            while (next < offsets.length && offsets[next] < start) {
                next++;
            }
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

    /** The records at these coordinates, keyed "partition:offset". */
    Map<String, ConsumerRecord<byte[], byte[]>> fetch(Map<Integer, long[]> wanted) {
        Map<String, ConsumerRecord<byte[], byte[]>> found = new HashMap<>();
        forEach(wanted, record -> found.put(record.partition() + ":" + record.offset(), record));
        return found;
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
