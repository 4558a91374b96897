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
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.validation.EventValidator;
import dev.loginpipe.common.validation.ValidationResult;
import dev.loginpipe.dlq.DlqRecord;
import dev.loginpipe.common.validation.FailureSignature;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a {@link Backtest} or a shadow (the console's) found: counts, signatures whose fate changes, and examples, as text or
 * JSON; and, when a registry is configured, what it says of the candidate ({@code registry}, else null).
 *
 * @param origin how the candidate goes live ("schema.version 0a1b2c3d4e5f once live as a file")
 */
public record BacktestResult(String schema, String version, String origin, long outputRead, long dlqRead,
                             long dlqTruncated, List<Group> newlyRejected, long rejectedOther,
                             List<Group> newlyAccepted, long acceptedOther, RegistryCompatibility registry) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Records of one signature whose fate changes, with a few of them (partition, offset, what failed). */
    public record Group(FailureSignature signature, long count, List<Example> examples) {
    }

    /** A record and the paths and rules it breaks ("/ip format"). */
    public record Example(int partition, long offset, List<String> failed) {
    }

    public BacktestResult withRegistry(RegistryCompatibility answer) {
        return new BacktestResult(schema, version, origin, outputRead, dlqRead, dlqTruncated, newlyRejected,
                rejectedOther, newlyAccepted, acceptedOther, answer);
    }

    /** Whether this output record is one of the examples of the records the candidate would newly reject. */
    public boolean listsRejected(int partition, long offset) {
        return newlyRejected.stream().flatMap(g -> g.examples().stream())
                .anyMatch(e -> e.partition() == partition && e.offset() == offset);
    }

    public long rejectedCount() {
        return newlyRejected.stream().mapToLong(Group::count).sum() + rejectedOther;
    }

    public long acceptedCount() {
        return newlyAccepted.stream().mapToLong(Group::count).sum() + acceptedOther;
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
        table(out, newlyRejected, rejectedOther);
        out.append("\nnewly accepted (DLQ records the candidate would let through");
        out.append(dlqTruncated > 0 ? "; " + number(dlqTruncated) + " truncated records never count" : "")
                .append("):\n");
        table(out, newlyAccepted, acceptedOther);
        return out.toString();
    }

    public ObjectNode json() {
        ObjectNode out = JSON.createObjectNode().put("schema", schema).put("version", version).put("origin", origin)
                .put("verdict", verdict())
                .put("output_read", outputRead).put("newly_rejected_count", rejectedCount())
                .put("dlq_read", dlqRead).put("dlq_truncated", dlqTruncated).put("newly_accepted_count", acceptedCount());
        groups(out.putArray("newly_rejected"), newlyRejected);
        groups(out.putArray("newly_accepted"), newlyAccepted);
        out.put("newly_rejected_other", rejectedOther).put("newly_accepted_other", acceptedOther);
        out.set("registry_compatibility", registry == null ? out.nullNode() : registry.json());
        out.put("registry_line", registry == null ? null : registry.line());
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

    private static void table(StringBuilder out, List<Group> groups, long other) {
        if (groups.isEmpty() && other == 0) {
            out.append("  none\n");
        }
        for (Group g : groups) {
            out.append(String.format(Locale.ROOT, "  %10s  %s  %s%n", number(g.count()), g.signature().id(),
                    g.signature().label()));
            g.examples().forEach(e -> out.append(String.format(Locale.ROOT, "              e.g. %d:%d %s%n",
                    e.partition(), e.offset(), String.join(", ", e.failed()))));
        }
        if (other > 0) {
            out.append(String.format(Locale.ROOT, "  %10s  of further signatures (more than %d)%n", number(other),
                    Builder.MAX_GROUPS));
        }
    }

    private static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /**
     * Collects findings record by record; a shadow adds records while the page takes snapshots, so it is locked.
     * Signatures come from the input (a property name is part of a path): past {@value #MAX_GROUPS} of one kind, a
     * record is counted in {@code other}.
     */
    public static final class Builder {
        static final int MAX_GROUPS = 500;
        private final String schema;
        private final String version;
        private final String origin;
        private final Map<FailureSignature, Tally> rejected = new LinkedHashMap<>();
        private final Map<FailureSignature, Tally> accepted = new LinkedHashMap<>();
        private long outputRead;
        private long dlqRead;
        private long dlqTruncated;
        private long rejectedOther;
        private long acceptedOther;

        private static final class Tally {
            long count;
            final List<Example> examples = new ArrayList<>(Backtest.EXAMPLES);
        }

        public Builder(CandidateSchema candidate) {
            this.schema = candidate.name();
            this.version = candidate.version();
            this.origin = candidate.origin();
        }

        /** An output record: valid today; counted when the candidate would reject it. */
        public void output(ConsumerRecord<byte[], byte[]> record, EventValidator candidate) {
            ValidationResult verdict = candidate.validate(record.value());
            synchronized (this) {
                outputRead++;
                if (!verdict.isValid()) {
                    FailureSignature wouldGet = FailureSignature.of(verdict,
                            new DlqRecord(record).header(DlqHeaders.SOURCE_TOPIC));
                    if (!count(rejected, wouldGet, record, failed(verdict))) {
                        rejectedOther++;
                    }
                }
            }
        }

        /** A DLQ record: invalid when it was routed; counted when the candidate would let it through. */
        public void dlq(ConsumerRecord<byte[], byte[]> record, EventValidator candidate) {
            DlqRecord dead = new DlqRecord(record);
            boolean wouldPass = !dead.truncated() && candidate.validate(record.value()).isValid();
            synchronized (this) {
                dlqRead++;
                if (dead.truncated()) {
                    dlqTruncated++;
                } else if (wouldPass && !count(accepted, dead.signature(), record, dead.violations())) {
                    acceptedOther++;
                }
            }
        }

        private static boolean count(Map<FailureSignature, Tally> groups, FailureSignature signature,
                                     ConsumerRecord<byte[], byte[]> record, List<String> failed) {
            Tally tally = groups.get(signature);
            if (tally == null) {
                if (groups.size() == MAX_GROUPS) {
                    return false;
                }
                tally = new Tally();
                groups.put(signature, tally);
            }
            tally.count++;
            if (tally.examples.size() < Backtest.EXAMPLES) {
                tally.examples.add(new Example(record.partition(), record.offset(),
                        failed.stream().map(FailureSignature::cut).limit(10).toList()));
            }
            return true;
        }

        private static List<String> failed(ValidationResult verdict) {
            return verdict.violations().isEmpty() ? List.of(verdict.reason().label())
                    : verdict.violations().stream().map(v -> v.path() + " " + v.keyword()).toList();
        }

        public synchronized BacktestResult build() {
            return new BacktestResult(schema, version, origin, outputRead, dlqRead, dlqTruncated, groups(rejected),
                    rejectedOther, groups(accepted), acceptedOther, null);
        }

        private static List<Group> groups(Map<FailureSignature, Tally> tallies) {
            List<Group> groups = new ArrayList<>();
            tallies.forEach((s, t) -> groups.add(new Group(s, t.count, List.copyOf(t.examples))));
            groups.sort(Comparator.comparingLong(Group::count).reversed());
            return List.copyOf(groups);
        }
    }
}
