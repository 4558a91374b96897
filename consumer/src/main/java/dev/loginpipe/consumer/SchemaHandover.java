package dev.loginpipe.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.schema.UnusableSchema;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Within an input partition the schema versions never go back, across instances too. Instances take a new version
 * each at its own refresh, so during a switch a partition can be handed from an instance already on the new version to
 * one still on the old. Every commit names, in its offsets' metadata, the run of the version that judged what it
 * commits ({@link LiveSchema.Run}: the version and those run before it, so a rollback is told from a repeat); a
 * partition whose last records were judged by a version this instance has not run is paused, a refresh is asked for at
 * once, and the partition resumes, between transactions, when the running version may follow that one or the source
 * answered a refresh begun after the handover. Whatever it answered settles it, so that a partition waits only while
 * waiting can end: a registry that went back is obeyed, and one that answers with nothing usable (AVRO, a deleted
 * pinned version, refused credentials) leaves the running version to judge. Only while the source does not answer at
 * all do partitions wait on; readiness and {@code loginpipe_schema_handover_waiting} name them meanwhile.
 * The metadata is written by whoever can commit to the group: it is only compared, and logged as one bounded line.
 */
final class SchemaHandover {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaHandover.class);
    /** Stands for the version of a partition whose committed offset could not be fetched: never one that was run. */
    private static final String NOT_FETCHED = "(not fetched)";

    private final LiveSchema schemas;
    private final ConsumerMetrics metrics;
    private final Duration timeout;
    private final Map<TopicPartition, Waiting> waiting = new HashMap<>();

    private record Waiting(String before, long ticket) {
    }

    SchemaHandover(LiveSchema schemas, ConsumerMetrics metrics, Duration timeout) {
        this.schemas = schemas;
        this.metrics = metrics;
        this.timeout = timeout;
    }

    /**
     * Partitions were assigned (in the rebalance callback, before any of their records are fetched); {@code judge} is
     * the version their records would be judged by now. Committed offsets that cannot be fetched make every partition
     * wait for a refresh: unknown is not "the same".
     */
    void assigned(Consumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions, LiveSchema.Run judge) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = consumer.committed(new HashSet<>(partitions), timeout);
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("committed offsets of {} not fetched ({}); they wait for a schema refresh", partitions,
                    ErrorText.of(e));
            committed = null;
        }
        List<TopicPartition> paused = new ArrayList<>();
        long ticket = 0;
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata offset = committed == null ? null : committed.get(tp);
            String before = committed == null ? NOT_FETCHED : offset == null ? null : offset.metadata();
            if (!schemas.mayFollow(before, judge)) {
                if (paused.isEmpty()) {
                    ticket = schemas.refreshNow();
                }
                paused.add(tp);
                waiting.put(tp, new Waiting(before, ticket));
                metrics.waitsForSchema(tp, true);
                LOG.info("{} waits for a schema refresh: its last records were judged by version {}, which this "
                        + "instance has not run (it runs {})", tp, UnusableSchema.safe(before),
                        judge.version().label());
            }
        }
        consumer.pause(paused);
    }

    /** Revoked or lost. */
    void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            if (waiting.remove(tp) != null) {
                metrics.waitsForSchema(tp, false);
            }
        }
    }

    /** Which partitions wait for a source that does not answer, and why; null when none does. */
    String notReadyReason() {
        List<TopicPartition> stuck = new ArrayList<>();
        waiting.forEach((tp, w) -> {
            if (schemas.unansweredSince(w.ticket)) {
                stuck.add(tp);
            }
        });
        return stuck.isEmpty() ? null : stuck + " wait for a schema version newer than this instance runs: "
                + schemas.warning();
    }

    /** Between transactions: resumes the waiting partitions the next transaction's version may judge. */
    void resumeReady(Consumer<byte[], byte[]> consumer) {
        if (waiting.isEmpty()) {
            return;
        }
        LiveSchema.Run next = schemas.running();
        List<TopicPartition> ready = new ArrayList<>();
        waiting.forEach((tp, w) -> {
            if (schemas.mayFollow(w.before, next)) {
                ready.add(tp);
            } else if (schemas.answeredSince(w.ticket)) {
                ready.add(tp);
                String why = schemas.warning();
                LOG.warn("{} resumes, judged by {} although its last records were judged by version {}: the schema "
                        + "source, asked since, has nothing newer{}", tp, next.version().label(),
                        UnusableSchema.safe(w.before), why == null ? "" : " usable (" + why + ")");
            }
        });
        forget(ready);
        ready.retainAll(consumer.assignment());
        if (!ready.isEmpty()) {
            consumer.resume(ready);
            LOG.info("{} resumed, judged by {}", ready, next.version().label());
        }
    }
}
