package dev.loginpipe.consumer;

import dev.loginpipe.common.ErrorText;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * Sorts errors into three kinds: the ones that a retry can outlive (broker restarts, timeouts, leader moves, a lost
 * group generation, a topic not yet created or not yet writable, and what Kafka 4's transactional producer calls
 * abortable, e.g. {@code OutOfOrderSequenceException}); the refusal of one record for good, which must not hold up the
 * rest; and the fatal ones, where retrying would loop forever or where another process now owns this instance's
 * transactional id (a new producer would fence it). Kafka 4 files {@code InvalidRecordException} under
 * {@code InvalidConfigurationException}: both are a refusal of records, not fatal here.
 */
final class Failures {
    private Failures() {
    }

    static boolean isFatal(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException
                    || t instanceof FencedInstanceIdException
                    || t instanceof AuthenticationException
                    || t instanceof TransactionalIdAuthorizationException
                    || t instanceof ClusterAuthorizationException
                    || t instanceof UnsupportedVersionException) {
                return true;
            }
        }
        return false;
    }

    /** The brokers will never accept this one record as it is (its size, a null key on a compacted topic). */
    static boolean isPermanentForRecord(Throwable error) {
        return error instanceof RecordTooLargeException
                || error instanceof RecordBatchTooLargeException
                || error instanceof InvalidRecordException;
    }

    /** Thrown to end the loop with a non-zero exit status. */
    static final class FatalException extends RuntimeException {
        FatalException(Throwable cause) {
            super(ErrorText.of(cause), cause);
        }
    }
}
