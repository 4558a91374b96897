package dev.loginpipe.dlq.console;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.dlq.DlqClients;
import dev.loginpipe.dlq.backtest.Backtest;
import dev.loginpipe.dlq.backtest.BacktestResult;
import dev.loginpipe.dlq.backtest.CandidateSchema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A candidate schema watching live traffic: every record routed from now on, to the output topic (valid) or to the
 * DLQ (invalid), is judged by the candidate too, and the disagreements are counted as a {@link Backtest} counts them.
 * The routed topic is the active schema's verdict, so nothing has to change in the consumers; reads only. Runs on
 * the caller's thread until {@link #stop()}. Only the console runs one; the CLI has the backtest alone.
 */
public final class Shadow implements Runnable {
    private static final Duration POLL = Duration.ofMillis(500);

    private final Config config;
    private final CandidateSchema candidate;
    private final BacktestResult.Builder result;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean started;

    public Shadow(Config config, CandidateSchema candidate) {
        this.config = config;
        this.candidate = candidate;
        this.result = new BacktestResult.Builder(candidate);
        this.consumer = DlqClients.consumer(config, null, "shadow");
    }

    public CandidateSchema candidate() {
        return candidate;
    }

    /** What it has seen so far; nothing before it reached the ends of both topics. */
    public BacktestResult result() {
        return result.build();
    }

    /** Whether it is watching: it has found where both topics end. */
    public boolean started() {
        return started;
    }

    @Override
    public void run() {
        String output = config.get(Settings.OUTPUT_TOPIC);
        String dlq = config.get(Settings.DLQ_TOPIC);
        try (consumer) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(output, dlq)) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // from here on: what is routed after the start
            started = true;
            while (true) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (record.topic().equals(output)) {
                        result.output(record, candidate.validator());
                    } else {
                        result.dlq(record, candidate.validator());
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException stopped) {
            // stop() was called
        }
    }

    /** Ends {@link #run()} from another thread. */
    public void stop() {
        consumer.wakeup();
    }
}
