package dev.loginpipe.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one run of the end-to-end harness measures and where. {@code --quick} shrinks every count and runs one round,
 * for trying the harness out; its numbers are not the ones to compare.
 */
record BenchOptions(int brokerPort, int controllerPort, Path workDir, Path jarDir, Path jsonOut, int rounds,
                    boolean warmUp, long limitRecords, int events, int invalidPercent, int latencyRate,
                    int latencySeconds, String heap, List<String> consumerJvmArgs, List<String> streamsJvmArgs,
                    Map<String, String> consumerEnv, Set<JvmFlags> jvmFlags,
                    Set<String> only, Path routerJava, StartCache startCache) {

    static final String USAGE = """
            Usage: EndToEndBench [--quick] [--rounds N] [--events N] [--invalid-percent P] [--limit-records N]
                                 [--no-warm-up] [--latency-rate R] [--latency-seconds S] [--port P]
                                 [--controller-port C] [--work-dir D] [--jars DIR] [--json FILE]
                                 [--consumer-jvm-arg ARG]... [--consumer-env NAME=VALUE]...
                                 [--streams-jvm-arg ARG]... [--jvm-flags defaults|options|both] [--only PARTS]
                                 [--jdk HOME] [--cds | --aot]
            Starts a fresh local-kafka broker and measures, round after round on one preloaded input: Kafka's
            ProducerPerformance (the limit), loginpipe with 1 and with 3 instances, and Kafka Streams (defaults,
            and producer batch.size 256 KB), each drain checked record by record; then loginpipe's latency at a
            steady rate and its peak memory. Every drain runs under each setting of JVM flags, the same for both
            sides: the JVM's defaults (java -Xmx128m) and consumer/jvm.options (java -Xmx128m @consumer/jvm.options).
            Prints medians and ratios (within one setting) as Markdown and writes every round as JSON.

              --quick               100,000 events, 1 round, 15 s of latency: proves the harness works
              --rounds N            rounds of the limit and of every drain; medians are reported (default 3)
              --events N            events preloaded once and drained by every contender (default 1,000,000)
              --invalid-percent P   share of them that are invalid, every kind in turn (default 10)
              --limit-records N     records ProducerPerformance writes per round (default 1,000,000)
              --no-warm-up          skip the throw-away ProducerPerformance, ConsumerPerformance and drains
              --latency-rate R      events per second of the latency row (default 5,000)
              --latency-seconds S   its measured time, after 5 s of warm-up (default 60)
              --port P, --controller-port C   the broker's ports (default: free ports)
              --work-dir D          broker data, logs, Streams state (default .local/bench)
              --jars DIR            where the module folders with the built jars are (default .)
              --json FILE           where the numbers go (default bench-results.json)
              --jvm-flags F         the routers' JVM flags: defaults (the JVM's), options (consumer/jvm.options)
                                    or both, each a set of rows of its own (default both)
              --consumer-jvm-arg A  extra JVM argument of every loginpipe instance ({instance} is its id), in
                                    every setting, after the setting's flags, so it can override one
              --consumer-env N=V    extra environment of every loginpipe instance, e.g. BATCH_MAX_RECORDS=5000
              --streams-jvm-arg A   extra JVM argument of the Kafka Streams peer, in every setting, after its flags
              --only PARTS          measure only these, comma-separated, to try a change quickly: limit, latency,
                                    loginpipe-1, loginpipe-3, streams-defaults, streams-tuned (under every setting
                                    of --jvm-flags), or one setting's row, e.g. loginpipe-1/options
                                    (ratios are printed where both sides ran with the same flags)
              --jdk HOME            the JDK both sides' routers run on (default: the one running the harness;
                                    the broker and Kafka's tools always run on that one)
              --cds                 AppCDS: before the measured drains each side, under each setting, drains
                                    100,000 events of its own with -XX:ArchiveClassesAtExit, and every measured
                                    start of that side then gets -XX:SharedArchiveFile
              --aot                 the same with the AOT cache, classes and method profiles (-XX:AOTCacheOutput,
                                    then -XX:AOTCache; needs a JDK 25 or newer, e.g. --jdk)""";

    static BenchOptions parse(String[] args) throws IOException {
        boolean quick = false;
        Integer port = null;
        Integer controllerPort = null;
        Path workDir = Path.of(".local/bench");
        Path jarDir = Path.of(".");
        Path json = Path.of("bench-results.json");
        Integer rounds = null;
        boolean warmUp = true;
        Long limit = null;
        Integer events = null;
        int invalidPercent = 10;
        int rate = 5_000;
        Integer seconds = null;
        List<String> consumerJvmArgs = new ArrayList<>();
        List<String> streamsJvmArgs = new ArrayList<>();
        Map<String, String> consumerEnv = new LinkedHashMap<>();
        Set<JvmFlags> jvmFlags = EnumSet.allOf(JvmFlags.class);
        Set<String> only = Set.of();
        Path jdk = Path.of(System.getProperty("java.home"));
        StartCache startCache = StartCache.NONE;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> quick = true;
                case "--rounds" -> rounds = positive(args, ++i, arg);
                case "--events" -> events = positive(args, ++i, arg);
                case "--invalid-percent" -> {
                    invalidPercent = Integer.parseInt(value(args, ++i, arg));
                    if (invalidPercent < 0 || invalidPercent > 100) {
                        throw new IllegalArgumentException(arg + " must be 0 to 100\n" + USAGE);
                    }
                }
                case "--limit-records" -> limit = (long) positive(args, ++i, arg);
                case "--no-warm-up" -> warmUp = false;
                case "--latency-rate" -> rate = positive(args, ++i, arg);
                case "--latency-seconds" -> seconds = positive(args, ++i, arg);
                case "--port" -> port = positive(args, ++i, arg);
                case "--controller-port" -> controllerPort = positive(args, ++i, arg);
                case "--work-dir" -> workDir = Path.of(value(args, ++i, arg));
                case "--jars" -> jarDir = Path.of(value(args, ++i, arg));
                case "--json" -> json = Path.of(value(args, ++i, arg));
                // e.g. -XX:StartFlightRecording=filename=consumer-{instance}.jfr profiles every instance
                case "--consumer-jvm-arg" -> consumerJvmArgs.add(value(args, ++i, arg));
                case "--streams-jvm-arg" -> streamsJvmArgs.add(value(args, ++i, arg));
                // e.g. BATCH_MAX_RECORDS=5000 or KAFKA_CLIENT_LINGER_MS=10, to try a setting
                case "--consumer-env" -> {
                    String[] nameValue = value(args, ++i, arg).split("=", 2);
                    if (nameValue.length != 2) {
                        throw new IllegalArgumentException(arg + " needs NAME=VALUE\n" + USAGE);
                    }
                    consumerEnv.put(nameValue[0], nameValue[1]);
                }
                case "--jvm-flags" -> {
                    String setting = value(args, ++i, arg);
                    jvmFlags = switch (setting) {
                        case "defaults" -> EnumSet.of(JvmFlags.DEFAULTS);
                        case "options" -> EnumSet.of(JvmFlags.OPTIONS);
                        case "both" -> EnumSet.allOf(JvmFlags.class);
                        default -> throw new IllegalArgumentException(
                                arg + " takes defaults, options or both, got '" + setting + "'\n" + USAGE);
                    };
                }
                case "--only" -> only = Set.of(value(args, ++i, arg).split(","));
                case "--jdk" -> jdk = Path.of(value(args, ++i, arg));
                case "--cds" -> startCache = StartCache.CDS;
                case "--aot" -> startCache = StartCache.AOT;
                default -> throw new IllegalArgumentException("unknown argument '" + arg + "'\n" + USAGE);
            }
        }
        checkOnly(only, jvmFlags);
        Path java = jdk.resolve("bin/java");
        if (!java.toFile().canExecute()) {
            throw new IllegalArgumentException("--jdk: no " + java + "\n" + USAGE);
        }
        if (startCache == StartCache.AOT && featureVersion(jdk) < 25) {
            throw new IllegalArgumentException("--aot needs a JDK 25 or newer; " + jdk + " is "
                    + featureVersion(jdk) + " (give one with --jdk)\n" + USAGE);
        }
        return new BenchOptions(port != null ? port : RouterFleet.freePort(),
                controllerPort != null ? controllerPort : RouterFleet.freePort(),
                workDir, jarDir, json,
                rounds != null ? rounds : quick ? 1 : 3,
                warmUp,
                limit != null ? limit : quick ? 100_000 : 1_000_000,
                events != null ? events : quick ? 100_000 : 1_000_000,
                invalidPercent,
                rate,
                seconds != null ? seconds : quick ? 15 : 60,
                "128m",
                List.copyOf(consumerJvmArgs),
                List.copyOf(streamsJvmArgs),
                Map.copyOf(consumerEnv),
                Set.copyOf(jvmFlags),
                only, java, startCache);
    }

    /** A JDK's feature version, from {@code JAVA_VERSION} in its {@code release} file; 0 if it has none. */
    static int featureVersion(Path jdk) throws IOException {
        Path release = jdk.resolve("release");
        if (!Files.exists(release)) {
            return 0;
        }
        Matcher version = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
        return version.find() ? Integer.parseInt(version.group(1)) : 0;
    }

    /** Whether this run measures {@code part}: "limit" or "latency". */
    boolean measures(String part) {
        return only.isEmpty() || only.contains(part);
    }

    /** Whether this run drains {@code entry}: its setting chosen, and its contender or the entry itself named. */
    boolean measures(Entry entry) {
        return jvmFlags.contains(entry.flags())
                && (only.isEmpty() || only.contains(entry.contender().key()) || only.contains(entry.key()));
    }

    /** Every part of --only must exist, a setting's row only with that setting: a typo must not measure nothing. */
    private static void checkOnly(Set<String> only, Set<JvmFlags> jvmFlags) {
        Set<String> parts = new LinkedHashSet<>(List.of("limit", "latency"));
        for (Contender contender : Contender.values()) {
            parts.add(contender.key());
        }
        for (JvmFlags flags : jvmFlags) {
            for (Contender contender : Contender.values()) {
                parts.add(new Entry(contender, flags).key());
            }
        }
        if (!parts.containsAll(only)) {
            throw new IllegalArgumentException("--only takes some of " + parts + " (with these --jvm-flags)\n" + USAGE);
        }
    }

    String bootstrap() {
        return "127.0.0.1:" + brokerPort;
    }

    Path localKafkaJar() {
        return jarDir.resolve("local-kafka/target/local-kafka.jar");
    }

    Path consumerJar() {
        return jarDir.resolve("consumer/target/consumer.jar");
    }

    /** The router's JVM flags, as every launcher passes them. */
    Path consumerJvmOptions() {
        return jarDir.resolve("consumer/jvm.options");
    }

    Path benchmarksJar() {
        return jarDir.resolve("benchmarks/target/benchmarks.jar");
    }

    private static int positive(String[] args, int i, String name) {
        int n;
        try {
            n = Integer.parseInt(value(args, i, name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a number, got '" + args[i] + "'\n" + USAGE);
        }
        if (n <= 0) {
            throw new IllegalArgumentException(name + " must be positive\n" + USAGE);
        }
        return n;
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value\n" + USAGE);
        }
        return args[i];
    }
}
