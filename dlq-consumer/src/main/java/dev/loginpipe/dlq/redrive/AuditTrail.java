package dev.loginpipe.dlq.redrive;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.KafkaClientSettings.ClientKind;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.dlq.DlqClients;
import dev.loginpipe.dlq.DlqScan;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The redrive audit trail: one JSON entry per dry run and plan action in {@code REDRIVE_AUDIT_TOPIC} (one partition,
 * kept forever), each carrying its sequence number and the SHA-256 of the entry before it ({@code prev}), so that
 * {@link #verify} finds an entry changed, removed or inserted anywhere in the chain. One console writes one trail.
 */
public final class AuditTrail implements AutoCloseable {
    static final String GENESIS = "0".repeat(64);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final List<byte[]> entries;
    private String lastHash;

    private AuditTrail(String topic, KafkaProducer<byte[], byte[]> producer, List<byte[]> entries) {
        this.topic = topic;
        this.producer = producer;
        this.entries = entries;
        this.lastHash = entries.isEmpty() ? GENESIS : sha256(entries.get(entries.size() - 1));
    }

    /** Reads the whole trail (creating its topic when missing) and continues after its last entry. */
    static AuditTrail open(Config config) {
        String topic = config.get(Settings.REDRIVE_AUDIT_TOPIC);
        create(config, topic);
        List<byte[]> entries = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = DlqClients.consumer(config, null, "audit")) {
            DlqScan.readToEnd(consumer, List.of(new TopicPartition(topic, 0)), record -> entries.add(record.value()));
        }
        var props = config.kafkaProperties(ClientKind.PRODUCER);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new AuditTrail(topic, new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()),
                entries);
    }

    /**
     * Appends one entry and returns it: {@code fields} plus its sequence number, time, who and action, and the
     * previous entry's hash. Returns once the brokers hold it: an action is not taken before it is recorded.
     */
    synchronized ObjectNode append(String who, String action, ObjectNode fields) {
        ObjectNode entry = JSON.createObjectNode().put("seq", entries.size()).put("at", Instant.now().toString())
                .put("who", who).put("action", action);
        entry.setAll(fields);
        entry.put("prev", lastHash);
        byte[] value = entry.toString().getBytes(StandardCharsets.UTF_8);
        try {
            producer.send(new ProducerRecord<>(topic, 0, null, value)).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        }
        entries.add(value);
        lastHash = sha256(value);
        return entry;
    }

    /** Every entry, oldest first, as written. */
    synchronized List<byte[]> entries() {
        return List.copyOf(entries);
    }

    /** Entries as JSON, oldest first; an entry that is not JSON is shown as its text. */
    static List<JsonNode> parsed(List<byte[]> entries) {
        List<JsonNode> parsed = new ArrayList<>();
        for (byte[] entry : entries) {
            try {
                parsed.add(JSON.readTree(entry));
            } catch (java.io.IOException | RuntimeException notJson) {
                parsed.add(JSON.createObjectNode().put("unreadable", new String(entry, StandardCharsets.UTF_8)));
            }
        }
        return parsed;
    }

    /** The chain checked: valid, or where it first breaks and how. */
    public record Verification(boolean valid, int entries, int brokenAt, String problem) {
        Map<String, Object> json() {
            return Map.of("valid", valid, "entries", entries, "broken_at", brokenAt, "problem", problem);
        }
    }

    /**
     * Each entry must carry its own position and the hash of the one before: a changed entry breaks the next one's
     * {@code prev}, a removed or inserted one the {@code seq} of those after it. (A change to the newest entry shows
     * once the next one is appended: the usual limit of a hash chain.)
     */
    public static Verification verify(List<byte[]> entries) {
        String prev = GENESIS;
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = parsed(List.of(entries.get(i))).get(0);
            if (entry.path("seq").asLong(-1) != i) {
                return new Verification(false, entries.size(), i, "entry " + i + " says it is entry "
                        + entry.path("seq").asText("?") + ": one was removed or inserted before it");
            }
            if (!prev.equals(entry.path("prev").asText())) {
                return new Verification(false, entries.size(), i, "entry " + i
                        + " does not carry the hash of entry " + (i - 1) + ": that one was changed or replaced");
            }
            prev = sha256(entries.get(i));
        }
        return new Verification(true, entries.size(), -1, "");
    }

    Verification verify() {
        return verify(entries());
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void create(Config config, String topic) {
        NewTopic trail = new NewTopic(topic, Optional.of(1), Optional.empty()).configs(Map.of(
                TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1"));
        try (Admin admin = Admin.create(config.kafkaProperties(ClientKind.ADMIN))) {
            admin.createTopics(List.of(trail)).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
