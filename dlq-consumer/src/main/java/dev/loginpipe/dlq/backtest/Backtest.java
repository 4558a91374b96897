package dev.loginpipe.dlq.backtest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.common.schema.RegistryClient;
import dev.loginpipe.common.schema.RegistrySchemas;
import dev.loginpipe.dlq.DlqClients;
import dev.loginpipe.dlq.DlqScan;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * "If this schema went live, whose fate would change?": a candidate schema run over the newest records of the output
 * topic (valid today) and over the whole DLQ (invalid today), exactly as the consumer validates a value. Reads Kafka
 * only: no group, nothing written. Output records it would reject are grouped by the signature they would get; DLQ
 * records it would accept, by the signature they have.
 */
public final class Backtest {
    /** Examples kept per signature. */
    static final int EXAMPLES = 3;

    /** Stopped by its caller before the end. */
    public static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("the backtest was cancelled");
        }
    }

    private final Config config;
    private final CandidateSchema candidate;
    private final AtomicLong read = new AtomicLong();

    public Backtest(Config config, CandidateSchema candidate) {
        this.config = config;
        this.candidate = candidate;
    }

    /** Records read so far (for progress). */
    public long read() {
        return read.get();
    }

    /**
     * Runs it over the newest {@code outputRecords} of the output topic and the whole DLQ; with SCHEMA_REGISTRY_URL
     * set, asks the registry too.
     */
    public BacktestResult run(long outputRecords, BooleanSupplier cancelled) {
        BacktestResult.Builder result = new BacktestResult.Builder(candidate);
        try (KafkaConsumer<byte[], byte[]> consumer = DlqClients.consumer(config, null, "backtest")) {
            String output = config.get(Settings.OUTPUT_TOPIC);
            List<TopicPartition> partitions = partitions(consumer, output);
            DlqScan.readRange(consumer, partitions, newest(consumer, partitions, outputRecords), record -> {
                check(cancelled);
                result.output(record, candidate.validator());
            });
            String dlq = config.get(Settings.DLQ_TOPIC);
            List<TopicPartition> dlqPartitions = partitions(consumer, dlq);
            DlqScan.readRange(consumer, dlqPartitions, consumer.beginningOffsets(dlqPartitions), record -> {
                check(cancelled);
                result.dlq(record, candidate.validator());
            });
        }
        BacktestResult done = result.build();
        // Where a registry is configured, its own verdict on the candidate next to ours.
        return config.get(Settings.SCHEMA_REGISTRY_URL).isEmpty() ? done : done.withRegistry(RegistryCompatibility
                .check(RegistryClient.of(config), RegistrySchemas.subject(config), candidate.asRegistered()));
    }

    private void check(BooleanSupplier cancelled) {
        read.incrementAndGet();
        if (cancelled.getAsBoolean()) {
            throw new Cancelled();
        }
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        return consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    /**
     * Where to start so that the newest {@code total} records are read (all of them if the topic holds fewer), shared
     * evenly by the partitions: what a short partition cannot give, the longer ones do.
     */
    private static Map<TopicPartition, Long> newest(KafkaConsumer<byte[], byte[]> consumer,
                                                    List<TopicPartition> partitions, long total) {
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        Map<TopicPartition, Long> length = new HashMap<>();
        partitions.forEach(tp -> length.put(tp, end.get(tp) - begin.get(tp)));
        List<TopicPartition> shortestFirst = new ArrayList<>(partitions);
        shortestFirst.sort(Comparator.comparing(length::get));
        Map<TopicPartition, Long> from = new HashMap<>();
        long left = total;
        for (int i = 0; i < shortestFirst.size(); i++) {
            TopicPartition tp = shortestFirst.get(i);
            int sharing = shortestFirst.size() - i;
            long take = Math.min((left + sharing - 1) / sharing, length.get(tp));
            from.put(tp, end.get(tp) - take);
            left -= take;
        }
        return from;
    }
}
