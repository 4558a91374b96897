package dev.loginpipe.dlq.redrive;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.dlq.DlqFixture;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Stands in for the consumer module (which this module does not depend on): routes each record on the input topic
 * to the output topic or, when {@code fails} says so, back to the DLQ, keeping its headers as the consumer does, so
 * that replay.id tells what became of it. Its routing is not under test here, only what redrive makes of it.
 */
final class StandInPipeline implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer = TestKafka.producer(DlqFixture.BOOTSTRAP, Map.of());
    private final Thread thread;
    private volatile boolean running = true;

    StandInPipeline(DlqFixture fixture, String output, Predicate<ConsumerRecord<byte[], byte[]>> fails) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, DlqFixture.BOOTSTRAP);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        TopicPartition input = new TopicPartition(fixture.input, 0);
        consumer.assign(List.of(input));
        consumer.seekToBeginning(List.of(input));
        thread = new Thread(() -> {
            try {
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
                        boolean failed = fails.test(record);
                        if (failed) {
                            headers.add(DlqHeaders.ERROR_REASON, "schema".getBytes(StandardCharsets.UTF_8));
                        }
                        producer.send(new ProducerRecord<>(failed ? fixture.dlq : output, failed ? 0 : null,
                                record.key(), record.value(), headers));
                    }
                    producer.flush();
                }
            } catch (WakeupException closing) {
                // close() asked
            }
        }, "stand-in-pipeline");
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join();
        consumer.close();
        producer.close();
    }
}
