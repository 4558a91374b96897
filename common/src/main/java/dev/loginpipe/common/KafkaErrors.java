package dev.loginpipe.common;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * The one classification of Kafka errors for every transactional loop of the project (the router, replay, redrive).
 * Three kinds: fenced or otherwise fatal, where retrying would loop forever or a new producer would fence the live
 * owner of the transactional id; the refusal of one record for good, which must not hold up the rest; and everything
 * else, which a retry outlives (broker restarts, timeouts, leader moves, a lost group generation, a topic not yet
 * created or not writable, what Kafka 4's transactional producer calls abortable). Causes are searched too: the
 * producer reports an earlier error as the cause of "we are in an error state".
 */
public final class KafkaErrors {
    private KafkaErrors() {
    }

    /**
     * Another producer owns the transactional id now. Kafka 4's transactions (V2) answer a fenced commit with
     * INVALID_TXN_STATE or INVALID_PRODUCER_EPOCH as well as PRODUCER_FENCED (KAFKA-20785); any of them means this
     * producer can never commit again, and a new one would fence the instance that replaced it.
     */
    public static boolean isFenced(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException
                    || t instanceof InvalidTxnStateException || t instanceof FencedInstanceIdException) {
                return true;
            }
        }
        return false;
    }

    /** Fenced, or a setting or permission that no retry can change. */
    public static boolean isFatal(Throwable error) {
        if (isFenced(error)) {
            return true;
        }
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationException
                    || t instanceof TransactionalIdAuthorizationException
                    || t instanceof ClusterAuthorizationException
                    || t instanceof UnsupportedVersionException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The brokers will never accept this one record as it is (its size, a null key on a compacted topic). Kafka 4
     * files {@code InvalidRecordException} under {@code InvalidConfigurationException}: a refusal, not fatal.
     */
    public static boolean isRefusal(Throwable error) {
        return error instanceof RecordTooLargeException
                || error instanceof RecordBatchTooLargeException
                || error instanceof InvalidRecordException;
    }
}
