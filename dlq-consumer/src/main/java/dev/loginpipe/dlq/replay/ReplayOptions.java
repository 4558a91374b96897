package dev.loginpipe.dlq.replay;

import dev.loginpipe.dlq.DlqRecord;

/**
 * What {@code replay} publishes and where.
 *
 * @param to     the topic replayed records go to
 * @param reason only records of this {@code error.reason}, or null for all
 * @param since  only records dead-lettered at or after this epoch ms, or null
 * @param until  stop each partition at its first record dead-lettered after this epoch ms, or null
 * @param limit  most records to publish, 0 for no limit
 * @param dryRun publish and commit nothing, only count
 * @param again  publish records the ledger says were replayed already, too
 */
public record ReplayOptions(String to, String reason, Long since, Long until, long limit, boolean dryRun,
                            boolean again) {

    /** Whether a filter leaves this record out (it is passed over, not replayed). */
    boolean leavesOut(DlqRecord record) {
        return (reason != null && !reason.equals(record.reason())) || (since != null && record.at() < since);
    }

    boolean beyondUntil(DlqRecord record) {
        return until != null && record.at() > until;
    }
}
