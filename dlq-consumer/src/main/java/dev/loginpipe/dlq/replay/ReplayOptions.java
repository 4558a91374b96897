package dev.loginpipe.dlq.replay;

import dev.loginpipe.common.validation.FailureSignature;
import dev.loginpipe.dlq.DlqRecord;

/**
 * What {@code replay} publishes and where.
 *
 * @param to        the topic replayed records go to
 * @param reason    only records of this {@code error.reason}, or null for all
 * @param since     only records dead-lettered at or after this epoch ms, or null
 * @param until     stop each partition at its first record dead-lettered after this epoch ms, or null
 * @param limit     most records to publish, 0 for no limit
 * @param dryRun    publish and commit nothing, only count
 * @param again     publish records the ledger says were replayed already, too
 * @param signature only records of this failure signature ({@link FailureSignature#id()}), or null for all
 * @param schemaVersion only records judged by this schema version ({@code schema.version}), or null for all
 */
public record ReplayOptions(String to, String reason, Long since, Long until, long limit, boolean dryRun,
                            boolean again, String signature, String schemaVersion) {

    /** Without a schema version filter. */
    public ReplayOptions(String to, String reason, Long since, Long until, long limit, boolean dryRun,
                         boolean again, String signature) {
        this(to, reason, since, until, limit, dryRun, again, signature, null);
    }

    /** Without a signature filter. */
    public ReplayOptions(String to, String reason, Long since, Long until, long limit, boolean dryRun,
                         boolean again) {
        this(to, reason, since, until, limit, dryRun, again, null, null);
    }

    /** Whether a filter leaves this record out (it is passed over, not replayed). */
    boolean leavesOut(DlqRecord record) {
        return (reason != null && !reason.equals(record.reason())) || (since != null && record.at() < since)
                || (signature != null && !signature.equals(record.signature().id()))
                || (schemaVersion != null && !schemaVersion.equals(record.schemaVersion()));
    }

    boolean beyondUntil(DlqRecord record) {
        return until != null && record.at() > until;
    }

    /** The same selection with another limit. */
    public ReplayOptions withLimit(long newLimit) {
        return new ReplayOptions(to, reason, since, until, newLimit, dryRun, again, signature, schemaVersion);
    }

    /** The same selection, counted only or published. */
    public ReplayOptions withDryRun(boolean newDryRun) {
        return new ReplayOptions(to, reason, since, until, limit, newDryRun, again, signature, schemaVersion);
    }
}
