package dev.loginpipe.consumer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.KafkaErrors;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.common.observability.RateLimitedLog;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The loop's transactional producer, and the rules for keeping one: a commit or an abort that timed out is retried
 * (the client allows it, and its outcome is then known); a producer that cannot abort is replaced, since a new one with
 * the same transactional id settles the open transaction on the broker, though not always as an abort (see
 * {@link #abort()}); a fenced one is never replaced, since its replacement would fence the live instance that fenced
 * it.
 */
final class TransactionalProducer implements AutoCloseable {
    private final Clients clients;
    private final Backoff backoff;
    private final Health health;
    private final RateLimitedLog warnings;
    private final BooleanSupplier stopping;
    private Producer<byte[], byte[]> producer;
    private boolean inTransaction;

    TransactionalProducer(Clients clients, Backoff backoff, Health health, RateLimitedLog warnings,
                          BooleanSupplier stopping) {
        this.clients = clients;
        this.backoff = backoff;
        this.health = health;
        this.warnings = warnings;
        this.stopping = stopping;
        producer = initialised();
    }

    /** Begins a transaction; a producer left in an error state that is not fencing is replaced first. */
    void begin() {
        try {
            producer.beginTransaction();
        } catch (KafkaException | IllegalStateException e) {
            replace(e);
            producer.beginTransaction();
        }
        inTransaction = true;
    }

    Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return producer.send(record);
    }

    void flush() {
        producer.flush();
    }

    /** Adds the offsets to the open transaction and commits it; returns once the outcome is known. */
    void commit(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        producer.sendOffsetsToTransaction(offsets, group);
        retryOnTimeout("commit", producer::commitTransaction);
        inTransaction = false;
    }

    /**
     * Ends the open transaction, if there is one. Returns false when its outcome is not known here: the producer could
     * not abort and was replaced, and the replacement's {@code initTransactions} settled the transaction on the broker,
     * which completes a commit already prepared (an error the client does not map can come after the coordinator
     * made the commit durable) and aborts anything else. Only the group's committed offsets tell which it was.
     */
    boolean abort() {
        if (!inTransaction) {
            return true;
        }
        inTransaction = false;
        try {
            retryOnTimeout("abort", producer::abortTransaction);
            return true;
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException | IllegalStateException e) {
            replace(e);
            return false;
        }
    }

    /**
     * The producer cannot go on after {@code e}: a new one with the same transactional id settles its open transaction
     * on the broker, unless {@code e} says another producer owns that id.
     */
    private void replace(RuntimeException e) {
        if (KafkaErrors.isFatal(e)) {
            throw new FatalException(e);
        }
        warnings.warn("replace", "replacing the transactional producer after: " + ErrorText.of(e));
        producer.close(Duration.ZERO);
        producer = initialised();
    }

    /**
     * A call that timed out (brokers or coordinator away longer than max.block.ms) is retried until it completes;
     * a stop meanwhile leaves the outcome to the broker, which aborts the transaction when the producer is gone.
     */
    private void retryOnTimeout(String what, Runnable call) {
        while (true) {
            try {
                call.run();
                return;
            } catch (TimeoutException e) {
                if (stopping.getAsBoolean()) {
                    throw new WakeupException();
                }
                health.notReady(what + " timed out, retrying: " + ErrorText.of(e));
                warnings.warn(what, what + " timed out, retrying it: " + ErrorText.of(e));
                backoff.pause(stopping);
            }
        }
    }

    private Producer<byte[], byte[]> initialised() {
        while (true) {
            Producer<byte[], byte[]> p = clients.producer();
            try {
                p.initTransactions();
                return p;
            } catch (KafkaException e) {
                p.close(Duration.ZERO);
                if (KafkaErrors.isFatal(e)) {
                    throw new FatalException(e);
                }
                if (stopping.getAsBoolean()) {
                    throw new WakeupException();
                }
                health.notReady("transactional producer not initialised: " + ErrorText.of(e));
                warnings.warn("init", "cannot initialise the transactional producer, retrying: " + ErrorText.of(e));
                backoff.pause(stopping);
            }
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    /** Ends the loop with exit status 1: fenced, or an error no retry can outlive. */
    static final class FatalException extends RuntimeException {
        FatalException(Throwable cause) {
            super(ErrorText.of(cause), cause);
        }
    }
}
