package dev.loginpipe.bench;

import static dev.loginpipe.bench.Contender.LOGINPIPE_1;
import static dev.loginpipe.bench.Contender.LOGINPIPE_3;
import static dev.loginpipe.bench.Contender.STREAMS_DEFAULTS;
import static dev.loginpipe.bench.Contender.STREAMS_TUNED;
import static dev.loginpipe.bench.JvmFlags.DEFAULTS;
import static dev.loginpipe.bench.JvmFlags.OPTIONS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** A ratio divides two rows that ran with the same JVM flags, round by round, and never one setting by another. */
class BenchReportTest {
    private static final List<Double> LIMIT = List.of(400.0, 500.0);

    @Test
    void ratiosAreTakenWithinOneSetting() {
        Map<Entry, List<Double>> rates = Map.of(
                new Entry(LOGINPIPE_1, DEFAULTS), List.of(100.0, 150.0),
                new Entry(LOGINPIPE_3, DEFAULTS), List.of(50.0, 75.0),
                new Entry(STREAMS_DEFAULTS, DEFAULTS), List.of(40.0, 60.0),
                new Entry(STREAMS_TUNED, DEFAULTS), List.of(80.0, 100.0),
                new Entry(LOGINPIPE_1, OPTIONS), List.of(200.0, 250.0),
                new Entry(STREAMS_TUNED, OPTIONS), List.of(160.0, 200.0));
        BenchReport report = new BenchReport(Map.of());
        report.addRatios(DEFAULTS, rates, LIMIT);
        report.addRatios(OPTIONS, rates, LIMIT);

        assertThat(report.ratios()).containsExactly(
                ratio("loginpipe 1 instance / Kafka Streams tuned", "defaults", 1.25, 1.5, "≥ 1.3"),
                ratio("loginpipe 1 instance / Kafka Streams defaults", "defaults", 2.5, 2.5, "> 1"),
                ratio("loginpipe 1 instance / ProducerPerformance", "defaults", 0.25, 0.3, "≥ 0.6"),
                ratio("loginpipe 3 instances / 1 instance", "defaults", 0.5, 0.5, "≥ 1"),
                // no Streams defaults and no 3 instances under jvm.options: those ratios are left out, not taken
                // against the defaults' rows
                ratio("loginpipe 1 instance / Kafka Streams tuned", "jvm.options", 1.25, 1.25, "≥ 1.3"),
                ratio("loginpipe 1 instance / ProducerPerformance", "jvm.options", 0.5, 0.5, "≥ 0.6"));
    }

    @Test
    void withoutTheLimitThereIsNoRatioToIt() {
        BenchReport report = new BenchReport(Map.of());
        report.addRatios(OPTIONS, Map.of(new Entry(LOGINPIPE_1, OPTIONS), List.of(200.0)), List.of());
        assertThat(report.ratios()).isEmpty();
    }

    @Test
    void theMarkdownNamesEachRowsAndRatiosFlags() {
        BenchReport report = new BenchReport(Map.of());
        report.add(new BenchReport.Row("loginpipe, 1 instance", "jvm.options", 1_000, List.of(200.0),
                List.of(8.0), List.of(3.0), "1 round", Map.of()));
        report.addRatios(OPTIONS, Map.of(new Entry(LOGINPIPE_1, OPTIONS), List.of(200.0),
                new Entry(STREAMS_TUNED, OPTIONS), List.of(160.0)), List.of());
        assertThat(report.markdown()).isEqualTo("""
                | measurement | JVM flags | records | events/s | router CPU µs/record | broker CPU µs/record | details |
                |---|---|---:|---:|---:|---:|---|
                | loginpipe, 1 instance | jvm.options | 1,000 | 200 | 8.0 | 3.0 | 1 round |

                | ratio (median of the rounds' ratios) | JVM flags, both sides | value | target | each round |
                |---|---|---:|---|---|
                | loginpipe 1 instance / Kafka Streams tuned | jvm.options | 1.25 | ≥ 1.3 | 1.25 |
                """);
    }

    private static BenchReport.Ratio ratio(String name, String jvmFlags, double round1, double round2, String target) {
        return new BenchReport.Ratio(name, jvmFlags, List.of(round1, round2), target);
    }
}
