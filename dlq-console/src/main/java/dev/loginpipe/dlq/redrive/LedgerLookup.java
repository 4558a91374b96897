package dev.loginpipe.dlq.redrive;

import com.fasterxml.jackson.databind.JsonNode;

/** The replay ledger's entry for one DLQ record, as the console last read the ledger; null when it has none. */
@FunctionalInterface
public interface LedgerLookup {
    /** No ledger read: no record's entry is known. */
    LedgerLookup NONE = (partition, offset) -> null;

    JsonNode entry(int partition, long offset);
}
