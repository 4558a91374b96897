package dev.loginpipe.consumer;

import dev.loginpipe.common.ErrorText;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * Sorts errors into the ones that a retry can outlive (broker restarts, timeouts, leader moves, a lost group
 * generation, a topic not yet created or not yet writable) and the fatal ones, where retrying would loop forever or
 * where another process now owns this instance's transactional id.
 */
final class Failures {
    private Failures() {
    }

    static boolean isFatal(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException
                    || t instanceof FencedInstanceIdException
                    || t instanceof OutOfOrderSequenceException
                    || t instanceof AuthenticationException
                    || t instanceof TransactionalIdAuthorizationException
                    || t instanceof ClusterAuthorizationException
                    || t instanceof UnsupportedVersionException) {
                return true;
            }
        }
        return false;
    }

    /** Thrown to end the loop with a non-zero exit status. */
    static final class FatalException extends RuntimeException {
        FatalException(Throwable cause) {
            super(ErrorText.of(cause), cause);
        }
    }
}
