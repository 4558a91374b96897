package dev.loginpipe.consumer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import dev.loginpipe.common.schema.SchemaVersion;
import dev.loginpipe.common.validation.Reason;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What the open transaction holds: where each of its input records was and its send (in arrays, not an object per
 * record: no record bytes are kept, so a long transaction holds little), the offsets to commit with it, and counts
 * for metrics and logs.
 */
final class OpenTransaction {
    /** Lines about dead-lettered records kept for the log, at most. */
    static final int DLQ_LINES = 10;

    final long startedNanos;
    /** Judges every record of this transaction, whatever is published meanwhile; the run names it in the metadata. */
    final LiveSchema.Run run;
    final SchemaVersion schema;
    private int count;
    private int[] partitions = new int[1024];
    private long[] offsets = new long[1024];
    private long[] timestamps = new long[1024];
    private boolean[] toDlq = new boolean[1024];
    @SuppressWarnings("unchecked")
    private Future<RecordMetadata>[] results = new Future[1024];
    /** The offset past each partition's last record. */
    private final Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    private final Map<Reason, Integer> deadLettered = new EnumMap<>(Reason.class);
    private final List<String> dlqLines = new ArrayList<>();
    private int forwarded;

    OpenTransaction(long startedNanos, LiveSchema.Run run) {
        this.startedNanos = startedNanos;
        this.run = run;
        this.schema = run.version();
    }

    void add(ConsumerRecord<byte[], byte[]> in, RecordRouter.Routed routed, Future<RecordMetadata> result) {
        if (count == results.length) {
            int size = count * 2;
            partitions = Arrays.copyOf(partitions, size);
            offsets = Arrays.copyOf(offsets, size);
            timestamps = Arrays.copyOf(timestamps, size);
            toDlq = Arrays.copyOf(toDlq, size);
            results = Arrays.copyOf(results, size);
        }
        partitions[count] = in.partition();
        offsets[count] = in.offset();
        timestamps[count] = in.timestamp();
        toDlq[count] = routed.toDlq();
        results[count] = result;
        count++;
        if (routed.toDlq()) {
            deadLettered.merge(routed.result().reason(), 1, Integer::sum);
            if (dlqLines.size() < DLQ_LINES) {
                dlqLines.add("DLQ " + in.topic() + "-" + in.partition() + "@" + in.offset() + ": "
                        + routed.result().reason().label() + " (" + routed.result().message() + ")");
            }
        } else {
            forwarded++;
        }
    }

    /**
     * The last record of a partition in this poll was added: the offset past it is committed with the rest, its
     * metadata naming the run of the version that judged it ({@link SchemaHandover} reads it when the partition
     * changes hands).
     */
    void readUpTo(TopicPartition tp, ConsumerRecord<byte[], byte[]> last) {
        next.put(tp, new OffsetAndMetadata(last.offset() + 1, last.leaderEpoch(), run.metadata()));
    }

    int count() {
        return count;
    }

    Map<TopicPartition, OffsetAndMetadata> offsets() {
        return next;
    }

    Coordinates coordinates(int i) {
        return new Coordinates(partitions[i], offsets[i]);
    }

    boolean toDlq(int i) {
        return toDlq[i];
    }

    Future<RecordMetadata> result(int i) {
        return results[i];
    }

    /** Counts a committed transaction in the metrics and logs its first dead letters. */
    void committed(ConsumerMetrics metrics, DeadLetterLog log, long nowNanos) {
        long committedAt = System.currentTimeMillis();
        metrics.consumed.inc(count);
        metrics.output.inc(forwarded);
        deadLettered.forEach((reason, n) -> metrics.dlq.labelValues(reason.label()).inc(n));
        metrics.committed.inc();
        metrics.batchRecords.observe(count);
        metrics.batchSeconds.observe((nowNanos - startedNanos) / 1e9);
        for (int i = 0; i < count; i++) {
            metrics.endToEndSeconds.observe(Math.max(0, committedAt - timestamps[i]) / 1e3);
        }
        log.log(dlqLines);
    }

    /** Where an input record is; the input topic is the only one. */
    record Coordinates(int partition, long offset) {
        static Coordinates of(ConsumerRecord<byte[], byte[]> in) {
            return new Coordinates(in.partition(), in.offset());
        }

        @Override
        public String toString() {
            return partition + "@" + offset;
        }
    }
}
