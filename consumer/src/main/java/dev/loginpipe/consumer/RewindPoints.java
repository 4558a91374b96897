package dev.loginpipe.consumer;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.observability.RateLimitedLog;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The one rewind rule. After a transaction that was aborted, every assigned partition goes back to the offset this
 * instance last committed for it, or, where it has committed none in this assignment, to the first offset this
 * assignment read from it. That is the group's committed offset in both cases (the consumer starts an assignment
 * there, and while it owns a partition nobody else commits it), so it needs no broker call; and a partition is noted
 * the moment its records are read, before anything can fail, so no record read can be passed over.
 * <p>
 * After a transaction whose outcome is unknown (the producer was replaced, and its replacement completed the commit if
 * the coordinator had prepared it) memory cannot tell, so the positions come from the group's committed offsets, read
 * stable ({@code read_committed} asks the coordinator for settled offsets only); until that read succeeds nothing is
 * routed.
 */
final class RewindPoints {
    private final Map<TopicPartition, Long> points = new HashMap<>();
    private final Duration timeout;
    private final RateLimitedLog warnings;
    private boolean fromGroup;

    RewindPoints(Duration timeout, RateLimitedLog warnings) {
        this.timeout = timeout;
        this.warnings = warnings;
    }

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

    /**
     * Seeks every assigned partition back after a failed transaction: to the points in memory when it is known to be
     * aborted, else to the group's committed offsets.
     */
    void rewind(Consumer<byte[], byte[]> consumer, boolean aborted) {
        if (!aborted) {
            fromGroup = true;
        }
        if (fromGroup) {
            seekToCommitted(consumer);
            return;
        }
        for (TopicPartition tp : consumer.assignment()) {
            Long point = points.get(tp);
            if (point != null) {
                consumer.seek(tp, point);
            }
        }
    }

    /**
     * Called after every poll: true when its records were read from positions that may be wrong, because the
     * positions are still awaited from the group; they must be dropped. Each call tries the group again.
     */
    boolean unknownPositions(Consumer<byte[], byte[]> consumer) {
        if (!fromGroup) {
            return false;
        }
        seekToCommitted(consumer);
        return true;
    }

    /** A fetch that fails (a timeout, offsets not yet stable) leaves the positions awaited. */
    private void seekToCommitted(Consumer<byte[], byte[]> consumer) {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = consumer.committed(assigned, timeout);
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            warnings.warn("positions", "the group's committed offsets not read yet (" + ErrorText.of(e)
                    + "); nothing is routed until they are");
            return;
        }
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata offset = committed.get(tp);
            if (offset == null) {
                points.remove(tp);
                consumer.seekToBeginning(List.of(tp)); // never committed: where auto.offset.reset=earliest starts
            } else {
                points.put(tp, offset.offset());
                consumer.seek(tp, offset.offset());
            }
        }
        fromGroup = false;
    }
}
