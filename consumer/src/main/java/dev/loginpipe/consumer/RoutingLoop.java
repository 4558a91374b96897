package dev.loginpipe.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.observability.BrokerProbe;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.common.observability.RateLimitedLog;
import dev.loginpipe.common.validation.Reason;
import dev.loginpipe.common.validation.ValidationResult;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exactly-once loop: each poll's records are routed and their offsets committed in one Kafka transaction.
 * When a transaction fails it is aborted and every assigned partition is rewound to its committed offset, so the
 * next poll reads the same records again: a failure costs a retry, never a record.
 */
final class RoutingLoop {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);
    private static final long MAX_BACKOFF_MS = 5_000;
    private static final int DLQ_LINES_PER_SECOND = 10;
    private static final long LIMITS_RETRY_MS = 30_000;

    private final String inputTopic;
    private final List<String> outputTopics;
    private final Properties consumerProps;
    private final Properties producerProps;
    private final Properties adminProps;
    private final RecordRouter router;
    private final TopicLimits limits;
    private final ConsumerMetrics metrics;
    private final Health health;
    private final RateLimitedLog warnings = new RateLimitedLog(LOG, 10_000);
    /** Input records whose routed copy the brokers refused for good ("topic-partition@offset" to the error). */
    private final Map<String, String> rejected = new HashMap<>();
    /** Exception classes whose stack trace was logged once already. */
    private final Set<String> tracesLogged = new HashSet<>();

    private volatile boolean stopping;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    private BrokerProbe probe;
    private boolean joined;
    private int failuresInARow;
    private long statusCheckedAt;
    private long limitsReadAt;
    private long dlqLinesSecond;
    private int dlqLinesLogged;

    RoutingLoop(String inputTopic, List<String> outputTopics, Properties consumerProps, Properties producerProps,
                Properties adminProps, RecordRouter router, TopicLimits limits, ConsumerMetrics metrics,
                Health health) {
        this.inputTopic = inputTopic;
        this.outputTopics = outputTopics;
        this.consumerProps = consumerProps;
        this.producerProps = producerProps;
        this.adminProps = adminProps;
        this.router = router;
        this.limits = limits;
        this.metrics = metrics;
        this.health = health;
    }

    /** Runs until {@link #stop()} (returns 0) or a fatal error (returns 1). */
    int run() {
        try {
            List<String> topics = new ArrayList<>(outputTopics);
            topics.add(0, inputTopic);
            probe = BrokerProbe.start(adminProps, topics);
            health.dependsOn(() -> probe.problem() != null ? probe.problem() : limits.problem());
            consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            producer = newProducer();
            consumer.subscribe(List.of(inputTopic), new Rebalance());
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(POLL_TIMEOUT);
                if (!batch.isEmpty()) {
                    routeAndCommit(batch);
                }
                checkStatus();
            }
            return 0;
        } catch (WakeupException e) {
            return 0; // stop() woke a blocking call: nothing open was committed, nothing is lost
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

    /** Asks the loop to finish the batch in hand and return; safe from any thread. */
    void stop() {
        stopping = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    private void routeAndCommit(ConsumerRecords<byte[], byte[]> batch) {
        long started = System.nanoTime();
        int forwarded = 0;
        Map<Reason, Integer> deadLettered = new EnumMap<>(Reason.class);
        List<String> dlqLines = new ArrayList<>();
        List<Sent> sent = new ArrayList<>(batch.count());
        try {
            producer.beginTransaction();
            for (ConsumerRecord<byte[], byte[]> in : batch) {
                RecordRouter.Routed routed = routeOne(in);
                sent.add(new Sent(in, routed, producer.send(routed.record())));
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
            producer.sendOffsetsToTransaction(nextOffsets(batch), consumer.groupMetadata());
            commit();
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            if (Failures.isFatal(e)) {
                throw new Failures.FatalException(e);
            }
            recover(e, batch, sent);
            return;
        }
        if (!rejected.isEmpty()) {
            sent.forEach(s -> rejected.remove(coordinates(s.in())));
        }
        long committedAt = System.currentTimeMillis();
        metrics.consumed.inc(batch.count());
        metrics.output.inc(forwarded);
        deadLettered.forEach((reason, n) -> metrics.dlq.labelValues(reason.label()).inc(n));
        metrics.committed.inc();
        metrics.batchRecords.observe(batch.count());
        metrics.batchSeconds.observe((System.nanoTime() - started) / 1e9);
        for (ConsumerRecord<byte[], byte[]> in : batch) {
            metrics.endToEndSeconds.observe(Math.max(0, committedAt - in.timestamp()) / 1e3);
        }
        failuresInARow = 0;
        logDeadLetters(dlqLines);
    }

    /** One input record, what was sent for it, and the send's outcome. */
    private record Sent(ConsumerRecord<byte[], byte[]> in, RecordRouter.Routed routed, Future<RecordMetadata> result) {
    }

    /**
     * Routes one record; whatever its content, this returns a record to send. One the brokers refused before goes to
     * the DLQ as {@code rejected}; one whose routing throws (a bug of ours or a library's) as {@code internal}.
     */
    private RecordRouter.Routed routeOne(ConsumerRecord<byte[], byte[]> in) {
        String refusal = rejected.isEmpty() ? null : rejected.get(coordinates(in));
        if (refusal != null) {
            return router.deadLetter(in, ValidationResult.invalid(Reason.REJECTED, refusal));
        }
        try {
            return router.route(in);
        } catch (RuntimeException | StackOverflowError e) {
            if (tracesLogged.size() < 100 && tracesLogged.add(e.getClass().getName())) {
                LOG.error("routing {} failed; it goes to the DLQ as internal (this trace is logged once)",
                        coordinates(in), e);
            }
            return router.deadLetter(in, new ValidationResult(Reason.INTERNAL,
                    "routing failed: " + ErrorText.of(e), List.of(), e.getClass().getName()));
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
     * Abort, note the records the brokers refused for good, rewind every assigned partition to its committed offset,
     * back off; the next poll retries.
     */
    private void recover(KafkaException cause, ConsumerRecords<byte[], byte[]> batch, List<Sent> sent) {
        failuresInARow++;
        metrics.aborted.inc();
        String why = ErrorText.of(cause);
        health.notReady("retrying a batch after: " + why);
        warnings.warn("abort", "transaction of " + batch.count() + " records aborted, will retry: " + why);
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
        noteRefusals(sent);
        rewind(firstOffsets(batch));
        backoff();
    }

    /**
     * A send that failed for good names its record: a valid event the output refuses goes to the DLQ as
     * {@code rejected} on the retry; a DLQ copy refused is a configuration error, retried with new limits.
     */
    private void noteRefusals(List<Sent> sent) {
        boolean tooLarge = false;
        for (Sent s : sent) {
            Throwable error = failure(s.result());
            if (!Failures.isPermanentForRecord(error)) {
                continue;
            }
            tooLarge |= error instanceof RecordTooLargeException;
            String topic = s.routed().record().topic();
            if (s.routed().toDlq()) {
                health.notReady("the DLQ refuses records: " + ErrorText.of(error));
                warnings.warn("dlq-refused", "the DLQ topic " + topic + " refuses the DLQ copy of " + coordinates(s.in())
                        + " (" + ErrorText.of(error) + "); check its settings; retrying, nothing is skipped");
            } else {
                rejected.put(coordinates(s.in()), "the brokers refuse it for " + topic + ": " + ErrorText.of(error));
            }
        }
        if (tooLarge) {
            limits.refresh();
            router.limits(limits.of(outputTopics.get(0)), limits.of(outputTopics.get(1)));
            limitsReadAt = System.currentTimeMillis();
        }
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

    private static String coordinates(ConsumerRecord<byte[], byte[]> in) {
        return in.topic() + "-" + in.partition() + "@" + in.offset();
    }

    /**
     * Seeks each assigned partition to the offset committed for the group (the broker's truth, also after a commit
     * whose outcome was unknown); a partition with no committed offset goes back to where the failed batch began.
     */
    private void rewind(Map<TopicPartition, Long> batchStart) {
        while (!stopping) {
            try {
                Set<TopicPartition> assigned = consumer.assignment();
                Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned, CLIENT_TIMEOUT);
                for (TopicPartition tp : assigned) {
                    OffsetAndMetadata offset = committed.get(tp);
                    if (offset != null) {
                        consumer.seek(tp, offset);
                    } else if (batchStart.containsKey(tp)) {
                        consumer.seek(tp, batchStart.get(tp));
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

    private KafkaProducer<byte[], byte[]> newProducer() {
        while (true) {
            KafkaProducer<byte[], byte[]> p =
                    new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
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
        long until = System.currentTimeMillis() + millis;
        while (!stopping && System.currentTimeMillis() < until) {
            try {
                Thread.sleep(Math.min(100, millis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** At most once a second: readiness (group joined, brokers answer, last batch committed) and lag. */
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
            limitsReadAt = now;
            limits.refresh();
            router.limits(limits.of(outputTopics.get(0)), limits.of(outputTopics.get(1)));
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

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> batch) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : batch.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> records = batch.records(tp);
            ConsumerRecord<byte[], byte[]> last = records.get(records.size() - 1);
            offsets.put(tp, new OffsetAndMetadata(last.offset() + 1, last.leaderEpoch(), ""));
        }
        return offsets;
    }

    private static Map<TopicPartition, Long> firstOffsets(ConsumerRecords<byte[], byte[]> batch) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (TopicPartition tp : batch.partitions()) {
            offsets.put(tp, batch.records(tp).get(0).offset());
        }
        return offsets;
    }

    private void close() {
        if (probe != null) {
            probe.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (consumer != null) {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Nothing to finish: a transaction never spans two polls, and callbacks run inside poll.
            partitions.forEach(metrics::unassigned);
            rejected.clear();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            joined = true;
            metrics.rebalances.inc();
            LOG.info("assigned {}", partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            LOG.warn("lost {} (this instance left the group); the partitions' next owner resumes from committed offsets",
                    partitions);
            partitions.forEach(metrics::unassigned);
            rejected.clear();
        }
    }
}
