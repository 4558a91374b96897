package dev.loginpipe.dlq.redrive;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.dlq.DlqClients;
import dev.loginpipe.dlq.DlqScan;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the replay ledger for what a plan may not take from memory: how many records a plan published (its maximum
 * count holds across restarts).
 */
final class LedgerEntries {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration METADATA = Duration.ofSeconds(10);

    private LedgerEntries() {
    }

    /** Entries the replay {@code replayId} committed. */
    static long publishedBy(Config config, String replayId) {
        long[] count = {0};
        forEach(config, (key, entry) -> {
            if (replayId.equals(entry.path("replay_id").asText())) {
                count[0]++;
            }
        });
        return count[0];
    }

    /** Every committed entry as (key, value; a tombstone or unreadable value as a missing node). */
    private static void forEach(Config config, BiConsumer<String, JsonNode> action) {
        String topic = config.get(Settings.REPLAY_LEDGER_TOPIC);
        try (KafkaConsumer<byte[], byte[]> consumer = DlqClients.consumer(config, null, "ledger")) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, METADATA).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (partitions.isEmpty()) {
                return; // no ledger yet: nothing was published
            }
            DlqScan.readToEnd(consumer, partitions, record -> action.accept(
                    record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8), value(record.value())));
        }
    }

    private static JsonNode value(byte[] value) {
        try {
            return value == null ? JSON.missingNode() : JSON.readTree(value);
        } catch (java.io.IOException | RuntimeException unreadable) {
            return JSON.missingNode();
        }
    }
}
