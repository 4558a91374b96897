package dev.loginpipe.producer;

import java.io.IOException;
import java.util.Optional;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/** The send loop: takes records from a source, paced, until the source ends, the count is reached or it is stopped. */
public final class EventSender {
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final DeliveryStats stats;
    private final RateLimiter pace;
    private final long limit;
    private volatile boolean stopped;

    /** {@code limit} 0 sends until the source ends or {@link #stop()}. */
    public EventSender(Producer<byte[], byte[]> producer, String topic, DeliveryStats stats, RateLimiter pace,
                       long limit) {
        this.producer = producer;
        this.topic = topic;
        this.stats = stats;
        this.pace = pace;
        this.limit = limit;
    }

    /** Sends, then waits until every record handed to the client is acknowledged or has failed. */
    public void run(EventSource source) throws IOException, InterruptedException {
        try {
            long handed = 0;
            while (!stopped && (limit == 0 || handed < limit)) {
                Optional<OutgoingRecord> next = source.next();
                if (next.isEmpty()) {
                    break;
                }
                pace.acquire();
                send(next.get());
                handed++;
            }
        } finally {
            producer.flush();
        }
    }

    private void send(OutgoingRecord record) {
        try {
            producer.send(new ProducerRecord<>(topic, record.key(), record.value()), stats.callback());
        } catch (KafkaException e) {
            stats.failed(e);
        }
    }

    /** Ends the loop after the record in hand; safe from another thread (the SIGTERM hook). */
    public void stop() {
        stopped = true;
    }
}
