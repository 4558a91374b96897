package dev.loginpipe.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.common.observability.RateLimitedLog;
import dev.loginpipe.common.validation.Reason;
import dev.loginpipe.common.validation.ValidationResult;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exactly-once loop. Records are routed inside a Kafka transaction that stays open across polls until it holds
 * {@code BATCH_MAX_RECORDS} records or is {@code COMMIT_INTERVAL_MS} old; then the offsets past its records are
 * added to it and it is committed: outputs and offsets together or neither. When a transaction fails it is aborted
 * and every assigned partition is rewound to its committed offset, so the next polls read the same records again: a
 * failure costs a retry, never a record. A rebalance commits the open transaction before partitions are revoked and
 * aborts it when they were lost; a stop commits it.
 */
final class RoutingLoop {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingLoop.class);
    private static final long POLL_TIMEOUT_MS = 200;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);
    private static final long MAX_BACKOFF_MS = 5_000;
    private static final int DLQ_LINES_PER_SECOND = 10;
    /** While a topic's size limit is unknown and the brokers answer, how often it is read again. */
    private static final long LIMITS_RETRY_MS = 5_000;

    private final String inputTopic;
    private final List<String> outputTopics;
    private final Clients clients;
    private final LoopClock clock;
    /** Closed when the loop ends (the broker probe). */
    private final List<AutoCloseable> companions;
    private final RecordRouter router;
    private final TopicLimits limits;
    private final ConsumerMetrics metrics;
    private final Health health;
    private final int maxRecords;
    private final long commitIntervalNanos;
    private final RateLimitedLog warnings = new RateLimitedLog(LOG, 10_000);
    /** Input records whose routed copy the brokers refused for good, with the error. */
    private final Map<Coordinates, String> rejected = new HashMap<>();
    /** Exception classes whose stack trace was logged once already. */
    private final Set<String> tracesLogged = new HashSet<>();

    private volatile boolean stopping;
    private Consumer<byte[], byte[]> consumer;
    private Producer<byte[], byte[]> producer;
    private Transaction open;
    /** After a record was refused for good: each send is flushed before the next, so the refusal names its record. */
    private boolean oneByOne;
    /** The group dropped this instance: a twin with the same INSTANCE_ID may have replaced it meanwhile. */
    private boolean lost;
    private boolean joined;
    private int failuresInARow;
    private long statusCheckedAt;
    private long limitsReadAt;
    private long dlqLinesSecond;
    private int dlqLinesLogged;

    /**
     * @param maxRecords       most records in one transaction ({@code BATCH_MAX_RECORDS})
     * @param commitIntervalMs longest a transaction stays open ({@code COMMIT_INTERVAL_MS}); 0 commits every poll
     */
    RoutingLoop(String inputTopic, List<String> outputTopics, Clients clients, LoopClock clock, RecordRouter router, TopicLimits limits, ConsumerMetrics metrics,
                Health health, int maxRecords, int commitIntervalMs, List<AutoCloseable> companions) {
        this.companions = companions;
        this.inputTopic = inputTopic;
        this.outputTopics = outputTopics;
        this.clients = clients;
        this.clock = clock;
        this.router = router;
        this.limits = limits;
        this.metrics = metrics;
        this.health = health;
        this.maxRecords = maxRecords;
        this.commitIntervalNanos = commitIntervalMs * 1_000_000L;
    }

    /** Runs until {@link #stop()} (returns 0) or a fatal error (returns 1). */
    int run() {
        try {
            consumer = clients.consumer();
            producer = newProducer();
            consumer.subscribe(List.of(inputTopic), new Rebalance());
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(pollTimeout());
                if (!batch.isEmpty()) {
                    route(batch);
                }
                if (open != null && clock.nanoTime() - open.startedNanos >= commitIntervalNanos) {
                    commitOpen();
                }
                checkStatus();
            }
            commitOnStop();
            return 0;
        } catch (WakeupException e) {
            commitOnStop(); // stop() woke a blocking call
            return 0;
        } catch (Failures.FatalException e) {
            LOG.error("stopping on a fatal error: {}", e.getMessage());
            return 1;
        } catch (KafkaException e) {
            if (stopping) {
                return 0;
            }
            LOG.error("stopping on an error that cannot be retried: {}", ErrorText.of(e));
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

    /** Routes one poll's records into the open transaction (a new one when none is open or this one is full). */
    private void route(ConsumerRecords<byte[], byte[]> batch) {
        if (open != null && open.count + batch.count() > maxRecords && !commitOpen()) {
            return; // rewound: these records are read again
        }
        // Where this poll began, so a failure part-way through it rewinds to before its first record, not its
        // first routed one (a partition without a committed offset has no other point to go back to).
        Map<TopicPartition, Long> batchStart = new HashMap<>();
        for (TopicPartition tp : batch.partitions()) {
            batchStart.put(tp, batch.records(tp).get(0).offset());
        }
        try {
            if (open == null) {
                producer.beginTransaction();
                open = new Transaction();
            }
            batchStart.forEach(open.first::putIfAbsent);
            for (TopicPartition tp : batch.partitions()) {
                ConsumerRecord<byte[], byte[]> last = null;
                for (ConsumerRecord<byte[], byte[]> in : batch.records(tp)) {
                    RecordRouter.Routed routed = routeOne(in);
                    Future<RecordMetadata> result = producer.send(routed.record());
                    open.add(in, routed, result);
                    if (oneByOne) {
                        producer.flush();
                        if (failure(result) instanceof KafkaException refused) {
                            throw refused;
                        }
                    }
                    last = in;
                }
                open.next.put(tp, new OffsetAndMetadata(last.offset() + 1, last.leaderEpoch(), ""));
            }
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            fail(e, batchStart);
        }
    }

    /**
     * Adds the offsets past the open transaction's records to it and commits it; false when it failed and every
     * assigned partition was rewound.
     */
    private boolean commitOpen() {
        Transaction tx = open;
        try {
            producer.sendOffsetsToTransaction(tx.next, consumer.groupMetadata());
            commit();
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            fail(e, Map.of());
            return false;
        }
        open = null;
        tx.committed();
        failuresInARow = 0;
        oneByOne = false;
        return true;
    }

    /** A stop commits what the open transaction holds; if that fails the next owner reads it again. */
    private void commitOnStop() {
        if (open == null || producer == null) {
            return;
        }
        try {
            commitOpen();
        } catch (RuntimeException e) {
            LOG.warn("the open transaction was not committed on stop ({}); its records are read again",
                    ErrorText.of(e));
        }
    }

    /**
     * Routes one record; whatever its content, this returns a record to send. One the brokers refused before goes to
     * the DLQ as {@code rejected}; one whose routing throws (a bug of ours or a library's) as {@code internal}.
     */
    private RecordRouter.Routed routeOne(ConsumerRecord<byte[], byte[]> in) {
        String refusal = rejected.isEmpty() ? null : rejected.get(Coordinates.of(in));
        if (refusal != null) {
            return router.deadLetter(in, ValidationResult.invalid(Reason.REJECTED, refusal));
        }
        try {
            return router.route(in);
        } catch (RuntimeException | StackOverflowError e) {
            if (tracesLogged.size() < 100 && tracesLogged.add(e.getClass().getName())) {
                LOG.error("routing {} failed; it goes to the DLQ as internal (this trace is logged once)",
                        Coordinates.of(in), e);
            }
            return router.deadLetter(in, new ValidationResult(Reason.INTERNAL,
                    "routing failed: " + ErrorText.of(e), List.of(), e.getClass().getName(), null));
        }
    }

    /**
     * Commits; a commit that timed out (brokers or coordinator away longer than max.block.ms) is retried, which the
     * client allows, until it completes: aborting instead is not allowed, and a new producer could fence a live one.
     */
    private void commit() {
        while (true) {
            try {
                producer.commitTransaction();
                return;
            } catch (TimeoutException e) {
                if (stopping) {
                    throw new WakeupException(); // closing the producer leaves the outcome to the broker
                }
                failuresInARow++;
                health.notReady("commit timed out, retrying: " + ErrorText.of(e));
                warnings.warn("commit", "commit timed out, retrying it: " + ErrorText.of(e));
                backoff();
            }
        }
    }

    /**
     * The open transaction failed: abort it, note the records the brokers refused for good, rewind every assigned
     * partition to its committed offset, back off; the next polls read the same records again.
     */
    private void fail(KafkaException cause, Map<TopicPartition, Long> pollStart) {
        if (Failures.isFatal(cause)) {
            throw new Failures.FatalException(cause);
        }
        Transaction tx = open;
        open = null;
        failuresInARow++;
        metrics.aborted.inc();
        String why = ErrorText.of(cause);
        health.notReady("retrying a batch after: " + why);
        warnings.warn("abort", "transaction of " + (tx == null ? 0 : tx.count)
                + " records aborted, will retry: " + why);
        abort();
        if (tx != null) {
            noteRefusals(tx);
        }
        Map<TopicPartition, Long> start = new HashMap<>(pollStart);
        if (tx != null) {
            start.putAll(tx.first); // earlier than this poll's start where both have the partition
        }
        rewind(start);
        backoff();
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (KafkaException | IllegalStateException e) {
            if (Failures.isFatal(e)) {
                throw new Failures.FatalException(e); // fenced: a newer instance owns the id; a new producer would fence it
            }
            // The producer cannot abort (e.g. it lost its state): a new one with the same transactional id settles
            // the open transaction on the broker before it starts.
            producer.close(Duration.ZERO);
            producer = newProducer();
        }
    }

    /**
     * A send failed for good. Which record it was cannot be told from the failed sends alone (once a transaction has
     * failed, the client fails its other sends with the same error), so the retry sends one record at a time, and
     * there the failed send is the refused record: a valid event the output refuses then goes to the DLQ as
     * {@code rejected}; a DLQ copy refused is a configuration error, retried with back-off and fresh size limits.
     */
    private void noteRefusals(Transaction tx) {
        int refused = -1;
        Throwable error = null;
        for (int i = 0; i < tx.count; i++) {
            Throwable e = failure(tx.results[i]);
            if (Failures.isPermanentForRecord(e)) {
                refused = i;
                error = e;
            }
        }
        if (refused < 0) {
            return;
        }
        Coordinates in = tx.coordinates(refused);
        String topic = outputTopics.get(tx.toDlq[refused] ? 1 : 0);
        if (error instanceof RecordTooLargeException) {
            readLimits();
        }
        if (!oneByOne) {
            oneByOne = true;
            warnings.warn("one-by-one", "the brokers refused a record for good (" + ErrorText.of(error)
                    + "); sending one record at a time to find it");
        } else if (tx.toDlq[refused]) {
            health.notReady("the DLQ refuses records: " + ErrorText.of(error));
            warnings.warn("dlq-refused", "the DLQ topic " + topic + " refuses the DLQ copy of "
                    + in + " (" + ErrorText.of(error) + "); check its settings; retrying, nothing is skipped");
        } else {
            rejected.put(in, "the brokers refuse it for " + topic + ": " + ErrorText.of(error));
        }
    }

    private void readLimits() {
        limits.refresh();
        router.limits(limits.of(outputTopics.get(0)), limits.of(outputTopics.get(1)));
        limitsReadAt = System.currentTimeMillis();
    }

    private static Throwable failure(Future<RecordMetadata> result) {
        if (!result.isDone()) {
            return null;
        }
        try {
            result.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    /**
     * Seeks each assigned partition to the offset committed for the group (the broker's truth, also after a commit
     * whose outcome was unknown); a partition with no committed offset goes back to where the failed transaction began.
     */
    private void rewind(Map<TopicPartition, Long> transactionStart) {
        while (!stopping) {
            try {
                Set<TopicPartition> assigned = consumer.assignment();
                Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned, CLIENT_TIMEOUT);
                for (TopicPartition tp : assigned) {
                    OffsetAndMetadata offset = committed.get(tp);
                    if (offset != null) {
                        consumer.seek(tp, offset);
                    } else if (transactionStart.containsKey(tp)) {
                        consumer.seek(tp, transactionStart.get(tp));
                    }
                }
                return;
            } catch (WakeupException e) {
                throw e;
            } catch (KafkaException e) {
                if (Failures.isFatal(e)) {
                    throw new Failures.FatalException(e);
                }
                warnings.warn("rewind", "cannot read committed offsets yet, retrying: " + ErrorText.of(e));
                backoff();
            }
        }
    }

    private Producer<byte[], byte[]> newProducer() {
        while (true) {
            Producer<byte[], byte[]> p = clients.producer();
            try {
                p.initTransactions();
                return p;
            } catch (KafkaException e) {
                p.close(Duration.ZERO);
                if (Failures.isFatal(e)) {
                    throw new Failures.FatalException(e);
                }
                if (stopping) {
                    throw new WakeupException();
                }
                failuresInARow++;
                health.notReady("transactional producer not initialised: " + ErrorText.of(e));
                warnings.warn("init", "cannot initialise the transactional producer, retrying: " + ErrorText.of(e));
                backoff();
            }
        }
    }

    private void backoff() {
        long millis = Math.min(MAX_BACKOFF_MS, 100L << Math.min(failuresInARow, 6));
        long until = clock.nanoTime() + millis * 1_000_000L;
        while (!stopping && clock.nanoTime() < until) {
            try {
                clock.sleep(Math.min(100, millis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** At most once a second: readiness (group joined, brokers answer, last batch committed), lag, size limits. */
    private void checkStatus() {
        long now = System.currentTimeMillis();
        if (now - statusCheckedAt < 1_000) {
            return;
        }
        statusCheckedAt = now;
        for (TopicPartition tp : consumer.assignment()) {
            consumer.currentLag(tp).ifPresent(lag -> metrics.lag(tp, lag));
        }
        if (limits.problem() != null && now - limitsReadAt > LIMITS_RETRY_MS) {
            readLimits();
        }
        if (!joined) {
            health.notReady("joining consumer group");
        } else if (failuresInARow == 0) {
            health.ready();
        }
    }

    /** After the commit, so a retried batch is not logged twice; at most a few lines a second, no values. */
    private void logDeadLetters(List<String> lines) {
        long second = System.currentTimeMillis() / 1000;
        if (second != dlqLinesSecond) {
            dlqLinesSecond = second;
            dlqLinesLogged = 0;
        }
        for (String line : lines) {
            if (dlqLinesLogged++ >= DLQ_LINES_PER_SECOND) {
                return;
            }
            LOG.info(line);
        }
    }

    private void close() {
        for (AutoCloseable companion : companions) {
            try {
                companion.close();
            } catch (Exception e) {
                LOG.debug("closing {}", companion, e);
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (consumer != null) {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    /**
     * Back in the group after it had dropped this instance, which may have been a stopped zombie whose twin (same
     * INSTANCE_ID) now owns the transactional id: an empty transaction that commits the offsets already committed
     * changes nothing, but tells a fenced producer so at once, before it holds partitions it can never route.
     */
    private void confirmNotFenced(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>(consumer.committed(Set.copyOf(partitions),
                CLIENT_TIMEOUT));
        committed.values().removeIf(Objects::isNull);
        if (committed.isEmpty()) {
            return;
        }
        try {
            producer.beginTransaction();
            producer.sendOffsetsToTransaction(committed, consumer.groupMetadata());
            commit();
        } catch (KafkaException e) {
            if (Failures.isFatal(e)) {
                throw new Failures.FatalException(e);
            }
            abort(); // only a check: whatever else went wrong, the next transaction meets it again
        }
    }

    /** Where an input record is; the input topic is the only one. */
    private record Coordinates(int partition, long offset) {
        static Coordinates of(ConsumerRecord<byte[], byte[]> in) {
            return new Coordinates(in.partition(), in.offset());
        }

        @Override
        public String toString() {
            return partition + "@" + offset;
        }
    }

    /**
     * What the open transaction holds: where each of its input records was and its send (in arrays, not an object per
     * record: no record bytes are kept, so a long transaction holds little), the offsets to commit with it, counts for
     * metrics and logs.
     */
    private final class Transaction {
        final long startedNanos = clock.nanoTime();
        int count;
        int[] partitions = new int[1024];
        long[] offsets = new long[1024];
        long[] timestamps = new long[1024];
        boolean[] toDlq = new boolean[1024];
        @SuppressWarnings("unchecked")
        Future<RecordMetadata>[] results = new Future[1024];
        /** The offset past each partition's last record. */
        final Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        /** Where each partition's first poll in this transaction began. */
        final Map<TopicPartition, Long> first = new HashMap<>();
        final Map<Reason, Integer> deadLettered = new EnumMap<>(Reason.class);
        final List<String> dlqLines = new ArrayList<>();
        int forwarded;

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
                if (dlqLines.size() < DLQ_LINES_PER_SECOND) {
                    dlqLines.add("DLQ " + in.topic() + "-" + in.partition() + "@" + in.offset() + ": "
                            + routed.result().reason().label() + " (" + routed.result().message() + ")");
                }
            } else {
                forwarded++;
            }
        }

        Coordinates coordinates(int i) {
            return new Coordinates(partitions[i], offsets[i]);
        }

        void committed() {
            long committedAt = System.currentTimeMillis();
            for (int i = 0; i < count && !rejected.isEmpty(); i++) {
                rejected.remove(coordinates(i));
            }
            metrics.consumed.inc(count);
            metrics.output.inc(forwarded);
            deadLettered.forEach((reason, n) -> metrics.dlq.labelValues(reason.label()).inc(n));
            metrics.committed.inc();
            metrics.batchRecords.observe(count);
            metrics.batchSeconds.observe((clock.nanoTime() - startedNanos) / 1e9);
            for (int i = 0; i < count; i++) {
                metrics.endToEndSeconds.observe(Math.max(0, committedAt - timestamps[i]) / 1e3);
            }
            logDeadLetters(dlqLines);
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Callbacks run inside poll, on the loop's thread: what the open transaction holds is committed while
            // this instance still owns the partitions (a failure rewinds it instead, for the next owner to read).
            if (!partitions.isEmpty() && open != null) {
                commitOpen();
            }
            partitions.forEach(metrics::unassigned);
            rejected.clear();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            joined = true;
            metrics.rebalances.inc();
            LOG.info("assigned {}", partitions);
            if (lost && !partitions.isEmpty()) {
                lost = false;
                confirmNotFenced(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            LOG.warn("lost {} (this instance left the group); the partitions' next owner resumes from committed offsets",
                    partitions);
            // Offsets can no longer be committed in this generation: the open transaction is aborted, and the
            // lost partitions are not sought (they are no longer ours).
            lost = true;
            if (open != null) {
                open = null;
                metrics.aborted.inc();
                abort();
            }
            partitions.forEach(metrics::unassigned);
            rejected.clear();
        }
    }
}
