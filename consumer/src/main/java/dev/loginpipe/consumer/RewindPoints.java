package dev.loginpipe.consumer;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The one rewind rule. After a failed transaction every assigned partition goes back to the offset this instance last
 * committed for it, or, where it has committed none in this assignment, to the first offset this assignment read from
 * it. That is the group's committed offset in both cases (the consumer starts an assignment there, and while it owns a
 * partition nobody else commits it), so it needs no broker call; and a partition is noted the moment its records are
 * read, before anything can fail, so no record read can be passed over.
 */
final class RewindPoints {
    private final Map<TopicPartition, Long> points = new HashMap<>();

    /** Called with every poll's records, first thing. */
    void read(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            points.putIfAbsent(tp, records.records(tp).get(0).offset());
        }
    }

    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, offset) -> points.put(tp, offset.offset()));
    }

    /** Revoked or lost: a later assignment starts again from the group's committed offset. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(points::remove);
    }

    /** Seeks every assigned partition back; one that nothing was read from has not moved. */
    void rewind(Consumer<byte[], byte[]> consumer) {
        for (TopicPartition tp : consumer.assignment()) {
            Long point = points.get(tp);
            if (point != null) {
                consumer.seek(tp, point);
            }
        }
    }
}
