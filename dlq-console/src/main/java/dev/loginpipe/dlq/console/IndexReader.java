package dev.loginpipe.dlq.console;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.common.observability.RateLimitedLog;
import dev.loginpipe.dlq.DlqClients;
import dev.loginpipe.dlq.DlqRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills the index: reads every partition of the DLQ from the beginning, in no group (nothing committed), committed
 * records only, then keeps following it, so new arrivals appear. Ready once it has read up to where the DLQ ended
 * when it started. Partitions added later are picked up, and records retention deleted are dropped from the index
 * (the log start offsets are checked every {@link #LOG_START_CHECK_MS} ms). While the brokers are out of reach it
 * waits and tries again.
 */
final class IndexReader implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger("dlq-console");
    private static final Duration POLL = Duration.ofMillis(500);
    private static final long PARTITION_CHECK_MS = 30_000;
    static final long LOG_START_CHECK_MS = 10_000;

    private final Config config;
    private final String topic;
    private final DlqIndex index;
    private final Signatures signatures;
    private final Health health;
    private final RateLimitedLog warnings = new RateLimitedLog(LOG, 30_000);
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean stopping;

    IndexReader(Config config, String topic, DlqIndex index, Signatures signatures, Health health) {
        this.config = config;
        this.topic = topic;
        this.index = index;
        this.signatures = signatures;
        this.health = health;
    }

    @Override
    public void run() {
        try (KafkaConsumer<byte[], byte[]> consumer = DlqClients.consumer(config, null, "console",
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000))) {
            this.consumer = consumer;
            Set<TopicPartition> assigned = new HashSet<>();
            Map<TopicPartition, Long> ends = null;
            long nextPartitionCheck = 0;
            long nextLogStartCheck = 0;
            while (!stopping) {
                try {
                    if (System.currentTimeMillis() >= nextPartitionCheck) {
                        if (!assignNewPartitions(consumer, assigned)) {
                            health.notReady("topic " + topic
                                    + " does not exist (create it, e.g. with create-topics.sh)");
                            Thread.sleep(2000);
                            continue;
                        }
                        nextPartitionCheck = System.currentTimeMillis() + PARTITION_CHECK_MS;
                    }
                    if (System.currentTimeMillis() >= nextLogStartCheck) {
                        Map<Integer, Long> starts = new HashMap<>();
                        consumer.beginningOffsets(assigned).forEach((tp, start) -> starts.put(tp.partition(), start));
                        index.dropBelow(starts);
                        nextLogStartCheck = System.currentTimeMillis() + LOG_START_CHECK_MS;
                    }
                    if (ends == null) {
                        ends = consumer.endOffsets(assigned);
                    }
                    List<DlqIndex.Entry> batch = new ArrayList<>();
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                        DlqRecord dlqRecord = new DlqRecord(record);
                        batch.add(new DlqIndex.Entry(record.partition(), record.offset(),
                                signatures.numberOf(dlqRecord), dlqRecord.at(), dlqRecord.replayCount(),
                                dlqRecord.truncated()));
                    }
                    index.addAll(batch);
                    if (caughtUp(consumer, ends)) {
                        LOG.info("indexed {} records of {}; following new arrivals", index.size(), topic);
                        health.ready();
                        ends = Map.of();
                    }
                } catch (RetriableException e) {
                    // The brokers are out of reach (e.g. not started yet): the index keeps what it has and goes on.
                    String waiting = "the DLQ index waits for the brokers: " + ErrorText.of(e);
                    warnings.warn("brokers", waiting);
                    if (!health.isReady()) {
                        health.notReady(waiting);
                    }
                    Thread.sleep(2000);
                }
            }
        } catch (WakeupException | InterruptedException stopped) {
            // stop() was called
        } catch (KafkaException e) {
            LOG.error("the DLQ index stopped: {}", ErrorText.of(e));
            health.notReady("the DLQ index stopped: " + ErrorText.of(e));
        }
    }

    void stop() {
        stopping = true;
        KafkaConsumer<byte[], byte[]> running = consumer;
        if (running != null) {
            running.wakeup();
        }
    }

    /** False while the topic does not exist. */
    private boolean assignNewPartitions(KafkaConsumer<byte[], byte[]> consumer, Set<TopicPartition> assigned) {
        List<TopicPartition> all = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        if (all.isEmpty()) {
            return false;
        }
        List<TopicPartition> added = all.stream().filter(tp -> !assigned.contains(tp)).toList();
        if (!added.isEmpty()) {
            assigned.addAll(added);
            consumer.assign(assigned);
            consumer.seekToBeginning(added);
        }
        return true;
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        return !ends.isEmpty() && ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }
}
