package dev.loginpipe.consumer;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.KafkaErrors;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.common.observability.RateLimitedLog;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The search for records the brokers refuse for good (a size, a null key on a compacted output). Most are predicted:
 * the router dead-letters what the topics' settings refuse ({@link TopicLimits}), and a refusal reads those settings
 * again before the retry, so a setting changed while running costs one aborted transaction, whatever number of its
 * records it refuses. For a refusal nobody predicted, which record it was cannot be told from a failed transaction's
 * sends (the client fails its other sends with the same error), so the retry sends one record at a time, and there
 * the failed send is the refused record: a valid event the output refuses then goes to the DLQ as {@code rejected}; a
 * DLQ copy refused is a configuration error, retried with back-off and fresh settings.
 */
final class Refusals {
    private final String outputTopic;
    private final String dlqTopic;
    /** Reads the topics' settings again, before the retry. */
    private final Runnable refreshTopicLimits;
    private final Health health;
    private final RateLimitedLog warnings;
    /** Input records whose routed copy the brokers refused for good, with the error. */
    private final Map<OpenTransaction.Coordinates, String> refused = new HashMap<>();
    private boolean oneByOne;

    Refusals(String outputTopic, String dlqTopic, Runnable refreshTopicLimits, Health health, RateLimitedLog warnings) {
        this.outputTopic = outputTopic;
        this.dlqTopic = dlqTopic;
        this.refreshTopicLimits = refreshTopicLimits;
        this.health = health;
        this.warnings = warnings;
    }

    /** Each send is flushed before the next, so that a refusal names its record. */
    boolean oneByOne() {
        return oneByOne;
    }

    /** Why the brokers refused this record's routed copy before, or null. */
    String of(ConsumerRecord<byte[], byte[]> in) {
        return refused.isEmpty() ? null : refused.get(OpenTransaction.Coordinates.of(in));
    }

    /** A transaction failed: learn from its sends whether, and which, record was refused. */
    void learn(OpenTransaction failed) {
        int at = -1;
        Throwable error = null;
        for (int i = 0; i < failed.count(); i++) {
            Throwable e = failure(failed.result(i));
            if (KafkaErrors.isRefusal(e)) {
                at = i;
                error = e;
            }
        }
        if (at < 0) {
            return;
        }
        refreshTopicLimits.run();
        OpenTransaction.Coordinates in = failed.coordinates(at);
        if (!oneByOne) {
            oneByOne = true;
            warnings.warn("one-by-one", "the brokers refused a record for good (" + ErrorText.of(error)
                    + "); sending one record at a time to find it");
        } else if (failed.toDlq(at)) {
            health.notReady("the DLQ refuses records: " + ErrorText.of(error));
            warnings.warn("dlq-refused", "the DLQ topic " + dlqTopic + " refuses the DLQ copy of " + in + " ("
                    + ErrorText.of(error) + "); check its settings; retrying, nothing is skipped");
        } else {
            refused.put(in, "the brokers refuse it for " + outputTopic + ": " + ErrorText.of(error));
        }
    }

    void committed(OpenTransaction tx) {
        for (int i = 0; i < tx.count() && !refused.isEmpty(); i++) {
            refused.remove(tx.coordinates(i));
        }
        oneByOne = false;
    }

    /** Partitions moved away: what was learnt about their records is the next owner's to learn; the rest is kept. */
    void forget(Collection<TopicPartition> partitions) {
        if (refused.isEmpty()) {
            return;
        }
        Set<Integer> gone = new HashSet<>();
        partitions.forEach(tp -> gone.add(tp.partition()));
        refused.keySet().removeIf(in -> gone.contains(in.partition()));
    }

    /** The error of a completed send, or null. */
    static Throwable failure(Future<RecordMetadata> result) {
        if (!result.isDone()) {
            return null;
        }
        try {
            result.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }
}
