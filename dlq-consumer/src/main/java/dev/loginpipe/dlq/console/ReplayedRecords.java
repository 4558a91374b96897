package dev.loginpipe.dlq.console;

/**
 * Whether replay has already published the DLQ record at these coordinates. The console counts them per signature;
 * the replay ledger answers this once it is wired in ({@code ReplayLedger::contains}).
 */
@FunctionalInterface
public interface ReplayedRecords {
    /** Until a ledger is wired in: nothing is known to be replayed. */
    ReplayedRecords NONE = (partition, offset) -> false;

    boolean replayed(int partition, long offset);
}
