package dev.loginpipe.dlq;

import java.util.Map;
import java.util.Properties;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.KafkaClientSettings.ClientKind;
import dev.loginpipe.common.config.Settings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** DLQ consumers: raw bytes, committed records only, offsets committed by hand (or not at all). */
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
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "dlq-" + role + "-" + config.get(Settings.INSTANCE_ID));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putAll(fetchSettings);
        if (groupId != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        props.putAll(config.kafkaProperties(ClientKind.CONSUMER));
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
