package dev.loginpipe.consumer;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Future;

import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.KafkaErrors;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.common.observability.RateLimitedLog;
import dev.loginpipe.common.validation.Reason;
import dev.loginpipe.common.validation.ValidationResult;
import dev.loginpipe.consumer.TransactionalProducer.FatalException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exactly-once loop, shaped like Apache Kafka's {@code ExactlyOnceMessageProcessor}: poll, begin, route and send,
 * add the offsets, commit. A transaction stays open across polls until the next poll could overflow
 * {@code BATCH_MAX_RECORDS} or it is {@code COMMIT_INTERVAL_MS} old. A fatal error ends the loop; anything else aborts
 * the transaction and rewinds every assigned partition ({@link RewindPoints}), so the next polls read the same records
 * again: a failure costs a retry, never a record. A rebalance commits before partitions are revoked; a stop commits.
 * A partition handed over from an instance on a newer schema version waits for it ({@link SchemaHandover}).
 */
final class RoutingLoop {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingLoop.class);
    private static final long POLL_TIMEOUT_MS = 200;
    private static final long MAX_BACKOFF_MS = 5_000;
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

    private final String inputTopic;
    private final Clients clients;
    private final LoopClock clock;
    private final RecordRouter router;
    private final LiveSchema schemas;
    private final ConsumerMetrics metrics;
    private final Health health;
    private final int maxRecords;
    private final int maxPollRecords;
    private final long commitIntervalNanos;
    private final long maxRoutingNanos;
    /** Closed when the loop ends (the broker probe, the size-limit reader). */
    private final List<AutoCloseable> companions;
    private final RateLimitedLog warnings = new RateLimitedLog(LOG, 10_000);
    private final Backoff backoff;
    private final RewindPoints rewindPoints = new RewindPoints(CHECK_TIMEOUT, warnings);
    private final SchemaHandover handover;
    private final Refusals refusals;
    private final DeadLetterLog deadLetterLog = new DeadLetterLog();
    /** Exception classes whose stack trace was logged once already. */
    private final Set<String> tracesLogged = new HashSet<>();

    private volatile boolean stopping;
    private boolean closing;
    private boolean joined;
    /** The group dropped this instance: a twin with the same INSTANCE_ID may have fenced its producer meanwhile. */
    private boolean lost;
    /** Partitions came back after {@link #lost}: the producer is checked before anything else is routed. */
    private boolean confirmNotFenced;
    private long statusCheckedAt;
    private Consumer<byte[], byte[]> consumer;
    private TransactionalProducer producer;
    private OpenTransaction open;

    RoutingLoop(String inputTopic, List<String> outputTopics, Clients clients, LoopClock clock, RecordRouter router,
                LiveSchema schemas, Runnable refreshSizeLimits, ConsumerMetrics metrics, Health health, Batching batching,
                List<AutoCloseable> companions) {
        this.inputTopic = inputTopic;
        this.clients = clients;
        this.clock = clock;
        this.router = router;
        this.schemas = schemas;
        this.metrics = metrics;
        this.health = health;
        this.maxRecords = batching.maxRecords();
        this.maxPollRecords = batching.maxPollRecords();
        this.commitIntervalNanos = batching.commitIntervalMs() * 1_000_000L;
        this.maxRoutingNanos = batching.transactionTimeoutMs() / 3 * 1_000_000L;
        this.companions = companions;
        // A pause longer than the poll interval would drop the member from the group, and failures would follow
        this.backoff = new Backoff(clock, Math.min(MAX_BACKOFF_MS, batching.maxPollIntervalMs() / 4));
        this.handover = new SchemaHandover(schemas, metrics, CHECK_TIMEOUT);
        this.refusals = new Refusals(outputTopics.get(0), outputTopics.get(1), refreshSizeLimits, health, warnings);
    }

    /**
     * How records are grouped into transactions.
     *
     * @param maxRecords       most records in one transaction ({@code BATCH_MAX_RECORDS})
     * @param maxPollRecords   most records one poll returns ({@code max.poll.records})
     * @param commitIntervalMs longest a transaction stays open ({@code COMMIT_INTERVAL_MS}); 0 commits every poll
     * @param maxPollIntervalMs longest the group lets a member go without polling ({@code max.poll.interval.ms})
     * @param transactionTimeoutMs the producer's {@code transaction.timeout.ms}: the broker aborts a transaction open
     *                             longer (and fences its producer), so one poll's routing is cut at a third of it
     */
    record Batching(int maxRecords, int maxPollRecords, int commitIntervalMs, int maxPollIntervalMs,
                    int transactionTimeoutMs) {
    }

    /** Runs until {@link #stop()} (returns 0) or a fatal error (returns 1). */
    int run() {
        try {
            if (!schemas.awaitFirst(() -> stopping)) {
                return 0; // stopped before any schema could be loaded: nothing was read
            }
            consumer = clients.consumer();
            producer = new TransactionalProducer(clients, backoff, health, warnings, () -> stopping);
            consumer.subscribe(List.of(inputTopic), new Rebalance());
            while (!stopping) {
                try {
                    if (open == null) {
                        handover.resumeReady(consumer);
                    }
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout());
                    if (rewindPoints.unknownPositions(consumer)) {
                        reportStatus();
                        continue;
                    }
                    rewindPoints.read(records);
                    if (confirmNotFenced && open == null) {
                        confirmNotFenced();
                    }
                    route(records);
                    if (open != null && (open.count() + maxPollRecords > maxRecords
                            || clock.nanoTime() - open.startedNanos >= commitIntervalNanos)) {
                        commit();
                    }
                } catch (KafkaException e) {
                    recover(e);
                }
                reportStatus();
            }
            commitOnStop();
            return 0;
        } catch (WakeupException e) {
            commitOnStop(); // stop() woke a blocking call
            return 0;
        } catch (FatalException e) {
            LOG.error("stopping on a fatal error: {}", e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            LOG.error("stopping on an unexpected error", e);
            return 1;
        } finally {
            health.stopped();
            close();
        }
    }

    /** Asks the loop to commit what it holds and return; safe from any thread. */
    void stop() {
        stopping = true;
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** Polls no longer than the open transaction has left before it is due. */
    private Duration pollTimeout() {
        if (open == null) {
            return Duration.ofMillis(POLL_TIMEOUT_MS);
        }
        long left = (open.startedNanos + commitIntervalNanos - clock.nanoTime()) / 1_000_000L;
        return Duration.ofMillis(Math.max(0, Math.min(POLL_TIMEOUT_MS, left)));
    }

    /**
     * Routes one poll's records into the open transaction, beginning one if none is open. Records slow to route (each
     * check may take {@code EventValidator.RECORD_BUDGET_MS}) could keep the transaction open until the broker aborts
     * it: once it is old, the rest of the poll is left for the next one (seek) and what was routed is committed.
     */
    private void route(ConsumerRecords<byte[], byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        if (open == null) {
            producer.begin();
            // The version is fixed here, at the transaction boundary: all of its records are judged by one version.
            open = new OpenTransaction(clock.nanoTime(), schemas.running());
        }
        boolean cut = false;
        for (TopicPartition tp : records.partitions()) {
            ConsumerRecord<byte[], byte[]> last = null;
            for (ConsumerRecord<byte[], byte[]> in : records.records(tp)) {
                if (clock.nanoTime() - open.startedNanos > maxRoutingNanos) {
                    consumer.seek(tp, in.offset());
                    cut = true;
                    break;
                }
                RecordRouter.Routed routed = routeOne(in);
                Future<RecordMetadata> result = producer.send(routed.record());
                open.add(in, routed, result);
                if (refusals.oneByOne()) {
                    producer.flush();
                    if (Refusals.failure(result) instanceof KafkaException refused) {
                        throw refused;
                    }
                }
                last = in;
            }
            if (last != null) {
                open.readUpTo(tp, last);
            }
        }
        if (cut) {
            warnings.warn("cut", "routing a poll took longer than " + maxRoutingNanos / 1_000_000_000L + " s (a third "
                    + "of transaction.timeout.ms); committing what was routed, the rest is read again");
            commit();
        }
    }

    private void commit() {
        OpenTransaction tx = open;
        producer.commit(tx.offsets(), consumer.groupMetadata());
        open = null;
        rewindPoints.committed(tx.offsets());
        refusals.committed(tx);
        tx.committed(metrics, deadLetterLog, clock.nanoTime());
        backoff.succeeded();
    }

    /**
     * Back in the group after it had dropped this instance, which may have been a stopped zombie whose twin now owns
     * the transactional id: a transaction that commits the offsets already committed changes nothing, but tells a
     * fenced producer so at once, before it holds partitions it can never route. The fetch is bounded and, like the
     * transaction, retried at the next turn of the loop when it fails; a partition never committed cannot be checked,
     * and the first commit checks it.
     */
    private void confirmNotFenced() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return; // a rebalance took them away meanwhile: checked when partitions come back
        }
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>(consumer.committed(assigned, CHECK_TIMEOUT));
        committed.values().removeIf(Objects::isNull);
        if (!committed.isEmpty()) {
            producer.begin();
            producer.commit(committed, consumer.groupMetadata());
        }
        confirmNotFenced = false;
    }

    /**
     * The one failure path. A fatal error ends the loop; anything else aborts the open transaction, learns which
     * record the brokers refused if one was, rewinds every assigned partition and backs off.
     */
    private void recover(KafkaException cause) {
        if (cause instanceof WakeupException wakeup) {
            throw wakeup;
        }
        if (KafkaErrors.isFatal(cause) || cause.getCause() instanceof FatalException) {
            throw new FatalException(cause);
        }
        OpenTransaction failed = open;
        open = null;
        boolean aborted = producer.abort();
        if (failed != null) {
            metrics.aborted.inc();
            refusals.learn(failed);
        }
        rewindPoints.rewind(consumer, aborted);
        String why = ErrorText.of(cause);
        health.notReady("retrying after: " + why);
        warnings.warn("abort", "transaction of " + (failed == null ? 0 : failed.count())
                + " records aborted, will retry: " + why);
        backoff.pause(() -> stopping);
    }

    /** A stop commits what the open transaction holds; if that fails the next owner reads it again. */
    private void commitOnStop() {
        if (open == null || producer == null) {
            return;
        }
        try {
            commit();
        } catch (RuntimeException e) {
            open = null;
            LOG.warn("the open transaction was not committed on stop ({}); its records are read again",
                    ErrorText.of(e));
        }
    }

    /**
     * Routes one record; whatever its content, this returns a record to send. One the brokers refused before goes to
     * the DLQ as {@code rejected}; one whose routing throws (a bug of ours or a library's) as {@code internal}.
     */
    private RecordRouter.Routed routeOne(ConsumerRecord<byte[], byte[]> in) {
        String refusal = refusals.of(in);
        if (refusal != null) {
            return router.deadLetter(in, ValidationResult.invalid(Reason.REJECTED, refusal), open.schema);
        }
        try {
            return router.route(in, open.schema);
        } catch (RuntimeException | StackOverflowError e) {
            if (tracesLogged.size() < 100 && tracesLogged.add(e.getClass().getName())) {
                LOG.error("routing {} failed; it goes to the DLQ as internal (this trace is logged once)",
                        OpenTransaction.Coordinates.of(in), e);
            }
            return router.deadLetter(in, new ValidationResult(Reason.INTERNAL,
                    "routing failed: " + ErrorText.of(e), List.of(), e.getClass().getName(), null), open.schema);
        }
    }

    /** At most once a second: lag, and readiness (group joined, no failure since the last commit). */
    private void reportStatus() {
        long now = clock.nanoTime();
        if (now - statusCheckedAt < 1_000_000_000L) {
            return;
        }
        statusCheckedAt = now;
        for (TopicPartition tp : consumer.assignment()) {
            consumer.currentLag(tp).ifPresent(lag -> metrics.lag(tp, lag));
        }
        String waiting = handover.notReadyReason();
        if (!joined) {
            health.notReady("joining consumer group");
        } else if (waiting != null) {
            health.notReady(waiting);
        } else if (!backoff.failing()) {
            health.ready();
        }
    }

    /** The consumer first: its close runs the revoke callback, which must find no transaction to commit. */
    private void close() {
        closing = true;
        open = null;
        closeQuietly(consumer == null ? null : () -> consumer.close(CloseOptions.timeout(Duration.ofSeconds(5))));
        closeQuietly(producer);
        companions.forEach(this::closeQuietly);
    }

    private void closeQuietly(AutoCloseable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (Exception e) {
            LOG.debug("closing", e);
        }
    }

    /** Callbacks run inside poll, on the loop's thread. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // What the open transaction holds is committed while this instance still owns the partitions; a failure
            // takes the one failure path (a cooperative rebalance may leave partitions of the transaction assigned).
            if (!partitions.isEmpty() && open != null && !closing) {
                try {
                    commit();
                } catch (KafkaException e) {
                    recover(e);
                }
            }
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            joined = true;
            metrics.rebalances.inc();
            LOG.info("assigned {}", partitions);
            handover.assigned(consumer, partitions, open != null ? open.run : schemas.running());
            if (lost && !partitions.isEmpty()) {
                lost = false;
                confirmNotFenced = true;
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            LOG.warn("lost {} (this instance left the group); the partitions' next owner resumes from committed offsets",
                    partitions);
            // Offsets can no longer be committed in this generation: the open transaction is aborted.
            lost = true;
            if (open != null && !closing) {
                open = null;
                metrics.aborted.inc();
                producer.abort();
            }
            forget(partitions);
        }

        private void forget(Collection<TopicPartition> partitions) {
            rewindPoints.forget(partitions);
            handover.forget(partitions);
            partitions.forEach(metrics::unassigned);
            refusals.forget(partitions);
        }
    }
}
