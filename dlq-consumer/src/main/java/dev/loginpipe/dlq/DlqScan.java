package dev.loginpipe.dlq;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Settings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads the whole DLQ once, from the beginning to where it ended when the scan began, without any group. */
public final class DlqScan {
    private static final Duration POLL = Duration.ofMillis(500);

    private DlqScan() {
    }

    static void forEach(Config config, Consumer<DlqRecord> action) {
        String topic = config.get(Settings.DLQ_TOPIC);
        try (KafkaConsumer<byte[], byte[]> consumer = DlqClients.consumer(config, null, "scan")) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            readToEnd(consumer, partitions, record -> action.accept(new DlqRecord(record)));
        }
    }

    /** Reads these partitions with a consumer in no group, from the beginning to where they ended at the start. */
    public static void readToEnd(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
                                 Consumer<ConsumerRecord<byte[], byte[]>> action) {
        readRange(consumer, partitions, consumer.beginningOffsets(partitions), action);
    }

    /** Reads these partitions with a consumer in no group, from {@code from} to where they ended at the start. */
    public static void readRange(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
                                 Map<TopicPartition, Long> from, Consumer<ConsumerRecord<byte[], byte[]>> action) {
        consumer.assign(partitions);
        partitions.forEach(tp -> consumer.seek(tp, from.get(tp)));
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        Set<TopicPartition> reading = new HashSet<>(partitions);
        reading.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
        while (!reading.isEmpty()) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                    action.accept(record);
                }
            }
            reading.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
        }
    }
}
