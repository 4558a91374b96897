package dev.loginpipe.dlq.replay;

import java.util.List;

/**
 * What one replay run did.
 *
 * @param read              DLQ records it read
 * @param replayed          records published (or, in a dry run, that would have been)
 * @param leftOut           records a filter left out
 * @param skippedMaxReplays records already replayed {@code MAX_REPLAYS} times
 * @param skippedTruncated  records whose value was cut to fit the DLQ
 * @param skippedExamples   where the first skipped records are, "partition:offset"
 */
public record ReplaySummary(String to, boolean dryRun, long read, long replayed, long leftOut,
                            long skippedMaxReplays, long skippedTruncated, List<String> skippedExamples) {

    /** The summary for people, one fact a line. */
    public String text() {
        String verb = dryRun ? "would replay" : "replayed";
        return String.format("%s%s %d of %d records read to %s%n", dryRun ? "dry run: " : "", verb, replayed, read, to)
                + String.format("left out by filters: %d%n", leftOut)
                + String.format("skipped, replayed MAX_REPLAYS times already: %d%n", skippedMaxReplays)
                + String.format("skipped, truncated payload: %d%s%n", skippedTruncated,
                        skippedExamples.isEmpty() ? "" : "\nskipped records (partition:offset): "
                                + String.join(" ", skippedExamples));
    }
}
