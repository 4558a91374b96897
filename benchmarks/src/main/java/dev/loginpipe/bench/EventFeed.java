package dev.loginpipe.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes generated events to the input topic, a given share of them invalid (spread evenly, cycling through every
 * kind of invalid value), either all at once or at a steady rate. A record's timestamp is its send time: where
 * latency starts.
 */
final class EventFeed implements AutoCloseable {
    /** Records handed to the producer between two flushes when sending all at once: bounds what waits in memory. */
    private static final int FLUSH_EVERY = 20_000;
    private static final List<SampleEvents> INVALID = java.util.Arrays.stream(SampleEvents.values())
            .filter(e -> e != SampleEvents.VALID).toList();

    private final KafkaProducer<byte[], byte[]> producer;
    private final int invalidPercent;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private long sent;
    private long valid;

    EventFeed(String bootstrap, int invalidPercent) {
        this.invalidPercent = invalidPercent;
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024)),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends {@code count} events as fast as the producer takes them and waits until all are acknowledged. */
    void sendAll(String topic, long count) {
        for (long i = 1; i <= count; i++) {
            send(topic);
            if (i % FLUSH_EVERY == 0) {
                flush();
            }
        }
        flush();
    }

    /** Sends {@code rate} events a second for {@code duration}, in 1 ms steps, then waits for the acknowledgements. */
    void sendSteadily(String topic, int rate, Duration duration) throws InterruptedException {
        long start = System.nanoTime();
        long total = (long) rate * duration.toSeconds();
        long first = sent;
        while (sent - first < total) {
            long due = Math.min(total, (System.nanoTime() - start) * rate / 1_000_000_000L);
            while (sent - first < due) {
                send(topic);
            }
            Thread.sleep(1);
        }
        flush();
    }

    /** Events sent that are valid, so expected on the output topic. */
    long validSent() {
        return valid;
    }

    private void send(String topic) {
        long n = sent++;
        byte[] value;
        if ((n + 1) * invalidPercent / 100 > n * invalidPercent / 100) { // e.g. 10%: the 10th, 20th, ... event
            value = INVALID.get((int) ((n - valid) % INVALID.size())).value();
        } else {
            value = SampleEvents.valid(n);
            valid++;
        }
        producer.send(new ProducerRecord<>(topic, ("u-" + n).getBytes(UTF_8), value), (metadata, error) -> {
            if (error != null) {
                failure.compareAndSet(null, error);
            }
        });
    }

    /** Waits for every record sent so far; fails if any was not delivered, since the counts would be off. */
    private void flush() {
        producer.flush();
        Exception error = failure.get();
        if (error != null) {
            throw new IllegalStateException("an event was not delivered", error);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
