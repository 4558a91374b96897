package dev.loginpipe.dlq.replay;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.KafkaClientSettings.ClientKind;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.dlq.DlqClients;
import dev.loginpipe.dlq.DlqRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Re-publishes DLQ records, exactly once. Each poll is one transaction holding the published records and the replay
 * group's offsets past every record read, so a record is published in the same commit that marks it done: a crash,
 * or a second run, never publishes it twice. Runs of one group fence each other through a shared transactional id.
 * A run reads up to where the DLQ ended when it began.
 */
public final class Replayer {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final int MAX_EXAMPLES = 10;

    private final Config config;

    public Replayer(Config config) {
        this.config = config;
    }

    public ReplaySummary replay(ReplayOptions options) {
        String dlq = config.get(Settings.DLQ_TOPIC);
        String group = config.get(Settings.REPLAY_GROUP_ID);
        Run run = new Run(options, config.get(Settings.MAX_REPLAYS));
        try (KafkaConsumer<byte[], byte[]> consumer = DlqClients.consumer(config, group, "replay");
             KafkaProducer<byte[], byte[]> producer = options.dryRun() ? null : producer(group)) {
            if (producer != null) {
                // First: it aborts what a killed earlier run left open, whose pending offsets would otherwise
                // keep the group's position unknown until the transaction times out.
                producer.initTransactions();
            }
            List<TopicPartition> partitions = consumer.partitionsFor(dlq).stream()
                    .map(p -> new TopicPartition(dlq, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Set<TopicPartition> reading = new HashSet<>(partitions);
            reading.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
            while (!reading.isEmpty() && !run.limitReached()) {
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                List<ProducerRecord<byte[], byte[]>> toPublish = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (!reading.contains(tp) || record.offset() >= ends.get(tp) || run.limitReached()) {
                        continue;
                    }
                    DlqRecord dlqRecord = new DlqRecord(record);
                    if (options.beyondUntil(dlqRecord)) {
                        reading.remove(tp);
                        continue;
                    }
                    if (run.decide(dlqRecord)) {
                        toPublish.add(replayOf(dlqRecord, options.to()));
                    }
                    done.put(tp, new OffsetAndMetadata(record.offset() + 1));
                }
                if (producer != null && !done.isEmpty()) {
                    publish(producer, consumer, toPublish, done);
                }
                reading.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
            }
        }
        return run.summary();
    }

    /** One transaction: the replayed records and the group's new offsets, or neither. */
    private static void publish(KafkaProducer<byte[], byte[]> producer, KafkaConsumer<byte[], byte[]> consumer,
                                List<ProducerRecord<byte[], byte[]>> records,
                                Map<TopicPartition, OffsetAndMetadata> offsets) {
        producer.beginTransaction();
        try {
            records.forEach(producer::send);
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
        } catch (ProducerFencedException e) {
            throw new IllegalStateException("another replay of the same REPLAY_GROUP_ID took over", e);
        } catch (KafkaException e) {
            producer.abortTransaction();
            throw e;
        }
    }

    /** The original key and value, the headers that are not about the DLQ trip, and one more replay counted. */
    static ProducerRecord<byte[], byte[]> replayOf(DlqRecord dlqRecord, String topic) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : dlqRecord.record().headers()) {
            if (!DlqHeaders.isContractHeader(header.key()) && !header.key().equals(DlqHeaders.REPLAY_COUNT)) {
                headers.add(header);
            }
        }
        headers.add(DlqHeaders.REPLAY_COUNT,
                Integer.toString(dlqRecord.replayCount() + 1).getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, dlqRecord.record().key(), dlqRecord.record().value(), headers);
    }

    private KafkaProducer<byte[], byte[]> producer(String group) {
        Properties props = new Properties();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "dlq-replay-" + config.get(Settings.INSTANCE_ID));
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "loginpipe-dlq-replay-" + group);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putAll(config.kafkaProperties(ClientKind.PRODUCER));
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The tally of one run and the rule for each record: replay it, leave it out, or skip it. */
    private static final class Run {
        private final ReplayOptions options;
        private final int maxReplays;
        private long read;
        private long replayed;
        private long leftOut;
        private long skippedMaxReplays;
        private long skippedTruncated;
        private final List<String> skippedExamples = new ArrayList<>();

        Run(ReplayOptions options, int maxReplays) {
            this.options = options;
            this.maxReplays = maxReplays;
        }

        boolean limitReached() {
            return options.limit() > 0 && replayed >= options.limit();
        }

        /** True when the record is to be published. */
        boolean decide(DlqRecord record) {
            read++;
            if (options.leavesOut(record)) {
                leftOut++;
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
            return new ReplaySummary(options.to(), options.dryRun(), read, replayed, leftOut, skippedMaxReplays,
                    skippedTruncated, List.copyOf(skippedExamples));
        }
    }
}
