package dev.loginpipe.consumer;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import dev.loginpipe.common.DlqHeaders;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * The loop's transactional producer in the simulation, with the state machine of KafkaProducer's transaction manager
 * as far as the loop can observe it: a failed send makes the transaction abortable and fails its later sends with the
 * same error; a commit that timed out must be retried, not aborted; a fenced producer answers every call with an error
 * from then on; a closed one refuses every call.
 */
final class SimProducer implements Producer<byte[], byte[]> {
    private static final String ERROR_STATE = "Cannot execute transactional method because we are in an error state";

    /**
     * One send of the open transaction: which input record it copies, to where, the schema version that judged it, and
     * its fate on the brokers.
     */
    record Sent(SimCluster.Coords at, SimCluster.Fate fate, String version, CompletableFuture<RecordMetadata> result,
                KafkaException refusal) {
    }

    private enum State { UNINITIALISED, READY, IN_TRANSACTION, ABORTABLE, COMMIT_TIMED_OUT, FATAL }

    private final SimCluster cluster;
    private final SimInstance instance;
    private State state = State.UNINITIALISED;
    private int epoch = -1;
    private boolean closed;
    private KafkaException error;
    private final List<Sent> sends = new ArrayList<>();
    private Map<TopicPartition, OffsetAndMetadata> offsets = Map.of();
    private ConsumerGroupMetadata offsetsGroup;
    private boolean timedOutCommitApplied;
    private boolean epochBumped;
    /** When the coordinator began the open transaction (its first send or offsets); -1 when none is open there. */
    private long openedAt = -1;

    SimProducer(SimCluster cluster, SimInstance instance) {
        this.cluster = cluster;
        this.instance = instance;
    }

    @Override
    public void initTransactions() {
        ensureOpen();
        if (instance.fenceSignalled) {
            cluster.violate(instance + " ran initTransactions after Kafka said it was fenced: a live twin would be "
                    + "fenced");
        }
        epoch = cluster.newProducerEpoch(instance);
        instance.loopEpoch = epoch;
        instance.zombieDeadline = 0; // a new producer is not fenced
        state = State.READY;
    }

    @Override
    public void beginTransaction() {
        ensureUsable();
        expect(State.READY, "beginTransaction");
        state = State.IN_TRANSACTION;
        sends.clear();
        offsets = Map.of();
        error = null;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        ensureUsable();
        if (state != State.IN_TRANSACTION && state != State.ABORTABLE) {
            throw thrown(new IllegalStateException("Cannot call send in state " + state));
        }
        if (instance.zombieDeadline > 0) {
            cluster.violate(instance + ", a fenced zombie, routed records after the group gave it partitions back, "
                    + "instead of checking its producer first");
        }
        SimCluster.Coords at = new SimCluster.Coords(Integer.parseInt(header(record, DlqHeaders.SOURCE_PARTITION)),
                Long.parseLong(header(record, DlqHeaders.SOURCE_OFFSET)));
        KafkaException refusal = null;
        if (cluster.sendErrors > 0) {
            cluster.sendErrors--;
            refusal = new NotEnoughReplicasException("sim: not enough in-sync replicas");
        } else if (record.topic().equals(SimCluster.OUTPUT) && cluster.refusedByOutput.contains(at)) {
            refusal = new InvalidRecordException("sim: the output topic refuses this record for good");
        }
        opened();
        Sent sent = new Sent(at, new SimCluster.Fate(record.topic(), header(record, DlqHeaders.ERROR_REASON)),
                header(record, DlqHeaders.SCHEMA_VERSION), new CompletableFuture<>(), refusal);
        sends.add(sent);
        return sent.result();
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        throw new UnsupportedOperationException("the loop sends without callbacks");
    }

