package dev.loginpipe.dlq;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.common.config.KafkaClientSettings.ClientKind;
import dev.loginpipe.common.observability.BrokerProbe;
import dev.loginpipe.common.observability.Health;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-running {@code watch}: one log line per DLQ record in group {@code DLQ_GROUP_ID}, and counts per reason.
 * IP addresses and ids are masked unless {@code LOG_PAYLOADS=true}, which also logs the value (cut short).
 */
public final class Watcher {
    private static final Logger LOG = LoggerFactory.getLogger("dlq-consumer");
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final int MAX_LOGGED_VALUE_CHARS = 500;

    private final Config config;
    private final DlqMetrics metrics;
    private final Health health;
    private final boolean logPayloads;
    private final Map<String, LongAdder> seenByReason = new ConcurrentHashMap<>();
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    Watcher(Config config, DlqMetrics metrics, Health health) {
        this.config = config;
        this.metrics = metrics;
        this.health = health;
        this.logPayloads = config.get(Settings.LOG_PAYLOADS);
    }

    /** Runs until {@link #stop()}. */
    void run() {
        try (BrokerProbe probe = BrokerProbe.start(config.kafkaProperties(ClientKind.ADMIN),
                     List.of(config.get(Settings.DLQ_TOPIC)));
             KafkaConsumer<byte[], byte[]> consumer = DlqClients.consumer(config, config.get(Settings.DLQ_GROUP_ID),
                "watch")) {
            health.dependsOn(probe::problem);
            this.consumer = consumer;
            consumer.subscribe(List.of(config.get(Settings.DLQ_TOPIC)));
            while (true) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                health.ready();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    DlqRecord dlqRecord = new DlqRecord(record);
                    LOG.info(line(dlqRecord));
                    metrics.seen(dlqRecord);
                    seenByReason.computeIfAbsent(dlqRecord.reason(), r -> new LongAdder()).increment();
                }
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
            }
        } catch (WakeupException stopping) {
            LOG.info("stopped; {}", summary());
        } finally {
            health.stopped();
        }
    }

    /** Ends {@link #run()} from another thread (the SIGTERM hook). */
    void stop() {
        KafkaConsumer<byte[], byte[]> running = consumer;
        if (running != null) {
            running.wakeup();
        }
    }

    /** "seen 12 DLQ records: not-json=2 schema=10". */
    String summary() {
        Map<String, Long> counts = new TreeMap<>();
        seenByReason.forEach((reason, count) -> counts.put(reason, count.sum()));
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        return "seen " + total + " DLQ records" + (counts.isEmpty() ? "" : ": " + counts.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
    }

    /** "0:17 schema from user-login/2/1234 [/ip format] replay.count=1: <message>". */
    String line(DlqRecord record) {
        StringBuilder line = new StringBuilder(record.coordinates()).append(' ').append(record.reason())
                .append(" from ").append(record.source());
        List<String> violations = record.violations();
        if (!violations.isEmpty()) {
            line.append(" [").append(String.join(", ", violations)).append(']');
        }
        if (record.replayCount() > 0) {
            line.append(" replay.count=").append(record.replayCount());
        }
        if (record.header(DlqHeaders.PAYLOAD_SIZE) != null) {
            line.append(" value truncated from ").append(record.header(DlqHeaders.PAYLOAD_SIZE)).append(" bytes");
        }
        if (record.header(DlqHeaders.KEY_SIZE) != null) {
            line.append(" key truncated from ").append(record.header(DlqHeaders.KEY_SIZE)).append(" bytes");
        }
        String message = record.header(DlqHeaders.ERROR_MESSAGE);
        if (message != null) {
            line.append(": ").append(logPayloads ? message : Masking.mask(message));
        }
        if (logPayloads) {
            byte[] value = record.record().value();
            String text = value == null ? "null" : new String(value, StandardCharsets.UTF_8);
            line.append(" value=").append(text, 0, Math.min(text.length(), MAX_LOGGED_VALUE_CHARS));
        }
        return line.toString();
    }
}
