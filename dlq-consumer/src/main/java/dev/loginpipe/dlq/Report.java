package dev.loginpipe.dlq;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What is in the DLQ: counts per reason and per violated field/keyword, how many of them replay has published
 * already, when they arrived, and where to look.
 */
public final class Report {
    static final int EXAMPLES_PER_REASON = 3;
    /** How records without a {@code schema.version} header are counted. */
    static final String NO_VERSION = "none";

    /** The records of one reason. */
    public static final class ReasonStats {
        private long count;
        private long alreadyReplayed;
        private long firstAt = Long.MAX_VALUE;
        private long lastAt = Long.MIN_VALUE;
        private final List<String> examples = new ArrayList<>();

        public long count() {
            return count;
        }

        public long alreadyReplayed() {
            return alreadyReplayed;
        }

        public List<String> examples() {
            return examples;
        }
    }

    private final String topic;
    private final Predicate<DlqRecord> replayed;
    private final Map<String, ReasonStats> byReason = new TreeMap<>();
    private final Map<String, Long> byViolation = new TreeMap<>();
    private final Map<String, Long> bySchemaVersion = new TreeMap<>();
    private long total;
    private long alreadyReplayed;

    /** {@code replayed} tells the records that replay has published already (the ledger's). */
    public Report(String topic, Predicate<DlqRecord> replayed) {
        this.topic = topic;
        this.replayed = replayed;
    }

    public void add(DlqRecord record) {
        total++;
        ReasonStats stats = byReason.computeIfAbsent(record.reason(), r -> new ReasonStats());
        stats.count++;
        if (replayed.test(record)) {
            stats.alreadyReplayed++;
            alreadyReplayed++;
        }
        stats.firstAt = Math.min(stats.firstAt, record.at());
        stats.lastAt = Math.max(stats.lastAt, record.at());
        if (stats.examples.size() < EXAMPLES_PER_REASON) {
            stats.examples.add(record.coordinates());
        }
        record.violations().forEach(v -> byViolation.merge(v, 1L, Long::sum));
        bySchemaVersion.merge(record.schemaVersion() == null ? NO_VERSION : record.schemaVersion(), 1L, Long::sum);
    }

    public long total() {
        return total;
    }

    public long alreadyReplayed() {
        return alreadyReplayed;
    }

    public Map<String, ReasonStats> byReason() {
        return byReason;
    }

    public Map<String, Long> byViolation() {
        return byViolation;
    }

    /** Records per {@code schema.version} that judged them ({@value #NO_VERSION} without one). */
    public Map<String, Long> bySchemaVersion() {
        return bySchemaVersion;
    }

    /** The report for people. */
    public String table() {
        StringBuilder out = new StringBuilder(String.format("DLQ %s: %d records, %d already replayed%n", topic,
                total, alreadyReplayed));
        if (total == 0) {
            return out.toString();
        }
        out.append(String.format("%n%-12s %8s %8s  %-24s  %-24s  %s%n", "reason", "records", "replayed",
                "first error.at", "last error.at", "examples (partition:offset)"));
        byReason.forEach((reason, s) -> out.append(String.format("%-12s %8d %8d  %-24s  %-24s  %s%n", reason,
                s.count, s.alreadyReplayed, Instant.ofEpochMilli(s.firstAt), Instant.ofEpochMilli(s.lastAt),
                String.join(" ", s.examples))));
        if (!byViolation.isEmpty()) {
            out.append(String.format("%n%-36s %8s%n", "violated field/keyword", "records"));
            byViolation.forEach((violation, count) -> out.append(String.format("%-36s %8d%n", violation, count)));
        }
        out.append(String.format("%n%-36s %8s%n", "schema version", "records"));
        bySchemaVersion.forEach((version, count) -> out.append(String.format("%-36s %8d%n", version, count)));
        return out.toString();
    }

    /** The same as one JSON object; {@code by_reason} maps each reason to its count. */
    public String json() {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode().put("topic", topic).put("total", total)
                .put("already_replayed", alreadyReplayed);
        ObjectNode counts = root.putObject("by_reason");
        ObjectNode details = root.putObject("reasons");
        byReason.forEach((reason, s) -> {
            counts.put(reason, s.count);
            ObjectNode detail = details.putObject(reason).put("count", s.count)
                    .put("already_replayed", s.alreadyReplayed)
                    .put("first_error_at", Instant.ofEpochMilli(s.firstAt).toString())
                    .put("last_error_at", Instant.ofEpochMilli(s.lastAt).toString());
            s.examples.forEach(detail.putArray("examples")::add);
        });
        ObjectNode violations = root.putObject("by_violation");
        byViolation.forEach(violations::put);
        ObjectNode versions = root.putObject("by_schema_version");
        bySchemaVersion.forEach(versions::put);
        return root.toString();
    }
}
