package dev.loginpipe.dlq.backtest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.validation.ValidationResult;
import dev.loginpipe.dlq.DlqRecord;
import dev.loginpipe.common.validation.FailureSignature;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a {@link Backtest} found: counts, signatures whose fate changes, and examples, as text or JSON; and, when a
 * registry is configured, what it says of the candidate ({@code registry}, else null).
 *
 * @param origin how the candidate goes live ("schema.version 0a1b2c3d4e5f once live as a file")
 */
public record BacktestResult(String schema, String version, String origin, long outputRead, long dlqRead,
                             long dlqTruncated, List<Group> newlyRejected, List<Group> newlyAccepted,
                             RegistryCompatibility registry) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Records of one signature whose fate changes, with a few of them (partition, offset, what failed). */
    public record Group(FailureSignature signature, long count, List<Example> examples) {
    }

    /** A record and the paths and rules it breaks ("/ip format"). */
    public record Example(int partition, long offset, List<String> failed) {
    }

    public BacktestResult withRegistry(RegistryCompatibility answer) {
        return new BacktestResult(schema, version, origin, outputRead, dlqRead, dlqTruncated, newlyRejected,
                newlyAccepted, answer);
    }

    public long rejectedCount() {
        return newlyRejected.stream().mapToLong(Group::count).sum();
    }

    public long acceptedCount() {
        return newlyAccepted.stream().mapToLong(Group::count).sum();
    }

    /** "compatible on this data: 0 of 48,210 recent records break", or how many do. */
    public String verdict() {
        long broken = rejectedCount();
        return (broken == 0 ? "compatible on this data: 0" : "NOT compatible on this data: " + number(broken))
                + " of " + number(outputRead) + " recent records break; " + number(acceptedCount()) + " of "
                + number(dlqRead) + " DLQ records would pass";
    }

    public String text() {
        StringBuilder out = new StringBuilder("backtest of ").append(schema).append(" (").append(origin).append(")\n")
                .append(verdict()).append('\n');
        if (registry != null) {
            out.append(registry.line()).append('\n');
        }
        out.append("\nnewly rejected (output records the candidate would send to the DLQ):\n");
        table(out, newlyRejected, true);
        out.append("\nnewly accepted (DLQ records the candidate would let through");
        out.append(dlqTruncated > 0 ? "; " + number(dlqTruncated) + " truncated records never count" : "")
                .append("):\n");
        table(out, newlyAccepted, false);
        return out.toString();
    }

    public ObjectNode json() {
        ObjectNode out = JSON.createObjectNode().put("schema", schema).put("version", version).put("origin", origin)
                .put("verdict", verdict())
                .put("output_read", outputRead).put("newly_rejected_count", rejectedCount())
                .put("dlq_read", dlqRead).put("dlq_truncated", dlqTruncated).put("newly_accepted_count", acceptedCount());
        groups(out.putArray("newly_rejected"), newlyRejected);
        groups(out.putArray("newly_accepted"), newlyAccepted);
        out.set("registry_compatibility", registry == null ? out.nullNode() : registry.json());
        return out;
    }

    private static void groups(ArrayNode array, List<Group> groups) {
        for (Group g : groups) {
            ObjectNode node = array.addObject().put("id", g.signature().id()).put("label", g.signature().label())
                    .put("reason", g.signature().reason()).put("source_topic", g.signature().sourceTopic())
                    .put("count", g.count());
            var examples = node.putArray("examples");
            g.examples().forEach(e -> {
                ObjectNode example = examples.addObject().put("partition", e.partition()).put("offset", e.offset());
                e.failed().forEach(example.putArray("failed")::add);
            });
        }
    }

    private static void table(StringBuilder out, List<Group> groups, boolean examples) {
        if (groups.isEmpty()) {
            out.append("  none\n");
        }
        for (Group g : groups) {
            out.append(String.format(Locale.ROOT, "  %10s  %s  %s%n", number(g.count()), g.signature().id(),
                    g.signature().label()));
            if (examples) {
                g.examples().forEach(e -> out.append(String.format(Locale.ROOT, "              e.g. %d:%d %s%n",
                        e.partition(), e.offset(), String.join(", ", e.failed()))));
            }
        }
    }

    private static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Collects a backtest's findings record by record. */
    static final class Builder {
        private final String schema;
        private final String version;
        private final String origin;
        private final Map<FailureSignature, long[]> accepted = new LinkedHashMap<>();
        private final Map<FailureSignature, List<Example>> examples = new LinkedHashMap<>();
        private final Map<FailureSignature, long[]> rejectedCounts = new LinkedHashMap<>();
        private long outputRead;
        private long dlqRead;
        private long dlqTruncated;

        Builder(CandidateSchema candidate) {
            this.schema = candidate.name();
            this.version = candidate.version();
            this.origin = candidate.origin();
        }

        /** An output record and, when the candidate rejects it, the signature it would get. */
        void output(ConsumerRecord<byte[], byte[]> record, FailureSignature wouldGet, ValidationResult verdict) {
            outputRead++;
            if (wouldGet == null) {
                return;
            }
            rejectedCounts.computeIfAbsent(wouldGet, s -> new long[1])[0]++;
            List<Example> kept = examples.computeIfAbsent(wouldGet, s -> new ArrayList<>());
            if (kept.size() < Backtest.EXAMPLES) {
                List<String> failed = verdict.violations().isEmpty() ? List.of(verdict.reason().label())
                        : verdict.violations().stream().map(v -> FailureSignature.cut(v.path() + " " + v.keyword()))
                                .limit(10).toList();
                kept.add(new Example(record.partition(), record.offset(), failed));
            }
        }

        void dlq(DlqRecord record, boolean wouldPass) {
            dlqRead++;
            if (record.truncated()) {
                dlqTruncated++;
            } else if (wouldPass) {
                accepted.computeIfAbsent(record.signature(), s -> new long[1])[0]++;
            }
        }

        BacktestResult build() {
            List<Group> newlyRejected = new ArrayList<>();
            rejectedCounts.forEach((s, n) -> newlyRejected.add(new Group(s, n[0], List.copyOf(examples.get(s)))));
            List<Group> newlyAccepted = new ArrayList<>();
            accepted.forEach((s, n) -> newlyAccepted.add(new Group(s, n[0], List.of())));
            Comparator<Group> largestFirst = Comparator.comparingLong(Group::count).reversed();
            newlyRejected.sort(largestFirst);
            newlyAccepted.sort(largestFirst);
            return new BacktestResult(schema, version, origin, outputRead, dlqRead, dlqTruncated,
                    List.copyOf(newlyRejected), List.copyOf(newlyAccepted), null);
        }
    }
}
