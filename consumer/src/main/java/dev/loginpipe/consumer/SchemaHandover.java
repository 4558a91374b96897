package dev.loginpipe.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.schema.SchemaVersion;
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
 * one still on the old. Every commit names, in its offsets' metadata, the version that judged what it commits; a
 * partition whose last records were judged by a version this instance has not run is paused, a refresh is asked for at
 * once, and the partition resumes, between transactions, when the running version may follow that one or a refresh
 * begun after the handover has succeeded (whatever it found: a registry that went back is obeyed, not waited out).
 * The metadata is written by whoever can commit to the group: it is only compared, and logged as one bounded line.
 */
final class SchemaHandover {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaHandover.class);
    /** Stands for the version of a partition whose committed offset could not be fetched: never one that was run. */
    private static final String NOT_FETCHED = "(not fetched)";

    private final LiveSchema schemas;
    private final Duration timeout;
    private final Map<TopicPartition, Waiting> waiting = new HashMap<>();

    private record Waiting(String before, long ticket) {
    }

    SchemaHandover(LiveSchema schemas, Duration timeout) {
        this.schemas = schemas;
        this.timeout = timeout;
    }

    /**
     * Partitions were assigned (in the rebalance callback, before any of their records are fetched); {@code judge} is
     * the version their records would be judged by now. Committed offsets that cannot be fetched make every partition
     * wait for a refresh: unknown is not "the same".
     */
    void assigned(Consumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions, SchemaVersion judge) {
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
                LOG.info("{} waits for a schema refresh: its last records were judged by version {}, which this "
                        + "instance has not run (it runs {})", tp, UnusableSchema.safe(before), judge.label());
            }
        }
        consumer.pause(paused);
    }

    /** Revoked or lost. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(waiting::remove);
    }

    /** Between transactions: resumes the waiting partitions the next transaction's version may judge. */
    void resumeReady(Consumer<byte[], byte[]> consumer) {
        if (waiting.isEmpty()) {
            return;
        }
        SchemaVersion next = schemas.current();
        List<TopicPartition> ready = new ArrayList<>();
        waiting.forEach((tp, w) -> {
            if (schemas.mayFollow(w.before, next) || schemas.refreshedSince(w.ticket)) {
                ready.add(tp);
            }
        });
        ready.forEach(waiting::remove);
        ready.retainAll(consumer.assignment());
        if (!ready.isEmpty()) {
            consumer.resume(ready);
            LOG.info("{} resumed, judged by {}", ready, next.label());
        }
    }
}
