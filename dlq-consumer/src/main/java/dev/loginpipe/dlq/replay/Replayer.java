package dev.loginpipe.dlq.replay;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.KafkaErrors;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.dlq.DlqClients;
import dev.loginpipe.dlq.DlqRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replay engine, for the command line and the console alike: re-publishes DLQ records, each at most once
 * whatever the group, the run or the filters. Each transaction holds the published records, their entries in the
 * ledger ({@link ReplayLedger}) and the replay group's offsets; a record the ledger holds is skipped unless asked
 * again. Every replay of a ledger shares one transactional id, so a run that starts fences the one running; it
 * reads the ledger only once it holds the id. The group only tracks how far a run has read: a later run of the same
 * group continues there. A run reads up to where the DLQ ended when it began.
 */
public final class Replayer {
    private static final Logger LOG = LoggerFactory.getLogger("dlq-consumer");
    private static final Duration POLL = Duration.ofMillis(500);
    private static final int MAX_EXAMPLES = 10;

    private final Config config;
    private final ReplayTargets targets;

    public Replayer(Config config) {
        this.config = config;
        this.targets = new ReplayTargets(config);
    }

    /** Where records may be replayed to; every run is checked against it. */
    public ReplayTargets targets() {
        return targets;
    }

    public ReplaySummary replay(ReplayOptions options, ReplayControl control) {
        targets.check(options.to());
        String dlq = config.get(Settings.DLQ_TOPIC);
        String transactionalId = ReplayLedger.transactionalId(config);
        try (KafkaProducer<byte[], byte[]> producer = options.dryRun() ? null
                : DlqClients.transactionalProducer(config, transactionalId, "replay")) {
            if (producer != null) {
                // Fences any other run and settles what a killed one left open (its ledger entries, and the
                // pending offsets that would keep the group's position unknown until the transaction timed out).
                producer.initTransactions();
            }
            long limit = control.limit(options.limit());
            if (limit == ReplayControl.NOTHING_LEFT) {
                return new Run(options, config.get(Settings.MAX_REPLAYS), control.replayId(), null).summary();
            }
            options = options.withLimit(limit);
            ReplayLedger ledger = ReplayLedger.read(config, producer != null);
            Run run = new Run(options, config.get(Settings.MAX_REPLAYS), control.replayId(), ledger);
            LOG.info("replay {}: the ledger {} holds {} records of {} already replayed ({} KB in memory)",
                    control.replayId(), ledger.topic(), ledger.size(), dlq, ledger.memoryBytes() / 1024);
            try (KafkaConsumer<byte[], byte[]> consumer = DlqClients.consumer(config,
                    control.groupId(config.get(Settings.REPLAY_GROUP_ID)), "replay")) {
                List<TopicPartition> partitions = consumer.partitionsFor(dlq).stream()
                        .map(p -> new TopicPartition(dlq, p.partition())).toList();
                consumer.assign(partitions);
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                Set<TopicPartition> reading = new HashSet<>(partitions);
                reading.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
                Pacer pacer = new Pacer(control.recordsPerSecond());
                while (!reading.isEmpty() && !run.limitReached() && control.proceed()) {
                    Batch batch = run.take(consumer.poll(POLL), pacer.budget(), reading, ends);
                    batch.rewind.forEach(consumer::seek);
                    if (producer != null && !batch.offsets.isEmpty()) {
                        pacer.await(batch.published.size());
                        publish(producer, consumer, batch, run, transactionalId);
                        batch.published.forEach(ledger::add);
                    }
                    control.progress(run.summary());
                    reading.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
                }
                return run.summary();
            }
        }
    }

    /** One transaction: the replayed records, their ledger entries and the group's new offsets, or none of them. */
    private static void publish(KafkaProducer<byte[], byte[]> producer, KafkaConsumer<byte[], byte[]> consumer,
                                Batch batch, Run run, String transactionalId) {
        String to = run.options.to();
        try {
            producer.beginTransaction();
            for (DlqRecord record : batch.published) {
                producer.send(replayOf(record, to, run.replayId));
                producer.send(run.ledger.entry(record, run.replayId, to));
            }
            producer.sendOffsetsToTransaction(batch.offsets, consumer.groupMetadata());
            producer.commitTransaction();
        } catch (KafkaException e) {
            if (KafkaErrors.isFenced(e)) {
                throw new ReplayFencedException(transactionalId, run.committedSummary(batch.published.size()));
            }
            try {
                producer.abortTransaction();
            } catch (RuntimeException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
    }

    /**
     * The original key and value, the headers that are not about the DLQ trip or an earlier replay, one more
     * replay counted, and this run's id.
     */
    static ProducerRecord<byte[], byte[]> replayOf(DlqRecord dlqRecord, String topic, String replayId) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : dlqRecord.record().headers()) {
            if (!DlqHeaders.isContractHeader(header.key()) && !header.key().equals(DlqHeaders.REPLAY_COUNT)
                    && !header.key().equals(DlqHeaders.REPLAY_ID)) {
                headers.add(header);
            }
        }
        headers.add(DlqHeaders.REPLAY_COUNT,
                Integer.toString(dlqRecord.replayCount() + 1).getBytes(StandardCharsets.UTF_8));
        headers.add(DlqHeaders.REPLAY_ID, replayId.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, dlqRecord.record().key(), dlqRecord.record().value(), headers);
    }

