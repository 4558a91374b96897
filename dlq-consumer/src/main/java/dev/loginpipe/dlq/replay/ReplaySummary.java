package dev.loginpipe.dlq.replay;

import java.util.List;

/**
 * What one replay run did (or, told to {@link ReplayControl#progress}, has done so far).
 *
 * @param replayId               the run's id, in the {@code replay.id} header of what it published
 * @param read                   DLQ records it read
 * @param replayed               records published (or, in a dry run, that would have been)
 * @param leftOut                records a filter left out
 * @param skippedAlreadyReplayed records the ledger says were published by an earlier replay (without --again)
 * @param skippedMaxReplays      records already replayed {@code MAX_REPLAYS} times
 * @param skippedTruncated       records whose value was cut to fit the DLQ
 * @param skippedExamples        where the first records skipped as truncated or replayed too often are,
 *                               "partition:offset"
 */
public record ReplaySummary(String replayId, String to, boolean dryRun, long read, long replayed, long leftOut,
                            long skippedAlreadyReplayed, long skippedMaxReplays, long skippedTruncated,
                            List<String> skippedExamples) {

    /** The summary for people, one fact a line. */
    public String text() {
        String verb = dryRun ? "would replay" : "replayed";
        return String.format("%s%s %d of %d records read to %s%s%n", dryRun ? "dry run: " : "", verb, replayed, read,
                to, dryRun ? "" : " (replay id " + replayId + ")")
                + String.format("left out by filters: %d%n", leftOut)
                + String.format("skipped, already replayed: %d%n", skippedAlreadyReplayed)
                + String.format("skipped, replayed MAX_REPLAYS times already: %d%n", skippedMaxReplays)
                + String.format("skipped, truncated payload: %d%s%n", skippedTruncated,
                        skippedExamples.isEmpty() ? "" : "\nskipped records (partition:offset): "
                                + String.join(" ", skippedExamples));
    }
}
