package dev.loginpipe.dlq.replay;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.KafkaClientSettings.ClientKind;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.dlq.DlqClients;
import dev.loginpipe.dlq.DlqRecord;
import dev.loginpipe.dlq.DlqScan;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which DLQ records replay has published, whatever the group or the run: the compacted topic
 * {@code REPLAY_LEDGER_TOPIC}, keyed by the DLQ record's coordinates ({@code dlq-topic/partition/offset}), each
 * entry written in the transaction that published the record. Entries of an earlier DLQ topic of the same name (its
 * topic id differs) and entries for offsets the DLQ does not hold are ignored; a tombstone forgets an entry.
 */
public final class ReplayLedger {
    private static final Logger LOG = LoggerFactory.getLogger("dlq-consumer");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration METADATA_WAIT = Duration.ofMillis(500);
    private static final String TOPIC_ID = "dlq_topic_id";
    private static final int METADATA_ATTEMPTS = 20;

    private final String topic;
    private final String dlqTopic;
    private final String dlqTopicId;
    private final Map<Integer, ReplayedOffsets> replayed = new HashMap<>();
    private final EntryListener listener;

    /** Sees, in ledger order, each entry the ledger takes (its value) or forgets (null) for a record the DLQ holds. */
    @FunctionalInterface
    public interface EntryListener {
        EntryListener NONE = (partition, offset, value) -> { };

        void entry(int partition, long offset, byte[] value);
    }

    private ReplayLedger(String topic, String dlqTopic, String dlqTopicId, EntryListener listener) {
        this.topic = topic;
        this.dlqTopic = dlqTopic;
        this.dlqTopicId = dlqTopicId;
        this.listener = listener;
    }

    /** The one transactional id of every replay of this ledger, so that two runs at once fence each other. */
    static String transactionalId(Config config) {
        return "loginpipe-dlq-replay-" + config.get(Settings.REPLAY_LEDGER_TOPIC);
    }

    /**
     * Reads every committed entry to the ledger's end. A missing ledger is empty, and created (compacted) when
     * {@code create}. A replay calls this after {@code initTransactions()}, which settles what an earlier run left
     * open, so the end it reads to includes every entry any run has committed.
     */
    public static ReplayLedger read(Config config, boolean create) {
        return read(config, create, EntryListener.NONE);
    }

    /** {@link #read(Config, boolean)}, handing each entry to {@code listener} as well (the console's history). */
    public static ReplayLedger read(Config config, boolean create, EntryListener listener) {
        String topic = config.get(Settings.REPLAY_LEDGER_TOPIC);
        String dlqTopic = config.get(Settings.DLQ_TOPIC);
        TopicDescription dlq;
        TopicDescription ledger;
        try (Admin admin = Admin.create(config.kafkaProperties(ClientKind.ADMIN))) {
            dlq = describe(admin, dlqTopic);
            ledger = describe(admin, topic);
            if (ledger == null && create && !created(admin, topic)) {
                ledger = describeExisting(admin, topic);
            }
        }
        ReplayLedger read = new ReplayLedger(topic, dlqTopic, dlq == null ? null : dlq.topicId().toString(),
                listener);
        if (dlq != null) {
            read.load(config, dlq, ledger);
        }
        return read;
    }

    public String topic() {
        return topic;
    }

    public boolean contains(DlqRecord record) {
        return contains(record.record().partition(), record.record().offset());
    }

    /** Whether replay published the DLQ record at this partition and offset. */
    public boolean contains(int partition, long offset) {
        ReplayedOffsets offsets = replayed.get(partition);
        return offsets != null && offsets.contains(offset);
    }

    /** Entries for records the DLQ still holds. */
    public long size() {
        return replayed.values().stream().mapToLong(ReplayedOffsets::count).sum();
    }

    /** Bytes the entries take in memory. */
    public long memoryBytes() {
        return replayed.values().stream().mapToLong(ReplayedOffsets::memoryBytes).sum();
    }

    /** The entry that says this run published this record to {@code to}; goes into the publishing transaction. */
    ProducerRecord<byte[], byte[]> entry(DlqRecord record, String replayId, String to) {
        String value = JSON.createObjectNode().put("replay_id", replayId).put("at", Instant.now().toString())
                .put("to", to).put(TOPIC_ID, dlqTopicId).toString();
        return new ProducerRecord<>(topic, key(record.record().partition(), record.record().offset()),
                value.getBytes(StandardCharsets.UTF_8));
    }