    /** What one poll gives one transaction: records to publish (at most the pacer's budget) and offsets. */
    private static final class Batch {
        private final int budget;
        private final List<DlqRecord> published = new ArrayList<>();
        private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        /** Per partition, the first record polled but left for the next transaction. */
        private final Map<TopicPartition, Long> rewind = new HashMap<>();

        Batch(int budget) {
            this.budget = budget;
        }

        boolean full() {
            return published.size() >= budget;
        }
    }

    /** The tally of one run and the rule for each record: replay it, leave it out, or skip it. */
    private static final class Run {
        private final ReplayOptions options;
        private final int maxReplays;
        private final String replayId;
        private final ReplayLedger ledger;
        private long read;
        private long replayed;
        private long leftOut;
        private long skippedAlreadyReplayed;
        private long skippedMaxReplays;
        private long skippedTruncated;
        private final List<String> skippedExamples = new ArrayList<>();

        Run(ReplayOptions options, int maxReplays, String replayId, ReplayLedger ledger) {
            this.options = options;
            this.maxReplays = maxReplays;
            this.replayId = replayId;
            this.ledger = ledger;
        }

        /**
         * The next transaction's share of what one poll returned: up to {@code budget} records to publish, and the
         * offsets past every record decided on. Records past the budget or the limit are left to be read again;
         * a partition ends at the DLQ's end when the run began, or at its first record after {@code --until}.
         */
        Batch take(ConsumerRecords<byte[], byte[]> records, int budget, Set<TopicPartition> reading,
                   Map<TopicPartition, Long> ends) {
            Batch batch = new Batch(budget);
            for (ConsumerRecord<byte[], byte[]> record : records) {
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                if (!reading.contains(tp) || record.offset() >= ends.get(tp)) {
                    continue;
                }
                if (limitReached() || batch.full()) {
                    batch.rewind.putIfAbsent(tp, record.offset());
                    continue;
                }
                DlqRecord dlqRecord = new DlqRecord(record);
                if (options.beyondUntil(dlqRecord)) {
                    reading.remove(tp);
                    continue;
                }
                if (decide(dlqRecord)) {
                    batch.published.add(dlqRecord);
                }
                batch.offsets.put(tp, new OffsetAndMetadata(record.offset() + 1));
            }
            return batch;
        }

        boolean limitReached() {
            return options.limit() > 0 && replayed >= options.limit();
        }

        /** True when the record is to be published. */
        private boolean decide(DlqRecord record) {
            read++;
            // What this run sent and the pipeline dead-lettered again is not sent again by the same run.
            if (options.leavesOut(record) || replayId.equals(record.header(DlqHeaders.REPLAY_ID))) {
                leftOut++;
                return false;
            }
            if (!options.again() && ledger.contains(record)) {
                skippedAlreadyReplayed++;
                return false;
            }
            if (record.truncated() || record.replayCount() >= maxReplays) {
                if (record.truncated()) {
                    skippedTruncated++;
                } else {
                    skippedMaxReplays++;
                }
                if (skippedExamples.size() < MAX_EXAMPLES) {
                    skippedExamples.add(record.coordinates());
                }
                return false;
            }
            replayed++;
            return true;
        }

        ReplaySummary summary() {
            return summary(replayed);
        }

        /** The summary of what committed, when the last {@code uncommitted} records decided on never will. */
        ReplaySummary committedSummary(int uncommitted) {
            return summary(replayed - uncommitted);
        }

        private ReplaySummary summary(long published) {
            return new ReplaySummary(replayId, options.to(), options.dryRun(), read, published, leftOut,
                    skippedAlreadyReplayed, skippedMaxReplays, skippedTruncated, List.copyOf(skippedExamples));
        }
    }
}
