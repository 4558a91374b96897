package dev.loginpipe.dlq.redrive;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.KafkaClientSettings.ClientKind;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.dlq.DlqClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The redrive audit trail: one JSON entry per dry run and plan action in {@code REDRIVE_AUDIT_TOPIC} (one partition,
 * kept forever). Each entry carries its sequence number and the SHA-256 of the entry before it ({@code prev}), and is
 * signed with {@code REDRIVE_AUDIT_KEY} (HMAC-SHA256 of its exact bytes, in the record's headers), so that whoever can
 * write the topic but lacks the key cannot add, change, remove or reorder an entry unseen. Each entry also names its
 * trail, the topic and a random id the first entry fixes, so that entries of another trail, even signed with the same
 * key, cannot stand in for this one's. The trail is evidence, never
 * a command: only the verified part counts, the console reads back everything appended (its own entries and anyone
 * else's) and verifies it, and from the first entry that does not verify, or without a key, redrive is read-only.
 */
public final class AuditTrail implements AutoCloseable {
    static final String GENESIS = "0".repeat(64);
    static final String SIGNATURE = "audit.sig";
    static final String KEY = "audit.key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private final String topic;
    private final AuditKeys keys;
    private final KafkaProducer<byte[], byte[]> producer;
    /** Reads the trail to its end, again after each append: what it finds is verified like the rest. */
    private final KafkaConsumer<byte[], byte[]> reader;
    private final TopicPartition partition;
    /** Guards the clients; pages read {@link #state} without it, so a broker that is away never blocks them. */
    private final Object io = new Object();
    private volatile State state = new State(List.of(), new Verification(true, 0, -1, ""));
    private String trailId;

    /** One entry as stored: the value signed, and its signature's headers. */
    record Entry(byte[] value, String keyId, String signature) {
    }

    private record State(List<Entry> entries, Verification verification) {
    }

    private AuditTrail(String topic, AuditKeys keys, KafkaProducer<byte[], byte[]> producer,
                       KafkaConsumer<byte[], byte[]> reader) {
        this.topic = topic;
        this.keys = keys;
        this.producer = producer;
        this.reader = reader;
        this.partition = new TopicPartition(topic, 0);
    }

    /** Reads and verifies the whole trail (creating its topic when missing). */
    static AuditTrail open(Config config) {
        String topic = config.get(Settings.REDRIVE_AUDIT_TOPIC);
        AuditKeys keys = AuditKeys.of(config);
        create(config, topic);
        var props = config.kafkaProperties(ClientKind.PRODUCER);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        KafkaConsumer<byte[], byte[]> reader = DlqClients.consumer(config, null, "audit");
        AuditTrail trail = new AuditTrail(topic, keys,
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()), reader);
        try {
            reader.assign(List.of(trail.partition));
            reader.seekToBeginning(List.of(trail.partition));
            trail.readNew();
        } catch (RuntimeException e) {
            trail.close();
            throw e;
        }
        return trail;
    }

    /**
     * Appends one entry: {@code fields} plus its sequence number, time, who and action, and the previous entry's hash;
     * then reads the trail back to its end. Returns the entry once the brokers hold it and it verifies where it stands:
     * an action is not taken before it is recorded. Throws {@link ReadOnly} when it cannot be.
     */
    ObjectNode append(String who, String action, ObjectNode fields) {
        synchronized (io) {
            readNew();
            String readOnly = readOnly();
            if (readOnly != null) {
                throw new ReadOnly(readOnly);
            }
            List<Entry> entries = state.entries();
            ObjectNode entry = JSON.createObjectNode().put("seq", entries.size()).put("topic", topic)
                    .put("trail", trailId(entries)).put("at", Instant.now().toString()).put("who", who)
                    .put("action", action);
            entry.setAll(fields);
            entry.put("prev", entries.isEmpty() ? GENESIS : sha256(entries.get(entries.size() - 1).value()));
            byte[] value = entry.toString().getBytes(StandardCharsets.UTF_8);
            List<Header> headers = List.of(new RecordHeader(KEY, keys.signingId().getBytes(StandardCharsets.UTF_8)),
                    new RecordHeader(SIGNATURE, keys.sign(value).getBytes(StandardCharsets.UTF_8)));
            try {
                producer.send(new ProducerRecord<>(topic, 0, null, null, value, headers)).get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptException(e);
            }
            readNew();
            if (!state.verification().valid()) {
                throw new ReadOnly(readOnly()); // someone else's entry came before this one
            }
            return entry;
        }
    }

    /** Reads what was appended since the last read, by anyone, and verifies the whole trail again. */
    void readNew() {
        synchronized (io) {
            List<Entry> entries = new ArrayList<>(state.entries());
            long end = reader.endOffsets(List.of(partition), READ_TIMEOUT).get(partition);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (reader.position(partition, READ_TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException("the audit trail was not read to its end"
                            + " within " + READ_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(POLL)) {
                    entries.add(new Entry(record.value() == null ? new byte[0] : record.value(),
                            header(record, KEY), header(record, SIGNATURE)));
                }
            }
            state = new State(List.copyOf(entries), verify(entries, keys, topic));
        }
    }

    /** Why nothing can be appended (no key, or a trail that does not verify), or null. */
    String readOnly() {
        if (keys.isEmpty()) {
            return "REDRIVE_AUDIT_KEY is not set: redrive is read-only (plans are shown, none runs, none can be made)";
        }
        Verification v = state.verification();
        return v.valid() ? null : "the audit trail does not verify from entry " + v.brokenAt() + " (" + v.problem()
                + "): redrive is read-only; nothing from that entry on is acted on";
    }

    /** Every entry, oldest first, as stored. */
    List<Entry> entries() {
        return state.entries();
    }

    /** The entries before the first that does not verify: the only ones anything is rebuilt from. */
    List<JsonNode> verifiedEntries() {
        State s = state;
        int valid = s.verification().valid() ? s.entries().size() : s.verification().brokenAt();
        return parsed(s.entries().subList(0, valid));
    }

    /** Entries as JSON, oldest first; an entry that is not JSON is shown as its text. */
    static List<JsonNode> parsed(List<Entry> entries) {
        List<JsonNode> parsed = new ArrayList<>();
        for (Entry entry : entries) {
            parsed.add(parse(entry.value()));
        }
        return parsed;
    }

    private static JsonNode parse(byte[] value) {
        try {
            JsonNode json = JSON.readTree(value);
            return json != null && json.isObject() ? json : unreadable(value);
        } catch (java.io.IOException | RuntimeException notJson) {
            return unreadable(value);
        }
    }

    private static JsonNode unreadable(byte[] value) {
        return JSON.createObjectNode().put("unreadable", new String(value, StandardCharsets.UTF_8));
    }

    /** The trail checked: valid, or where it first breaks and how. */
    public record Verification(boolean valid, int entries, int brokenAt, String problem) {
        Map<String, Object> json() {
            return Map.of("valid", valid, "entries", entries, "broken_at", brokenAt, "problem", problem);
        }
    }

    /**
     * The trail's id: that of its first entry that names one (the first entry, in trails begun by this version), or a
     * new one for a trail that has none yet. Called under {@link #io}.
     */
    private String trailId(List<Entry> entries) {
        if (trailId == null) {
            trailId = entries.stream().map(e -> parse(e.value()).path("trail")).filter(JsonNode::isTextual)
                    .map(JsonNode::asText).findFirst().orElseGet(() -> UUID.randomUUID().toString());
        }
        return trailId;
    }

    /**
     * Each entry must be signed by one of the keys, carry its own position and the hash of the one before: a forged
     * entry fails its signature, a removed or inserted one the {@code seq} of those after it, a replayed copy its
     * {@code prev}. A key older than one already seen signs nothing more (after a rotation the old key verifies only
     * what came before the new key's first entry), and from the first entry that names its trail on, every entry
     * names this one: {@code topic}, and the id that entry fixed. Entries before it (trails begun by an older version)
     * carry no trail and verify as before. Without a key nothing can be checked, and nothing verifies.
     */
    static Verification verify(List<Entry> entries, AuditKeys keys, String topic) {
        String prev = GENESIS;
        int newestKey = Integer.MAX_VALUE;
        int rotatedAt = -1;
        String trail = null;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (keys.isEmpty()) {
                return new Verification(false, entries.size(), i, "no key to check signatures with");
            }
            if (!keys.verifies(e.keyId(), e.signature(), e.value())) {
                return new Verification(false, entries.size(), i, "entry " + i + (keys.knows(e.keyId())
                        ? " does not match its signature: it was changed" : " is not signed with a key of this "
                        + "console: someone else wrote it"));
            }
            int age = keys.age(e.keyId());
            if (age > newestKey) {
                return new Verification(false, entries.size(), i, "entry " + i + " is signed with a key that entry "
                        + rotatedAt + " replaced: a retired key signs nothing new");
            }
            if (age < newestKey) {
                newestKey = age;
                rotatedAt = i;
            }
            JsonNode entry = parse(e.value());
            if (trail == null && entry.path("trail").isTextual()) {
                trail = entry.get("trail").asText();
            }
            if (trail != null && !(trail.equals(entry.path("trail").asText(null))
                    && topic.equals(entry.path("topic").asText(null)))) {
                return new Verification(false, entries.size(), i, "entry " + i + " names another trail than this "
                        + "one (topic " + topic + "): it was copied from elsewhere");
            }
            if (entry.path("seq").asLong(-1) != i) {
                return new Verification(false, entries.size(), i, "entry " + i + " says it is entry "
                        + entry.path("seq").asText("?") + ": one was removed or inserted before it");
            }
            if (!prev.equals(entry.path("prev").asText())) {
                return new Verification(false, entries.size(), i, "entry " + i
                        + " does not carry the hash of entry " + (i - 1) + ": it was copied from elsewhere");
            }
            prev = sha256(e.value());
        }
        return new Verification(true, entries.size(), -1, "");
    }

    Verification verification() {
        return state.verification();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void create(Config config, String topic) {
        NewTopic trail = new NewTopic(topic, Optional.of(1), Optional.empty()).configs(Map.of(
                TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1"));
        try (Admin admin = Admin.create(config.kafkaProperties(ClientKind.ADMIN))) {
            admin.createTopics(List.of(trail)).all().get();
        } catch (ExecutionException e) {
            // Without CREATE (the topic made by create-topics.sh) the brokers refuse even a topic that exists;
            // reading it says whether it does.
            if (!(e.getCause() instanceof TopicExistsException || e.getCause() instanceof TopicAuthorizationException)) {
                throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        }
    }

    /** Nothing can be recorded, so nothing may be done; the message says why. */
    public static final class ReadOnly extends RuntimeException {
        ReadOnly(String why) {
            super(why);
        }
    }

    @Override
    public void close() {
        synchronized (io) {
            producer.close();
            reader.close();
        }
    }
}
