package dev.loginpipe.dlq.console;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The signatures table, computed in one pass over the index: per signature the count, first and last
 * {@code error.at}, records per hour over the last {@link #TREND_HOURS} hours, how many replay has already published,
 * how many are truncated, and the {@code replay.count} histogram whose last bucket is "MAX_REPLAYS or more" (the
 * records replay skips).
 */
final class SignatureStats {
    static final int TREND_HOURS = 24;
    private static final long HOUR = 3_600_000;

    private static final class Stats {
        final int number;
        long count;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long replayed;
        long truncated;
        final long[] trend = new long[TREND_HOURS];
        final long[] replayCounts;

        Stats(int number, int maxReplays) {
            this.number = number;
            this.replayCounts = new long[maxReplays + 1];
        }
    }

    private SignatureStats() {
    }

    static ArrayNode compute(DlqIndex index, Signatures signatures, ReplayedRecords replayed, int maxReplays,
                             long now, ObjectMapper json) {
        List<Stats> stats = new ArrayList<>();
        long trendStart = Instant.ofEpochMilli(now).truncatedTo(ChronoUnit.HOURS).toEpochMilli() - (TREND_HOURS - 1) * HOUR;
        index.forEach((partition, offset, signature, at, replayCount, truncated) -> {
            while (stats.size() <= signature) {
                stats.add(new Stats(stats.size(), maxReplays));
            }
            Stats s = stats.get(signature);
            s.count++;
            s.first = Math.min(s.first, at);
            s.last = Math.max(s.last, at);
            if (at >= trendStart && at < trendStart + TREND_HOURS * HOUR) {
                s.trend[(int) ((at - trendStart) / HOUR)]++;
            }
            s.replayCounts[Math.min(replayCount, maxReplays)]++;
            if (truncated) {
                s.truncated++;
            }
            if (replayed.replayed(partition, offset)) {
                s.replayed++;
            }
        });
        ArrayNode out = json.createArrayNode();
        stats.stream().filter(s -> s.count > 0).sorted(Comparator.comparingLong((Stats s) -> -s.count))
                .forEach(s -> {
                    Signature signature = signatures.get(s.number);
                    ObjectNode node = out.addObject().put("id", signature.id()).put("reason", signature.reason())
                            .put("violations", signature.violations()).put("source_topic", signature.sourceTopic())
                            .put("label", signature.label()).put("count", s.count)
                            .put("first_at", Instant.ofEpochMilli(s.first).toString())
                            .put("last_at", Instant.ofEpochMilli(s.last).toString())
                            .put("replayed", s.replayed).put("truncated", s.truncated)
                            .put("trend_start", Instant.ofEpochMilli(trendStart).toString());
                    ArrayNode trend = node.putArray("trend");
                    for (long hour : s.trend) {
                        trend.add(hour);
                    }
                    ArrayNode histogram = node.putArray("replay_counts");
                    for (long n : s.replayCounts) {
                        histogram.add(n);
                    }
                });
        return out;
    }
}