    /** After the transaction holding its entry committed. */
    void add(DlqRecord record) {
        // A partition the DLQ did not have when the ledger was read: a run replays it in offset order.
        replayed.computeIfAbsent(record.record().partition(), p -> new ReplayedOffsets(record.record().offset()))
                .add(record.record().offset());
    }

    private byte[] key(int partition, long offset) {
        return (dlqTopic + "/" + partition + "/" + offset).getBytes(StandardCharsets.UTF_8);
    }

    /** The entries of {@code ledger} (null: there is none yet) for the records {@code dlq} holds. */
    private void load(Config config, TopicDescription dlq, TopicDescription ledger) {
        try (KafkaConsumer<byte[], byte[]> consumer = DlqClients.consumer(config, null, "ledger")) {
            List<TopicPartition> dlqPartitions = dlq.partitions().stream()
                    .map(p -> new TopicPartition(dlqTopic, p.partition())).toList();
            Map<TopicPartition, Long> firsts = consumer.beginningOffsets(dlqPartitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(dlqPartitions);
            firsts.forEach((tp, first) -> replayed.put(tp.partition(), new ReplayedOffsets(first)));
            if (ledger == null) {
                return;
            }

            DlqScan.readToEnd(consumer, ledger.partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList(), entry -> apply(entry, firsts, ends));
        }
    }

    /** One entry read back; anyone who may write the ledger may write anything, so nothing is taken on trust. */
    private void apply(ConsumerRecord<byte[], byte[]> entry, Map<TopicPartition, Long> firsts,
                       Map<TopicPartition, Long> ends) {
        String prefix = dlqTopic + "/";
        String key = entry.key() == null ? "" : new String(entry.key(), StandardCharsets.UTF_8);
        if (!key.startsWith(prefix)) {
            return;
        }
        String[] coordinates = key.substring(prefix.length()).split("/", -1);
        TopicPartition tp;
        long offset;
        try {
            if (coordinates.length != 2) {
                return;
            }
            tp = new TopicPartition(dlqTopic, Integer.parseInt(coordinates[0]));
            offset = Long.parseLong(coordinates[1]);
        } catch (NumberFormatException notOurs) {
            return;
        }
        if (!firsts.containsKey(tp) || offset < firsts.get(tp) || offset >= ends.get(tp)) {
            return; // a record the DLQ no longer (or never) held
        }
        if (entry.value() == null) {
            replayed.get(tp.partition()).remove(offset);
            listener.entry(tp.partition(), offset, null);
        } else if (!ofAnotherTopic(entry.value())) {
            replayed.get(tp.partition()).add(offset);
            listener.entry(tp.partition(), offset, entry.value());
        }
    }

    /** True only when the entry names another topic id; an entry that cannot be read counts as replayed. */
    private boolean ofAnotherTopic(byte[] value) {
        try {
            String id = JSON.readTree(value).path(TOPIC_ID).asText("");
            return !id.isEmpty() && !id.equals(dlqTopicId);
        } catch (java.io.IOException | RuntimeException unreadable) {
            return false;
        }
    }

    private static TopicDescription describe(Admin admin, String topic) {
        try {
            return await(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
        } catch (UnknownTopicOrPartitionException missing) {
            return null;
        }
    }

    /** True when this call created it; false when it exists after all. */
    private static boolean created(Admin admin, String topic) {
        NewTopic ledger = new NewTopic(topic, Optional.of(1), Optional.empty())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        try {
            await(admin.createTopics(List.of(ledger)).all());
            LOG.info("created the replay ledger topic {} (compacted, 1 partition)", topic);
            return true;
        } catch (TopicExistsException createdMeanwhile) {
            return false;
        }
    }

    /**
     * A topic the controller has but the broker that answered did not know yet (just created by another run): its
     * entries must be read, so wait until it is described.
     */
    private static TopicDescription describeExisting(Admin admin, String topic) {
        for (int attempt = 0; attempt < METADATA_ATTEMPTS; attempt++) {
            TopicDescription description = describe(admin, topic);
            if (description != null) {
                return description;
            }
            try {
                Thread.sleep(METADATA_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptException(e);
            }
        }
        throw new KafkaException("the replay ledger topic " + topic + " exists but no broker describes it");
    }

    private static <T> T await(KafkaFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof KafkaException kafka ? kafka : new KafkaException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        }
    }
}
