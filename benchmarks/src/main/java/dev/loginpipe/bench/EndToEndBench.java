package dev.loginpipe.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code ./bench.sh}: on one fresh local-kafka broker, warmed up first, preloads one input and measures round after
 * round the limit (Kafka's ProducerPerformance) and every {@link Contender} under each setting of {@link JvmFlags}
 * draining that input, each drain checked record by record; then loginpipe's end-to-end latency at a steady rate and
 * its peak memory. Prints the medians, the ratios between contenders of one setting and the machine's load, and
 * writes every round as JSON.
 */
public final class EndToEndBench {
    private static final String INPUT = "input";
    private static final String TRAINING = "training";
    /** Events of the input the start caches are trained on: a short drain, apart from the measured input. */
    private static final int TRAINING_EVENTS = 100_000;
    private static final Duration LATENCY_TIMEOUT = Duration.ofMinutes(10);
    /** Steady load before the latency is measured, so JIT compilation and the first fetches do not count. */
    private static final Duration LATENCY_WARMUP = Duration.ofSeconds(5);
    private static final double MIB = 1024 * 1024;
    private static final long BEGAN = System.nanoTime();
    /** The latency and memory rows measure loginpipe alone, as it ships: no comparison, so one setting. */
    private static final JvmFlags LATENCY_FLAGS = JvmFlags.OPTIONS;
    /** ProducerPerformance runs as Kafka ships it, a plain {@code java}: one limit for both settings. */
    private static final String LIMIT_FLAGS = "defaults (the tool's; one limit for both settings)";

    /** One ProducerPerformance round: its rate, its own CPU and the broker's, per record. */
    private record LimitRun(double perSecond, double clientMicros, double brokerMicros) {
    }

    private final BenchOptions options;
    private final BenchAdmin admin;
    private final LocalBroker broker;
    private final BenchReport report;
    private final KafkaPerfTools tools;

    private EndToEndBench(BenchOptions options, BenchAdmin admin, LocalBroker broker, BenchReport report) {
        this.options = options;
        this.admin = admin;
        this.broker = broker;
        this.report = report;
        this.tools = new KafkaPerfTools(options);
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
        String loadAtStart = loadAverage();
        progress(Runtime.getRuntime().availableProcessors() + " CPUs, load average " + loadAtStart
                + " (/proc/loadavg: 1, 5, 15 min)");
        BenchReport report = new BenchReport(machine(options, loadAtStart));
        progress("starting a fresh broker on " + options.bootstrap());
        boolean exactlyOnce;
        try (LocalBroker broker = LocalBroker.start(options);
             BenchAdmin admin = new BenchAdmin(options.bootstrap())) {
            exactlyOnce = new EndToEndBench(options, admin, broker, report).measureAll();
        }
        String loadAtEnd = loadAverage();
        report.note("load_at_end", loadAtEnd);
        System.out.println();
        System.out.print(report.markdown());
        report.writeJson(options.jsonOut());
        System.out.println();
        System.out.println(Runtime.getRuntime().availableProcessors() + " CPUs; load average at start " + loadAtStart
                + ", at end " + loadAtEnd + "; " + String.format(Locale.ROOT, "%.1f", (System.nanoTime() - BEGAN) / 6e10)
                + " min; written to " + options.jsonOut());
        System.out.println(jvmFlagsLine(options));
        if (!exactlyOnce) {
            System.err.println("bench: a drain lost or doubled records: see the details column");
            System.exit(1);
        }
    }

    /** Every measurement; false if any drain was not exactly once. */
    private boolean measureAll() throws Exception {
        if (options.warmUp()) {
            warmUpProducer();
        }
        admin.create(INPUT);
        progress("preloading " + options.events() + " events (" + options.invalidPercent() + "% invalid)");
        long validEvents;
        try (EventFeed feed = new EventFeed(options.bootstrap(), options.invalidPercent())) {
            feed.sendAll(INPUT, options.events());
            validEvents = feed.validSent();
        }
        Map<TopicPartition, Long> end = admin.endOffsets(INPUT);
        Lineup lineup = Lineup.of(options);
        if (options.startCache() != StartCache.NONE) {
            trainStartCaches(lineup);
        }
        if (options.warmUp()) {
            warmUpDrains(end, validEvents);
        }

        List<LimitRun> limits = new ArrayList<>();
        Map<Entry, List<Drain.Result>> drains = new LinkedHashMap<>();
        for (Entry entry : lineup.entries()) {
            drains.put(entry, new ArrayList<>());
        }
        for (int round = 1; round <= options.rounds(); round++) {
            if (options.measures("limit")) {
                limits.add(measureLimit(round));
            }
            for (Entry entry : lineup.inRound(round)) {
                progress(round(round) + entry.contender().label() + ", JVM flags: " + entry.flags().label());
                Drain.Result result = Drain.run(options, admin, broker, entry,
                        RunTopics.reading(INPUT, entry.runName() + "-r" + round), end, validEvents,
                        Drain.Kind.MEASURED);
                progress(String.format(Locale.ROOT, "  %,.0f events/s, router %.1f µs/record, broker %.1f µs/record; %s",
                        result.recordsPerSecond(), result.routerMicrosPerRecord(), result.brokerMicrosPerRecord(),
                        result.verdict()));
                drains.get(entry).add(result);
            }
        }
        if (!limits.isEmpty()) {
            addLimitRow(limits);
        }
        drains.forEach(this::addDrainRow);
        Map<Entry, List<Double>> rates = new LinkedHashMap<>();
        drains.forEach((entry, results) ->
                rates.put(entry, results.stream().map(Drain.Result::recordsPerSecond).toList()));
        for (JvmFlags flags : lineup.settings()) {
            report.addRatios(flags, rates, limits.stream().map(LimitRun::perSecond).toList());
        }
        if (options.measures("latency")) {
            measureLatency();
        }
        return drains.values().stream().flatMap(List::stream).allMatch(d -> d.verdict().holds());
    }

    /**
     * One throw-away drain by loginpipe and one by the Kafka Streams peer, so the broker's transaction and group
     * paths and the page cache (the input, both routers' jars) are warm for both before the first measured drain.
     * Every measured drain starts fresh JVMs, so the setting of JVM flags the warm-up runs with does not carry over.
     */
    private void warmUpDrains(Map<TopicPartition, Long> end, long validEvents) throws Exception {
        for (Contender contender : List.of(Contender.LOGINPIPE_1, Contender.STREAMS_TUNED)) {
            Entry entry = new Entry(contender, JvmFlags.OPTIONS);
            progress("warm-up: " + contender.label() + " drains the input (not reported)");
            Drain.run(options, admin, broker, entry, RunTopics.reading(INPUT, "warm-up-" + contender.key()), end,
                    validEvents, Drain.Kind.WARM_UP);
        }
    }

    /**
     * Before anything is measured, each side under each setting it runs with (loginpipe with one instance) drains a
     * short input of its own once with the start cache's training flags; its JVM writes the cache as it exits, and
     * every later start of that side and setting uses it. A file left from an earlier run (another jar) goes first.
     */
    private void trainStartCaches(Lineup lineup) throws Exception {
        Map<String, Entry> trainers = new LinkedHashMap<>();
        for (Entry entry : lineup.entries()) {
            Contender trainer =
                    entry.contender().side().equals("loginpipe") ? Contender.LOGINPIPE_1 : entry.contender();
            trainers.putIfAbsent(trainer.side() + "/" + entry.flags().key(), new Entry(trainer, entry.flags()));
        }
        if (options.measures("latency")) {
            trainers.putIfAbsent("loginpipe/" + LATENCY_FLAGS.key(), new Entry(Contender.LOGINPIPE_1, LATENCY_FLAGS));
        }
        Path dir = StartCache.dir(options);
        if (Files.exists(dir)) {
            try (var old = Files.list(dir)) {
                for (Path file : old.toList()) {
                    Files.delete(file);
                }
            }
        }
        Files.createDirectories(dir);
        admin.create(TRAINING);
        long validEvents;
        try (EventFeed feed = new EventFeed(options.bootstrap(), options.invalidPercent())) {
            feed.sendAll(TRAINING, TRAINING_EVENTS);
            validEvents = feed.validSent();
        }
        Map<TopicPartition, Long> end = admin.endOffsets(TRAINING);
        for (Entry entry : trainers.values()) {
            Path file = options.startCache().file(options, entry.contender().side(), entry.flags());
            progress("training the start cache (" + options.startCache().key() + "): " + entry.contender().label()
                    + ", JVM flags: " + entry.flags().label() + ", " + TRAINING_EVENTS + " events (not reported)");
            long began = System.nanoTime();
            Drain.run(options, admin, broker, entry, RunTopics.reading(TRAINING, "training-" + entry.runName()), end,
                    validEvents, Drain.Kind.TRAINING);
            if (!Files.exists(file)) {
                throw new IllegalStateException("the training run wrote no " + file + ": see its log in "
                        + options.workDir().resolve("logs"));
            }
            progress(String.format(Locale.ROOT, "  %s, %.0f MiB, %.0f s with the JVM's exit", file,
                    Files.size(file) / MIB, (System.nanoTime() - began) / 1e9));
        }
        admin.delete(TRAINING);
    }

    /** A throw-away ProducerPerformance and ConsumerPerformance round: the broker's JIT and page cache get warm. */
    private void warmUpProducer() throws Exception {
        long n = options.limitRecords();
        progress("warm-up: ProducerPerformance and ConsumerPerformance, " + n + " records (not reported)");
        admin.create("warm-up");
        tools.produce("warm-up", n);
        tools.consume("warm-up", n);
        admin.delete("warm-up");
    }

    private LimitRun measureLimit(int round) throws Exception {
        long n = options.limitRecords();
        String topic = "limit-r" + round;
        admin.create(topic);
        progress(round(round) + "ProducerPerformance, " + n + " x " + KafkaPerfTools.RECORD_BYTES + " B, acks=all");
        long toolCpu = ProcessCpu.exitedChildrenNanos();
        long brokerCpu = broker.cpuNanos();
        double perSecond = tools.produce(topic, n);
        LimitRun run = new LimitRun(perSecond, (ProcessCpu.exitedChildrenNanos() - toolCpu) / 1e3 / n,
                (broker.cpuNanos() - brokerCpu) / 1e3 / n);
        admin.delete(topic);
        progress(String.format(Locale.ROOT, "  %,.0f records/s, the tool %.1f µs/record, broker %.1f µs/record",
                run.perSecond(), run.clientMicros(), run.brokerMicros()));
        return run;
    }

    private void addLimitRow(List<LimitRun> runs) {
        List<Double> perSecond = runs.stream().map(LimitRun::perSecond).toList();
        report.add(new BenchReport.Row("limit: Kafka ProducerPerformance (acks=all, " + KafkaPerfTools.RECORD_BYTES
                + " B, " + BenchAdmin.PARTITIONS + " partitions)", LIMIT_FLAGS, options.limitRecords(), perSecond,
                runs.stream().map(LimitRun::clientMicros).toList(), runs.stream().map(LimitRun::brokerMicros).toList(),
                spread(perSecond) + "; router CPU column: the tool's own process, JVM start included",
                Map.of()));
    }

    private void addDrainRow(Entry entry, List<Drain.Result> results) {
        List<Double> perSecond = results.stream().map(Drain.Result::recordsPerSecond).toList();
        double fromStart = BenchReport.median(results.stream().map(Drain.Result::secondsFromStart).toList());
        double toFirstCommit = BenchReport.median(results.stream().map(Drain.Result::secondsToFirstCommit).toList());
        double routerSeconds = BenchReport.median(results.stream().map(Drain.Result::routerSeconds).toList());
        double jitSeconds = BenchReport.median(results.stream().map(Drain.Result::jitSeconds).toList());
        long peakRss = results.stream().mapToLong(Drain.Result::peakRssBytes).max().orElse(0);
        List<ExactlyOnceCheck.Verdict> verdicts = results.stream().map(Drain.Result::verdict).toList();
        List<String> failed = verdicts.stream().filter(v -> !v.holds()).map(Object::toString).toList();
        String checked = failed.isEmpty()
                ? verdicts.get(0) + (verdicts.size() > 1 ? " in every round" : "")
                : String.join("; ", failed);
        report.add(new BenchReport.Row(entry.contender().label(), entry.flags().label(), results.get(0).records(),
                perSecond, results.stream().map(Drain.Result::routerMicrosPerRecord).toList(),
                results.stream().map(Drain.Result::brokerMicrosPerRecord).toList(),
                String.format(Locale.ROOT, "%s; %.1f s from process start, first commit after %.1f s; router CPU "
                                + "%.1f s in all, JIT %.1f s of it; peak RSS %.0f MiB%s; %s", spread(perSecond),
                        fromStart, toFirstCommit, routerSeconds, jitSeconds, peakRss / MIB,
                        entry.contender() == Contender.LOGINPIPE_3 ? " (largest instance)" : "", checked),
                Map.of("contender", entry.contender().key(), "entry", entry.key(),
                        "seconds_from_start_rounds", results.stream().map(r -> BenchReport.round2(r.secondsFromStart())).toList(),
                        "seconds_to_first_commit_rounds",
                        results.stream().map(r -> BenchReport.round2(r.secondsToFirstCommit())).toList(),
                        "router_cpu_seconds_rounds",
                        results.stream().map(r -> BenchReport.round2(r.routerSeconds())).toList(),
                        "jit_cpu_seconds_rounds",
                        results.stream().map(r -> BenchReport.round2(r.jitSeconds())).toList(),
                        "heap", options.heap(), "peak_rss_mib", Math.round(peakRss / MIB),
                        "exactly_once_rounds", verdicts.stream().map(Object::toString).toList())));
    }

    private void measureLatency() throws Exception {
        RunTopics run = RunTopics.named("latency");
        admin.create(run.input(), run.output(), run.dlq());
        int rate = options.latencyRate();
        Duration duration = Duration.ofSeconds(options.latencySeconds());
        progress("latency: loginpipe, 1 instance, " + rate + " events/s for " + duration.toSeconds() + " s");
        long peakRss;
        long[] q;
        int seen;
        try (RouterFleet fleet = RouterFleet.loginpipe(options, run, 1, LATENCY_FLAGS, false);
             EventFeed feed = new EventFeed(options.bootstrap(), options.invalidPercent());
             LatencyRecorder recorder = new LatencyRecorder(options.bootstrap(), run.output())) {
            fleet.awaitReady(Duration.ofSeconds(60));
            AtomicLong from = new AtomicLong(Long.MAX_VALUE);
            AtomicLong expected = new AtomicLong(Long.MAX_VALUE);
            Thread reader = new Thread(() -> recorder.record(from::get, expected::get, LATENCY_TIMEOUT), "latency");
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
        List<Double> perSecond = List.of((double) rate);
        report.add(new BenchReport.Row("latency: loginpipe, 1 instance at a steady " + rate + " events/s for "
                + duration.toSeconds() + " s", LATENCY_FLAGS.label(), seen, perSecond, List.of(), List.of(),
                String.format(Locale.ROOT, "end to end, read_committed: p50 %d ms, p99 %d ms, max %d ms", q[0], q[1], q[2]),
                Map.of("p50_ms", q[0], "p99_ms", q[1], "max_ms", q[2], "peak_rss_mib", Math.round(peakRss / MIB))));
        report.add(new BenchReport.Row("memory: loginpipe, 1 instance with -Xmx" + options.heap() + " at " + rate
                + " events/s", LATENCY_FLAGS.label(), seen, perSecond, List.of(), List.of(),
                String.format(Locale.ROOT, "peak RSS %.0f MiB (VmHWM)", peakRss / MIB),
                Map.of("heap", options.heap(), "peak_rss_mib", Math.round(peakRss / MIB))));
    }

    /** How far the rounds were apart, e.g. "3 rounds, 98,000–110,000/s". */
    private static String spread(List<Double> perSecond) {
        if (perSecond.size() == 1) {
            return "1 round";
        }
        return String.format(Locale.ROOT, "%d rounds, %,.0f–%,.0f/s", perSecond.size(),
                Collections.min(perSecond), Collections.max(perSecond));
    }

    private String round(int round) {
        return "round " + round + "/" + options.rounds() + ": ";
    }

    private static Map<String, Object> machine(BenchOptions options, String load) throws IOException {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("date", Instant.now().toString());
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("load_at_start", load);
        machine.put("memory_gib", Math.round(memTotalKib() / MIB));
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("kafka_clients", kafkaVersion());
        machine.put("heap", options.heap());
        machine.put("events", options.events());
        machine.put("invalid_percent", options.invalidPercent());
        machine.put("limit_records", options.limitRecords());
        machine.put("rounds", options.rounds());
        machine.put("warm_up", options.warmUp());
        Map<String, Object> flags = new LinkedHashMap<>();
        for (JvmFlags setting : Lineup.of(options).settings()) {
            flags.put(setting.label(), Map.of("loginpipe", setting.jvmArgs(options, options.consumerJvmArgs()),
                    "kafka_streams", setting.jvmArgs(options, options.streamsJvmArgs())));
        }
        if (options.measures("latency")) {
            flags.put("latency_and_memory", LATENCY_FLAGS.label());
        }
        machine.put("jvm_flags", flags);
        machine.put("routers_java", options.routerJava().toString());
        machine.put("start_cache", options.startCache().key());
        return machine;
    }

    /** The conditions line on JVM flags: what each setting gives both sides, and what each side adds on top. */
    private static String jvmFlagsLine(BenchOptions options) {
        List<String> parts = new ArrayList<>();
        for (JvmFlags setting : Lineup.of(options).settings()) {
            parts.add(setting.label() + " = " + String.join(" ", setting.jvmArgs(options, List.of())));
        }
        if (options.measures("latency")) {
            parts.add("latency and memory: " + LATENCY_FLAGS.label() + ", loginpipe as shipped");
        }
        String line = "JVM flags, the same for loginpipe and Kafka Streams within a setting: "
                + String.join("; ", parts);
        if (!options.consumerJvmArgs().isEmpty()) {
            line += "; loginpipe adds " + String.join(" ", options.consumerJvmArgs());
        }
        if (!options.streamsJvmArgs().isEmpty()) {
            line += "; Kafka Streams adds " + String.join(" ", options.streamsJvmArgs());
        }
        line += "; both sides' routers on " + options.routerJava() + ", start cache: " + options.startCache().key()
                + (options.startCache() == StartCache.NONE ? "" : " (each side trained on " + TRAINING_EVENTS
                + " events of its own, under each setting)");
        return line;
    }

    /** The clients' version, from the properties file in their jar (the class that reads it is internal and moves). */
    private static String kafkaVersion() throws IOException {
        Properties version = new Properties();
        try (InputStream in = KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            if (in != null) {
                version.load(in);
            }
        }
        return version.getProperty("version", "unknown");
    }

    /** The 1, 5 and 15 minute load averages: more than the CPU count means the figures are not representative. */
    private static String loadAverage() throws IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
        return fields[0] + " " + fields[1] + " " + fields[2];
    }

    private static long memTotalKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static void progress(String what) {
        long seconds = (System.nanoTime() - BEGAN) / 1_000_000_000L;
        System.out.printf(Locale.ROOT, "bench %d:%02d %s%n", seconds / 60, seconds % 60, what);
    }
}
