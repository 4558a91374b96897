package dev.loginpipe.dlq.replay;

/**
 * Another replay of the same ledger started (it shares this run's transactional id): this run stopped at once,
 * with everything it committed recorded in the ledger, and nothing half-written.
 */
public final class ReplayFencedException extends IllegalStateException {
    private final ReplaySummary summary;

    ReplayFencedException(String transactionalId, ReplaySummary summary) {
        super("another replay run took over (transactional id " + transactionalId + "); this one stopped after "
                + "publishing " + summary.replayed() + " records, each once");
        this.summary = summary;
    }

    /** What this run committed before it stopped. */
    public ReplaySummary summary() {
        return summary;
    }
}
