package dev.loginpipe.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * {@code ./bench.sh}: on one fresh local-kafka broker, measures the limit (Kafka's own perf tools), the consumer's
 * throughput with 1 and with 3 instances, its end-to-end latency at a steady rate, and its peak memory; prints a
 * Markdown table and writes the same numbers as JSON.
 */
public final class EndToEndBench {
    private static final Duration ROUTING_TIMEOUT = Duration.ofMinutes(10);
    /** Steady load before the latency is measured, so JIT compilation and the first fetches do not count. */
    private static final Duration LATENCY_WARMUP = Duration.ofSeconds(5);
    private static final double MIB = 1024 * 1024;

    private final BenchOptions options;
    private final BenchAdmin admin;
    private final BenchReport report;

    private EndToEndBench(BenchOptions options, BenchAdmin admin, BenchReport report) {
        this.options = options;
        this.admin = admin;
        this.report = report;
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.println(BenchOptions.USAGE);
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Files.createDirectories(options.workDir());
        BenchReport report = new BenchReport(machine(options));
        progress("starting a fresh broker on " + options.bootstrap());
        try (LocalBroker broker = LocalBroker.start(options);
             BenchAdmin admin = new BenchAdmin(options.bootstrap())) {
            new EndToEndBench(options, admin, report).measureAll();
        }
        System.out.println();
        System.out.print(report.markdown());
        report.writeJson(options.jsonOut());
        System.out.println();
        System.out.println("written to " + options.jsonOut());
    }

    private void measureAll() throws Exception {
        measureLimit();
        measureThroughput(1);
        measureThroughput(3);
        measureLatency();
    }

    private void measureLimit() throws Exception {
        long n = options.limitRecords();
        admin.create("limit");
        KafkaPerfTools tools = new KafkaPerfTools(options);
        progress("limit: ProducerPerformance, " + n + " x " + KafkaPerfTools.RECORD_BYTES + " B, acks=all");
        double produced = tools.produce("limit", n);
        report.limit(produced);
        report.add(new BenchReport.Row("limit: Kafka ProducerPerformance (acks=all, " + KafkaPerfTools.RECORD_BYTES
                + " B, " + BenchAdmin.PARTITIONS + " partitions)", n, produced, "", Map.of()));
        progress("limit: ConsumerPerformance");
        double consumed = tools.consume("limit", n);
        report.add(new BenchReport.Row("limit: Kafka ConsumerPerformance", n, consumed, "", Map.of()));
    }

    private void measureThroughput(int instances) throws Exception {
        RunTopics run = RunTopics.named("throughput" + instances);
        admin.create(run.input(), run.output(), run.dlq());
        progress("throughput, " + instances + " instance(s): pre-loading " + options.throughputEvents() + " events");
        try (EventFeed feed = new EventFeed(options.bootstrap())) {
            feed.sendAll(run.input(), options.throughputEvents());
        }
        Map<TopicPartition, Long> end = admin.endOffsets(run.input());
        long started = System.nanoTime();
        BenchAdmin.Progress progress;
        long peakRss;
        try (ConsumerFleet fleet = ConsumerFleet.start(options, run, instances)) {
            progress = admin.awaitCommitted(run.group(), end, started, ROUTING_TIMEOUT);
            peakRss = fleet.peakRssBytes();
        }
        String plural = instances == 1 ? "" : "s";
        report.add(new BenchReport.Row("throughput: " + instances + " consumer instance" + plural
                + " (exactly-once, 10% invalid)", progress.total(), progress.recordsPerSecond(),
                String.format(Locale.ROOT, "first to last commit; %.1f s from process start; peak RSS %.0f MiB%s",
                        progress.secondsFromStart(), peakRss / MIB, instances == 1 ? "" : " (largest instance)"),
                Map.of("instances", instances, "seconds_from_start", round(progress.secondsFromStart()),
                        "heap", options.consumerHeap(), "peak_rss_mib", Math.round(peakRss / MIB))));
    }

    private void measureLatency() throws Exception {
        RunTopics run = RunTopics.named("latency");
        admin.create(run.input(), run.output(), run.dlq());
        int rate = options.latencyRate();
        Duration duration = Duration.ofSeconds(options.latencySeconds());
        progress("latency: " + rate + " events/s for " + duration.toSeconds() + " s");
        long peakRss;
        long[] q;
        int seen;
        try (ConsumerFleet fleet = ConsumerFleet.start(options, run, 1);
             EventFeed feed = new EventFeed(options.bootstrap());
             LatencyRecorder recorder = new LatencyRecorder(options.bootstrap(), run.output())) {
            fleet.awaitReady(Duration.ofSeconds(60));
            AtomicLong from = new AtomicLong(Long.MAX_VALUE);
            AtomicLong expected = new AtomicLong(Long.MAX_VALUE);
            Thread reader = new Thread(() -> recorder.record(from::get, expected::get, ROUTING_TIMEOUT), "latency");
            reader.start();
            feed.sendSteadily(run.input(), rate, LATENCY_WARMUP);
            long validBefore = feed.validSent();
            from.set(System.currentTimeMillis());
            feed.sendSteadily(run.input(), rate, duration);
            expected.set(feed.validSent() - validBefore);
            reader.join();
            peakRss = fleet.peakRssBytes();
            q = recorder.quantiles(List.of(0.5, 0.99, 1.0));
            seen = recorder.count();
        }
        report.add(new BenchReport.Row("latency: 1 instance at a steady " + rate + " events/s for "
                + duration.toSeconds() + " s", seen, rate,
                String.format(Locale.ROOT, "end to end, read_committed: p50 %d ms, p99 %d ms, max %d ms", q[0], q[1], q[2]),
                Map.of("p50_ms", q[0], "p99_ms", q[1], "max_ms", q[2], "peak_rss_mib", Math.round(peakRss / MIB))));
        report.add(new BenchReport.Row("memory: 1 instance with -Xmx" + options.consumerHeap() + " at " + rate
                + " events/s", seen, rate, String.format(Locale.ROOT, "peak RSS %.0f MiB (VmHWM)", peakRss / MIB),
                Map.of("heap", options.consumerHeap(), "peak_rss_mib", Math.round(peakRss / MIB))));
    }

    private static Map<String, Object> machine(BenchOptions options) throws IOException {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("date", Instant.now().toString());
        machine.put("quick", options.limitRecords() < 1_000_000);
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("memory_gib", Math.round(memTotalKib() / MIB));
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("kafka", AppInfoParser.getVersion());
        machine.put("consumer_heap", options.consumerHeap());
        return machine;
    }

    private static long memTotalKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static double round(double seconds) {
        return Math.round(seconds * 100) / 100.0;
    }

    private static void progress(String what) {
        System.out.println("bench: " + what);
    }
}
