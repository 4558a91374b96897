package dev.loginpipe.consumer;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * A loop's consumer in the simulation: a member of {@link SimCluster}'s group. Every method the loop calls is
 * answered by the model (MockConsumer only saves writing out the rest of the interface).
 */
final class SimConsumer extends MockConsumer<byte[], byte[]> {
    private final SimCluster cluster;
    final SimInstance instance;
    final String memberId;
    /** The partitions this consumer holds, as it sees them: a dropped member holds them until its next poll. */
    final Set<Integer> owned = new TreeSet<>();
    /** The generation this consumer knows (its group metadata); the coordinator accepts {@link #acceptedGeneration}. */
    int generation = -1;
    int acceptedGeneration = -1;
    /** The last rebalance this member did its part of. */
    int synced = -1;
    /** The coordinator dropped it; it learns so at its next poll. */
    boolean droppedUnaware;
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    /** Paused partitions: not fetched. A revoked partition is no longer paused, as in KafkaConsumer. */
    private final Set<TopicPartition> paused = new HashSet<>();
    private ConsumerRebalanceListener listener;
    private boolean wakeup;
    private boolean closed;

    SimConsumer(SimCluster cluster, SimInstance instance) {
        super("earliest");
        this.cluster = cluster;
        this.instance = instance;
        this.memberId = cluster.nextMemberId();
    }

    ConsumerRebalanceListener listener() {
        return listener;
    }

    boolean takeWakeup() {
        boolean w = wakeup;
        wakeup = false;
        return w;
    }

    long positionOf(TopicPartition tp) {
        return positions.get(tp);
    }

    void moveTo(TopicPartition tp, long offset) {
        positions.put(tp, offset);
    }

    boolean hasPosition(TopicPartition tp) {
        return positions.containsKey(tp);
    }

    /** Revoked: no longer positioned or paused. */
    void forget(TopicPartition tp) {
        positions.remove(tp);
        paused.remove(tp);
    }

    void forgetPositions() {
        positions.clear();
        paused.clear();
    }

    boolean isPaused(TopicPartition tp) {
        return paused.contains(tp);
    }

    @Override
    public void pause(Collection<TopicPartition> partitions) {
        paused.addAll(assigned(partitions));
    }

    @Override
    public void resume(Collection<TopicPartition> partitions) {
        paused.removeAll(assigned(partitions));
    }

    /** KafkaConsumer refuses to pause or resume a partition it does not own. */
    private Collection<TopicPartition> assigned(Collection<TopicPartition> partitions) {
        ensureOpen();
        for (TopicPartition tp : partitions) {
            if (!assignment().contains(tp)) {
                throw new IllegalStateException("No current assignment for partition " + tp);
            }
        }
        return partitions;
    }

    @Override
    public Set<TopicPartition> paused() {
        return Set.copyOf(paused);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("This consumer has already been closed.");
        }
    }

    @Override
    public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
        ensureOpen();
        this.listener = listener;
        instance.consumer = this;
    }

    @Override
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        ensureOpen();
        return cluster.poll(this, timeout);
    }

    @Override
    public Set<TopicPartition> assignment() {
        ensureOpen();
        return SimCluster.partitions(owned);
    }

    @Override
    public void seek(TopicPartition tp, long offset) {
        ensureOpen();
        if (!assignment().contains(tp)) {
            throw new IllegalStateException("No current assignment for partition " + tp);
        }
        positions.put(tp, offset);
    }

    @Override
    public void seek(TopicPartition tp, OffsetAndMetadata offset) {
        seek(tp, offset.offset());
    }

    @Override
    public void seekToBeginning(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            seek(tp, cluster.startOffset(tp.partition()));
        }
    }

    @Override
    public long position(TopicPartition tp) {
        return position(tp, Duration.ofMinutes(1));
    }

    @Override
    public long position(TopicPartition tp, Duration timeout) {
        ensureOpen();
        if (!assignment().contains(tp)) {
            throw new IllegalStateException("You can only check the position for partitions assigned to this consumer.");
        }
        return positions.get(tp);
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, Duration timeout) {
        ensureOpen();
        if (cluster.committedTimeouts > 0) {
            cluster.committedTimeouts--;
            throw thrown(new TimeoutException("sim: committed offsets not fetched within " + timeout.toMillis() + " ms"));
        }
        for (TopicPartition tp : partitions) {
            if (cluster.unstable.containsKey(tp.partition())) {
                cluster.exercised.add("committed() under read_committed meets UNSTABLE_OFFSET_COMMIT");
                // read_committed asks for stable offsets: the client retries UNSTABLE_OFFSET_COMMIT until its timeout
                throw thrown(new TimeoutException("sim: the offsets of " + tp + " are unstable (a transaction holding "
                        + "them is open) for longer than " + timeout.toMillis() + " ms"));
            }
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Long offset = cluster.committed.get(tp.partition());
            offsets.put(tp, offset == null ? null : new OffsetAndMetadata(offset, cluster.committedBy.get(tp.partition())));
        }
        return offsets;
    }

    @Override
    public ConsumerGroupMetadata groupMetadata() {
        ensureOpen();
        return new ConsumerGroupMetadata(SimCluster.GROUP, generation, memberId, Optional.empty());
    }

    @Override
    public OptionalLong currentLag(TopicPartition tp) {
        return OptionalLong.empty();
    }

    @Override
    public synchronized void wakeup() {
        wakeup = true;
    }

    @Override
    public void close() {
        close(CloseOptions.timeout(Duration.ofSeconds(30)));
    }

    @Override
    public synchronized void close(Duration timeout) {
        close(CloseOptions.timeout(timeout));
    }

    @Override
    public void close(CloseOptions options) {
        if (closed) {
            return;
        }
        try {
            cluster.leave(this);
        } finally {
            closed = true;
        }
    }

    private RuntimeException thrown(RuntimeException e) {
        instance.lastThrown = e;
        return e;
    }
}
