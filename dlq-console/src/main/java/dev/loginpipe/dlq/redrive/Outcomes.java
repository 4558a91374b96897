package dev.loginpipe.dlq.redrive;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.common.observability.RateLimitedLog;
import dev.loginpipe.dlq.DlqClients;
import dev.loginpipe.dlq.DlqRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happened next to the records each plan sent: the pipeline keeps the input's headers on its output and DLQ
 * copies, so a record on {@code OUTPUT_TOPIC} carrying a plan's {@code replay.id} reached the output and one on the
 * DLQ came back. One thread reads both topics (committed records only) from when the oldest plan was created, and
 * every {@link #PARTITION_CHECK_MS} ms the partitions added to them since, from their beginning. An error (the brokers
 * away, a denied read) does not end it: it is logged (rate-limited) and the thread tries again after a pause, so the
 * stop-loss keeps its counts; only {@link #close()} ends it.
 */
final class Outcomes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("dlq-console");
    private static final Duration POLL = Duration.ofMillis(200);
    static final long PARTITION_CHECK_MS = 10_000;
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);
    private static final long MAX_BACKOFF_MS = 10_000;

    /** Per plan: records that reached the output, records that came back to the DLQ. */
    record Counts(long reached, long cameBack) {
        static final Counts NONE = new Counts(0, 0);
    }

    private final String output;
    private final List<String> topics;
    private final Map<String, long[]> counts = new ConcurrentHashMap<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> assigned = new ArrayList<>();
    private final RateLimitedLog warnings = new RateLimitedLog(LOG, 30_000);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long failures;

    /**
     * Counts the records of these plans (and of those {@link #track tracked} later), reading from {@code from}: the
     * oldest plan's creation, as records before it carry no plan's id.
     */
    Outcomes(Config config, Instant from, Collection<String> planIds) {
        planIds.forEach(this::track);
        output = config.get(Settings.OUTPUT_TOPIC);
        topics = List.of(output, config.get(Settings.DLQ_TOPIC));
        consumer = DlqClients.consumer(config, null, "outcomes");
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            assigned.addAll(partitions);
            consumer.assign(partitions);
            Map<TopicPartition, Long> at = new HashMap<>();
            partitions.forEach(tp -> at.put(tp, from.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(at);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            partitions.forEach(tp -> consumer.seek(tp, offsets.get(tp) == null ? ends.get(tp)
                    : offsets.get(tp).offset()));
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        thread = new Thread(this::run, "redrive-outcomes");
        thread.setDaemon(true);
        thread.start();
    }

    /** Counts records of this plan from now on: a new plan, whose records come after it. */
    void track(String planId) {
        counts.putIfAbsent(planId, new long[2]);
    }

    Counts of(String planId) {
        long[] c = counts.get(planId);
        if (c == null) {
            return Counts.NONE;
        }
        synchronized (c) {
            return new Counts(c[0], c[1]);
        }
    }

    /** Errors met and outlived so far. */
    long failures() {
        return failures;
    }

    private void run() {
        long nextCheck = System.currentTimeMillis() + PARTITION_CHECK_MS;
        long backoff = 500;
        try {
            while (running) {
                try {
                    if (System.currentTimeMillis() >= nextCheck) {
                        nextCheck = System.currentTimeMillis() + PARTITION_CHECK_MS; // a failed check waits its turn
                        assignNewPartitions();
                    }
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                        count(record);
                    }
                    backoff = 500;
                } catch (WakeupException | InterruptException closing) {
                    throw closing;
                } catch (RuntimeException e) {
                    failures++;
                    warnings.warn("outcomes", "redrive outcome tracking failed (" + ErrorText.of(e) + "); it tries "
                            + "again in " + backoff + " ms");
                    Thread.sleep(backoff);
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
                }
            }
        } catch (WakeupException | InterruptException | InterruptedException closing) {
            // close() asked
        } finally {
            consumer.close();
        }
    }

    private void count(ConsumerRecord<byte[], byte[]> record) {
        long[] c = counts.get(new DlqRecord(record).header(DlqHeaders.REPLAY_ID));
        if (c != null) {
            synchronized (c) {
                c[record.topic().equals(output) ? 0 : 1]++;
            }
        }
    }

    /** Partitions added to the output or the DLQ are read from their beginning: a plan's records may be there. */
    private void assignNewPartitions() {
        List<TopicPartition> added = new ArrayList<>();
        Map<String, List<PartitionInfo>> now = consumer.listTopics(CHECK_TIMEOUT); // fresh, where partitionsFor caches
        for (String topic : topics) {
            for (PartitionInfo p : now.getOrDefault(topic, List.of())) {
                TopicPartition tp = new TopicPartition(topic, p.partition());
                if (!assigned.contains(tp)) {
                    added.add(tp);
                }
            }
        }
        if (!added.isEmpty()) {
            assigned.addAll(added);
            consumer.assign(assigned);
            consumer.seekToBeginning(added);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.interrupt(); // ends a pause after an error too
        thread.join();
    }
}
