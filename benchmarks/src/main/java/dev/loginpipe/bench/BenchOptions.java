package dev.loginpipe.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run of the end-to-end harness measures and where. {@code --quick} shrinks every count so a run takes
 * about two minutes instead of about six; ratios stay comparable, absolute numbers less so.
 */
record BenchOptions(int brokerPort, int controllerPort, int firstHttpPort, Path workDir, Path jarDir, Path jsonOut,
                    long limitRecords, int throughputEvents, int latencyRate, int latencySeconds, String consumerHeap,
                    List<String> consumerJvmArgs, Map<String, String> consumerEnv) {

    static final String USAGE = """
            Usage: EndToEndBench [--quick] [--port P] [--controller-port C] [--http-port H] [--work-dir D]
                                 [--jars DIR] [--json FILE] [--limit-records N] [--events N]
                                 [--latency-rate R] [--latency-seconds S] [--consumer-jvm-arg ARG]...
                                 [--consumer-env NAME=VALUE]...
            Starts a fresh local-kafka broker and measures the limit (Kafka's perf tools), the consumer's throughput
            with 1 and 3 instances, its end-to-end latency at a steady rate, and its peak memory; prints a Markdown
            table and writes the numbers as JSON.""";

    static BenchOptions parse(String[] args) {
        boolean quick = false;
        int port = 19092;
        int controllerPort = 19093;
        int httpPort = 19081;
        Path workDir = Path.of(".local/bench");
        Path jarDir = Path.of(".");
        Path json = Path.of("bench-results.json");
        Long limit = null;
        Integer events = null;
        int rate = 5_000;
        Integer seconds = null;
        List<String> consumerJvmArgs = new ArrayList<>();
        Map<String, String> consumerEnv = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> quick = true;
                case "--port" -> port = Integer.parseInt(value(args, ++i, arg));
                case "--controller-port" -> controllerPort = Integer.parseInt(value(args, ++i, arg));
                case "--http-port" -> httpPort = Integer.parseInt(value(args, ++i, arg));
                case "--work-dir" -> workDir = Path.of(value(args, ++i, arg));
                case "--jars" -> jarDir = Path.of(value(args, ++i, arg));
                case "--json" -> json = Path.of(value(args, ++i, arg));
                case "--limit-records" -> limit = Long.parseLong(value(args, ++i, arg));
                case "--events" -> events = Integer.parseInt(value(args, ++i, arg));
                case "--latency-rate" -> rate = Integer.parseInt(value(args, ++i, arg));
                case "--latency-seconds" -> seconds = Integer.parseInt(value(args, ++i, arg));
                // e.g. -XX:StartFlightRecording=filename=consumer-{instance}.jfr profiles every instance
                case "--consumer-jvm-arg" -> consumerJvmArgs.add(value(args, ++i, arg));
                // e.g. BATCH_MAX_RECORDS=5000 or KAFKA_CLIENT_LINGER_MS=10, to try a setting
                case "--consumer-env" -> {
                    String[] nameValue = value(args, ++i, arg).split("=", 2);
                    if (nameValue.length != 2) {
                        throw new IllegalArgumentException(arg + " needs NAME=VALUE\n" + USAGE);
                    }
                    consumerEnv.put(nameValue[0], nameValue[1]);
                }
                default -> throw new IllegalArgumentException("unknown argument '" + arg + "'\n" + USAGE);
            }
        }
        return new BenchOptions(port, controllerPort, httpPort, workDir, jarDir, json,
                limit != null ? limit : quick ? 200_000 : 1_000_000,
                events != null ? events : quick ? 50_000 : 200_000,
                rate,
                seconds != null ? seconds : quick ? 15 : 60,
                "128m",
                List.copyOf(consumerJvmArgs),
                Map.copyOf(consumerEnv));
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

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value\n" + USAGE);
        }
        return args[i];
    }
}
