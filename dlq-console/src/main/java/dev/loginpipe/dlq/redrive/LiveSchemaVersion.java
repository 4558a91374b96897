package dev.loginpipe.dlq.redrive;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.dlq.DlqClients;
import dev.loginpipe.dlq.DlqScan;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Which schema version judges the pipeline now, as the records say: the {@code schema.version} of the newest
 * record (by timestamp) at the end of the output topic and the DLQ. Reads the last few offsets of each partition
 * (transaction markers take offsets too), no group, nothing written.
 */
final class LiveSchemaVersion {
    /** Offsets read back from each partition's end. */
    private static final int TAIL = 20;

    private LiveSchemaVersion() {
    }

    /** The version of the newest routed record that carries one, or null when none does. */
    static String newest(Config config) {
        try (KafkaConsumer<byte[], byte[]> consumer = DlqClients.consumer(config, null, "schema-version")) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(config.get(Settings.OUTPUT_TOPIC), config.get(Settings.DLQ_TOPIC))) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> from = consumer.endOffsets(partitions);
            from.replaceAll((tp, end) -> Math.max(begin.get(tp), end - TAIL));
            long[] newestAt = {Long.MIN_VALUE};
            String[] version = {null};
            DlqScan.readRange(consumer, partitions, from, record -> {
                Header header = record.headers().lastHeader(DlqHeaders.SCHEMA_VERSION);
                if (header != null && header.value() != null && record.timestamp() >= newestAt[0]) {
                    newestAt[0] = record.timestamp();
                    version[0] = new String(header.value(), StandardCharsets.UTF_8);
                }
            });
            return version[0];
        }
    }
}
