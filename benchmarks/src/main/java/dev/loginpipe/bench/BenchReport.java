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

/** The rows of one harness run, each with its ratio to the limit measured in the same run; Markdown and JSON. */
final class BenchReport {
    /** One measurement: what ran, how many records per second, and what else it showed (for people and for JSON). */
    record Row(String measurement, long records, double recordsPerSecond, String details, Map<String, Object> numbers) {
    }

    private final Map<String, Object> run = new LinkedHashMap<>();
    private final List<Row> rows = new ArrayList<>();
    private double limitPerSecond = Double.NaN;

    BenchReport(Map<String, Object> machine) {
        run.putAll(machine);
    }

    /** The raw producer's records/s: the limit every ratio refers to. */
    void limit(double recordsPerSecond) {
        limitPerSecond = recordsPerSecond;
    }

    void add(Row row) {
        rows.add(row);
    }

    String markdown() {
        StringBuilder out = new StringBuilder("| measurement | records | records/s | ratio to limit | details |\n")
                .append("|---|---:|---:|---:|---|\n");
        for (Row r : rows) {
            out.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %.0f%% | %s |%n", r.measurement(), r.records(),
                    r.recordsPerSecond(), 100 * ratio(r), r.details()));
        }
        return out.toString();
    }

    void writeJson(Path file) throws IOException {
        List<Map<String, Object>> jsonRows = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("measurement", r.measurement());
            row.put("records", r.records());
            row.put("records_per_second", Math.round(r.recordsPerSecond()));
            row.put("ratio_to_limit", Math.round(ratio(r) * 1000) / 1000.0);
            row.putAll(r.numbers());
            jsonRows.add(row);
        }
        Map<String, Object> json = new LinkedHashMap<>(run);
        json.put("limit_records_per_second", Math.round(limitPerSecond));
        json.put("rows", jsonRows);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
    }

    private double ratio(Row r) {
        return r.recordsPerSecond() / limitPerSecond;
    }
}
