package dev.loginpipe.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kafka's own {@code ProducerPerformance} and {@code ConsumerPerformance}, run from local-kafka.jar: the limit. */
final class KafkaPerfTools {
    static final int RECORD_BYTES = 250;
    private static final Pattern PRODUCER_SUMMARY = Pattern.compile("^(\\d+) records sent, ([\\d.]+) records/sec");
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(10);

    private final BenchOptions options;

    KafkaPerfTools(BenchOptions options) {
        this.options = options;
    }

    /** Writes {@code records} records of 250 bytes with acks=all, as fast as it can; records per second. */
    double produce(String topic, long records) throws IOException, InterruptedException {
        List<String> out = run("producer-performance", "org.apache.kafka.tools.ProducerPerformance",
                "--topic", topic, "--num-records", Long.toString(records), "--record-size",
                Integer.toString(RECORD_BYTES), "--throughput", "-1",
                "--producer-props", "bootstrap.servers=" + options.bootstrap(), "acks=all");
        for (String line : out) {
            Matcher m = PRODUCER_SUMMARY.matcher(line);
            if (m.find() && Long.parseLong(m.group(1)) == records) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new IllegalStateException("ProducerPerformance printed no summary: " + out);
    }

    /** Reads {@code records} records from the start of {@code topic}; records per second while fetching. */
    double consume(String topic, long records) throws IOException, InterruptedException {
        List<String> out = run("consumer-performance", "org.apache.kafka.tools.ConsumerPerformance",
                "--bootstrap-server", options.bootstrap(), "--topic", topic, "--messages", Long.toString(records),
                "--timeout", "60000");
        // A header line naming the columns, then one line of values.
        for (int i = 0; i + 1 < out.size(); i++) {
            List<String> names = List.of(out.get(i).split(",\\s*"));
            int column = names.indexOf("fetch.nMsg.sec");
            if (column >= 0) {
                return Double.parseDouble(out.get(i + 1).split(",\\s*")[column]);
            }
        }
        throw new IllegalStateException("ConsumerPerformance printed no result: " + out);
    }

    private List<String> run(String name, String mainClass, String... args) throws IOException, InterruptedException {
        List<String> jvmArgs = new java.util.ArrayList<>(List.of("-cp", options.localKafkaJar().toString(), mainClass));
        jvmArgs.addAll(List.of(args));
        try (ChildJvm tool = ChildJvm.start(name, options.workDir().resolve("logs"), jvmArgs, Map.of())) {
            return tool.awaitExit(TOOL_TIMEOUT);
        }
    }
}