    /** Completes every send: the first refusal makes the transaction abortable, and fails every later send with it. */
    @Override
    public void flush() {
        ensureOpen();
        for (Sent sent : sends) {
            if (sent.result().isDone()) {
                continue;
            }
            if (error == null && sent.refusal() != null) {
                error = sent.refusal();
                state = State.ABORTABLE;
            }
            if (error != null) {
                sent.result().completeExceptionally(error);
            } else {
                sent.result().complete(null);
            }
        }
    }

    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        ensureUsable();
        if (state != State.IN_TRANSACTION && state != State.ABORTABLE) {
            throw thrown(new IllegalStateException("Cannot send offsets in state " + state));
        }
        if (cluster.offsetsErrors > 0) {
            cluster.offsetsErrors--;
            throw abortable(new TimeoutException("sim: offsets not added to the transaction in time"));
        }
        opened();
        if (cluster.accepts(group)) { // the coordinator refuses a stale generation's offsets: none pending
            offsets.keySet().forEach(tp -> cluster.unstable.put(tp.partition(), instance));
        }
        this.offsets = Map.copyOf(offsets);
        this.offsetsGroup = group;
    }

    /** The coordinator has a transaction open for this producer from its first send or offsets on. */
    private void opened() {
        if (openedAt < 0) {
            openedAt = cluster.nanos;
            instance.openProducer = this;
        }
    }

    /** How long the coordinator has had this producer's transaction open; 0 when it has none. */
    long openFor(long now) {
        return openedAt < 0 ? 0 : now - openedAt;
    }

    /** The coordinator aborted the open transaction: timed out, or a newer producer initialised. */
    void abortedByCoordinator() {
        openedAt = -1;
    }

    @Override
    public void commitTransaction() {
        ensureOpen();
        if (instance.freezeAtCommit > 0 && !offsets.isEmpty()) {
            cluster.exercised.add("a loop frozen between sendOffsetsToTransaction and EndTxn resumes late");
            long frozen = instance.freezeAtCommit;
            instance.freezeAtCommit = 0;
            cluster.freeze(instance, frozen);
        } else {
            cluster.pass(instance, cluster.nanos); // other loops may act between adding offsets and EndTxn
        }
        if (state == State.COMMIT_TIMED_OUT) {
            if (!timedOutCommitApplied) {
                // not prepared yet: the coordinator may have timed it out, the group may have moved on meanwhile
                ensureUsable();
                cluster.coordinatorsAct();
                refuseStaleGeneration();
                committed();
            }
            state = State.READY;
            return;
        }
        ensureUsable();
        if (state == State.ABORTABLE) {
            flush();
            throw thrown(new KafkaException(ERROR_STATE, error));
        }
        expect(State.IN_TRANSACTION, "commitTransaction");
        flush();
        if (error != null) {
            throw thrown(new KafkaException(ERROR_STATE, error));
        }
        cluster.coordinatorsAct();
        refuseStaleGeneration();
        if (cluster.commitsFatalApplied > 0) {
            cluster.commitsFatalApplied--;
            cluster.exercised.add("fatal, not fenced, after the coordinator prepared the commit");
            openedAt = -1;
            cluster.prepare(instance, List.copyOf(sends), offsets);
            state = State.FATAL;
            error = new KafkaException("Unhandled error in EndTxnResponse: sim: an error the client does not map");
            throw thrown(error);
        }
        if (cluster.commitErrors > 0) {
            cluster.commitErrors--;
            throw abortable(new CoordinatorNotAvailableException("sim: the coordinator moved"));
        }
        if (cluster.commitTimeoutsCommitted > 0 || cluster.commitTimeoutsPending > 0) {
            timedOutCommitApplied = cluster.commitTimeoutsCommitted > 0;
            if (timedOutCommitApplied) {
                cluster.commitTimeoutsCommitted--;
                committed();
            } else {
                cluster.commitTimeoutsPending--;
            }
            state = State.COMMIT_TIMED_OUT;
            throw thrown(new TimeoutException("sim: commit not completed within max.block.ms"));
        }
        committed();
        state = State.READY;
    }

    /** The group refuses offsets of a generation that ended (the member was dropped, or rebalanced meanwhile). */
    private void refuseStaleGeneration() {
        if (!offsets.isEmpty() && !cluster.accepts(offsetsGroup)) {
            cluster.exercised.add("a commit refused: the member's generation ended");
            throw abortable(new CommitFailedException("sim: the group's generation moved on"));
        }
    }

    private void committed() {
        openedAt = -1;
        instance.openProducer = null;
        cluster.commit(instance, List.copyOf(sends), offsets);
    }

    @Override
    public void abortTransaction() {
        ensureOpen();
        if (state == State.COMMIT_TIMED_OUT) {
            throw thrown(new IllegalStateException("Cannot attempt operation `abortTransaction` because the previous "
                    + "call to `commitTransaction` timed out and must be retried"));
        }
        ensureUsable();
        if (state != State.IN_TRANSACTION && state != State.ABORTABLE) {
            throw thrown(new IllegalStateException("Cannot abort in state " + state));
        }
        if (cluster.abortTimeouts > 0) {
            cluster.abortTimeouts--;
            throw thrown(new TimeoutException("sim: abort not completed within max.block.ms"));
        }
        for (Sent sent : sends) {
            sent.result().completeExceptionally(error != null ? error : new TransactionAbortedException("aborted"));
        }
        sends.clear();
        cluster.abortOpenTransaction(instance);
        state = State.READY;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public void close(Duration timeout) {
        closed = true;
    }

    private void ensureOpen() {
        if (closed) {
            throw thrown(new IllegalStateException("Cannot perform operation after producer has been closed"));
        }
    }

    /** Open, initialised, not fenced, not in a fatal state. */
    private void ensureUsable() {
        ensureOpen();
        cluster.coordinatorsAct();
        if (state == State.UNINITIALISED) {
            throw thrown(new IllegalStateException("Cannot perform a transactional operation before initTransactions"));
        }
        if (state == State.FATAL) {
            throw thrown(new KafkaException(ERROR_STATE, error));
        }
        if (cluster.brokenProducers > 0) {
            cluster.brokenProducers--;
            state = State.FATAL;
            error = new KafkaException("sim: an error the transaction manager cannot recover from");
            throw thrown(error);
        }
        if (epoch != instance.epoch) {
            instance.fenceSignalled = true;
            if (instance.fenceKind == 1 && !epochBumped) {
                // KIP-588: a stale epoch is abortable at first; the abort's epoch bump then meets the fencing
                epochBumped = true;
                throw abortable(new InvalidProducerEpochException("sim: the producer's epoch is stale"));
            }
            state = State.FATAL;
            error = instance.fenceKind == 2
                    ? new InvalidTxnStateException("sim: the transaction was ended by a newer producer")
                    : new ProducerFencedException("sim: a newer producer has the transactional id");
            throw thrown(error);
        }
    }

    private void expect(State expected, String operation) {
        if (state != expected) {
            throw thrown(new IllegalStateException("Cannot " + operation + " in state " + state));
        }
    }

    private KafkaException abortable(KafkaException e) {
        error = e;
        state = State.ABORTABLE;
        return thrown(e);
    }

    private <E extends RuntimeException> E thrown(E e) {
        instance.lastThrown = e;
        return e;
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), UTF_8);
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return List.of();
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return Map.of();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        throw new UnsupportedOperationException();
    }
}
