package dev.loginpipe.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One fresh local-kafka broker in its own process, on the harness's own ports and data folder. */
final class LocalBroker implements AutoCloseable {
    private final ChildJvm process;

    private LocalBroker(ChildJvm process) {
        this.process = process;
    }

    static LocalBroker start(BenchOptions options) throws IOException, InterruptedException {
        ChildJvm process = ChildJvm.start("local-kafka", options.workDir().resolve("logs"), List.of(
                "-jar", options.localKafkaJar().toString(),
                "--port", Integer.toString(options.brokerPort()),
                "--controller-port", Integer.toString(options.controllerPort()),
                "--data-dir", options.workDir().resolve("kafka").toString(),
                "--fresh",
                // Kafka's production default (local-kafka uses 0 for quick tests): a group whose members start
                // together rebalances once instead of once per member.
                "--set", "group.initial.rebalance.delay.ms=3000",
                // A deleted run's files go at once, between drains, not a minute later in the middle of another one.
                "--set", "file.delete.delay.ms=0"), Map.of());
        try {
            process.awaitLine(line -> line.contains("accepting connections on"), Duration.ofSeconds(90));
        } catch (RuntimeException | InterruptedException e) {
            process.close();
            throw e;
        }
        return new LocalBroker(process);
    }

    /** The broker process's CPU time so far, in nanoseconds. */
    long cpuNanos() {
        return process.cpuNanos();
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
