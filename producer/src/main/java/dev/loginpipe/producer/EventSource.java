package dev.loginpipe.producer;

import java.io.IOException;
import java.util.Optional;

/** Where the records to send come from: generated events, or the lines of a file. */
public interface EventSource extends AutoCloseable {
    /** The next record, or empty when there are no more. */
    Optional<OutgoingRecord> next() throws IOException;

    /** Records read but never offered because they cannot be sent (lines longer than a record); each was logged. */
    default long skipped() {
        return 0;
    }

    @Override
    default void close() throws IOException {
    }
}
