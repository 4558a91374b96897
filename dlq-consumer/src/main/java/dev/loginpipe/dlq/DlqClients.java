package dev.loginpipe.dlq;

import java.util.Map;
import java.util.Properties;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.KafkaClientSettings.ClientKind;
import dev.loginpipe.common.config.Settings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The DLQ tool's Kafka clients. {@code KAFKA_CLIENT_*} settings apply, except those that what the tool promises
 * rests on (committed records only, offsets committed by hand or not at all, transactional writes): they are set
 * after the user's, so nothing can override them.
 */
public final class DlqClients {
    private DlqClients() {
    }

    /** A consumer in {@code groupId}, or in no group when it is null (it then reads by assignment only). */
    public static KafkaConsumer<byte[], byte[]> consumer(Config config, String groupId, String role) {
        return consumer(config, groupId, role, Map.of());
    }

    /** The same, with fetch settings of the caller's own (which {@code KAFKA_CLIENT_*} may still override). */
    public static KafkaConsumer<byte[], byte[]> consumer(Config config, String groupId, String role,
                                                         Map<String, Object> fetchSettings) {
        Properties props = new Properties();
        props.putAll(fetchSettings);
        props.putAll(config.kafkaProperties(ClientKind.CONSUMER));
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "dlq-" + role + "-" + config.get(Settings.INSTANCE_ID));
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // A topic this tool reads (the ledger above all) is never created as a side effect of reading it.
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        if (groupId != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        } else {
            props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        }
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** A transactional producer: records and offsets are written all together or not at all. */
    public static KafkaProducer<byte[], byte[]> transactionalProducer(Config config, String transactionalId,
                                                                      String role) {
        Properties props = config.kafkaProperties(ClientKind.PRODUCER);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "dlq-" + role + "-" + config.get(Settings.INSTANCE_ID));
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
