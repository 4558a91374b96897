package dev.loginpipe.dlq.console;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Whether replay has already published the DLQ record at these coordinates. The console counts them per signature;
 * the replay ledger answers this once it is wired in ({@code ReplayLedger::contains}).
 */
@FunctionalInterface
public interface ReplayedRecords {
    /** Until a ledger is wired in: nothing is known to be replayed. */
    ReplayedRecords NONE = (partition, offset) -> false;

    boolean replayed(int partition, long offset);

    /** The ledger's entry for this record (which replay published it, when, to where), or null when none is known. */
    default JsonNode entry(int partition, long offset) {
        return null;
    }
}
