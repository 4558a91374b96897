package dev.loginpipe.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The rows of one harness run, each the median of its rounds, and the ratios between rows taken round by round
 * within one setting of JVM flags: Markdown for people, JSON with every round's numbers.
 */
final class BenchReport {
    /**
     * One row: what ran, with which JVM flags, how many records, and per round its records/s and CPU microseconds
     * per record of the routers and of the broker (empty lists where a row does not measure them).
     */
    record Row(String measurement, String jvmFlags, long records, List<Double> perSecond, List<Double> routerMicros,
               List<Double> brokerMicros, String details, Map<String, Object> numbers) {
    }

    /** One rate divided by another, round by round, both sides with the same JVM flags, and what it should reach. */
    record Ratio(String name, String jvmFlags, List<Double> perRound, String target) {
    }

    private final Map<String, Object> run = new LinkedHashMap<>();
    private final List<Row> rows = new ArrayList<>();
    private final List<Ratio> ratios = new ArrayList<>();

    BenchReport(Map<String, Object> machine) {
        run.putAll(machine);
    }

    /** A fact about the run, for the JSON (e.g. the load average at its end). */
    void note(String name, Object value) {
        run.put(name, value);
    }

    void add(Row row) {
        rows.add(row);
    }

    /**
     * The ratios of one setting of JVM flags from each entry's rates per round: both sides of a ratio ran with
     * those flags, never one setting over another. The limit (a tool, not a router; empty if not measured) is the
     * same for every setting. A ratio whose side was not measured is left out.
     */
    void addRatios(JvmFlags flags, Map<Entry, List<Double>> rates, List<Double> limit) {
        List<Double> one = rates.get(new Entry(Contender.LOGINPIPE_1, flags));
        addRatio("loginpipe 1 instance / Kafka Streams tuned", flags, one,
                rates.get(new Entry(Contender.STREAMS_TUNED, flags)), "≥ 1.3");
        addRatio("loginpipe 1 instance / Kafka Streams defaults", flags, one,
                rates.get(new Entry(Contender.STREAMS_DEFAULTS, flags)), "> 1");
        addRatio("loginpipe 1 instance / ProducerPerformance", flags, one, limit, "≥ 0.6");
        addRatio("loginpipe 3 instances / 1 instance", flags, rates.get(new Entry(Contender.LOGINPIPE_3, flags)), one,
                "≥ 1");
    }

    List<Ratio> ratios() {
        return List.copyOf(ratios);
    }

    private void addRatio(String name, JvmFlags flags, List<Double> over, List<Double> under, String target) {
        if (over == null || under == null || under.isEmpty()) {
            return;
        }
        List<Double> perRound = new ArrayList<>();
        for (int r = 0; r < over.size(); r++) {
            perRound.add(over.get(r) / under.get(r));
        }
        ratios.add(new Ratio(name, flags.label(), perRound, target));
    }

    String markdown() {
        StringBuilder out = new StringBuilder(
                "| measurement | JVM flags | records | events/s | router CPU µs/record | broker CPU µs/record "
                        + "| details |\n|---|---|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,.0f | %s | %s | %s |%n", r.measurement(),
                    r.jvmFlags(), r.records(), median(r.perSecond()), micros(r.routerMicros()),
                    micros(r.brokerMicros()), r.details()));
        }
        if (!ratios.isEmpty()) {
            out.append("\n| ratio (median of the rounds' ratios) | JVM flags, both sides | value | target ")
                    .append("| each round |\n|---|---|---:|---|---|\n");
            for (Ratio r : ratios) {
                out.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %s | %s |%n", r.name(), r.jvmFlags(),
                        median(r.perRound()), r.target(), String.join(", ", r.perRound().stream()
                                .map(x -> String.format(Locale.ROOT, "%.2f", x)).toList())));
            }
        }
        return out.toString();
    }

    void writeJson(Path file) throws IOException {
        List<Map<String, Object>> jsonRows = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("measurement", r.measurement());
            row.put("jvm_flags", r.jvmFlags());
            row.put("records", r.records());
            row.put("records_per_second", Math.round(median(r.perSecond())));
            row.put("records_per_second_rounds", r.perSecond().stream().map(Math::round).toList());
            if (!r.routerMicros().isEmpty()) {
                row.put("router_cpu_us_per_record", round2(median(r.routerMicros())));
                row.put("router_cpu_us_per_record_rounds", r.routerMicros().stream().map(BenchReport::round2).toList());
                row.put("broker_cpu_us_per_record", round2(median(r.brokerMicros())));
                row.put("broker_cpu_us_per_record_rounds", r.brokerMicros().stream().map(BenchReport::round2).toList());
            }
            row.putAll(r.numbers());
            jsonRows.add(row);
        }
        List<Map<String, Object>> jsonRatios = new ArrayList<>();
        for (Ratio r : ratios) {
            Map<String, Object> ratio = new LinkedHashMap<>();
            ratio.put("ratio", r.name());
            ratio.put("jvm_flags", r.jvmFlags());
            ratio.put("median", round2(median(r.perRound())));
            ratio.put("target", r.target());
            ratio.put("rounds", r.perRound().stream().map(BenchReport::round2).toList());
            jsonRatios.add(ratio);
        }
        Map<String, Object> json = new LinkedHashMap<>(run);
        json.put("rows", jsonRows);
        json.put("ratios", jsonRatios);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
    }

    /** The middle value; the mean of the two middle ones for an even count. */
    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String micros(List<Double> perRound) {
        return perRound.isEmpty() ? "–" : String.format(Locale.ROOT, "%.1f", median(perRound));
    }

    static double round2(double x) {
        return Math.round(x * 100) / 100.0;
    }
}
