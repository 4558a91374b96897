package dev.loginpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's bounded demo, for real: broker, producer, three consumers, DLQ consumer and console, reconciliation. */
@Tag("slow")
class RunLocalTest {

    @Test
    void boundedDemoReconcilesEveryRecord(@TempDir Path dir) throws IOException {
        // Free ports and a private folder, so a developer's own run-local.sh or broker is not disturbed.
        Map<String, String> env = Map.of(
                "LOCAL_DIR", dir.toString(),
                "LOCAL_KAFKA_PORT", Integer.toString(freePort()),
                "LOCAL_CONTROLLER_PORT", Integer.toString(freePort()),
                "LOCAL_HTTP_BASE_PORT", Integer.toString(freeRange(6)),
                "CONSOLE_PORT", Integer.toString(freePort()),
                "LOG_SUMMARY_SECONDS", "0");
        // --no-build: the reactor has just built the jars; the script's own build is for people.
        Repo.Result result = Repo.run(Duration.ofMinutes(8), env, List.of("./run-local.sh", "--events", "2000",
                "--no-build"));
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("input 2000 = output", "duplicates 0, missing 0",
                "reconciliation holds", "DLQ console on http://127.0.0.1:" + env.get("CONSOLE_PORT") + "/");
        assertThat(Files.list(dir.resolve("logs")).map(p -> p.getFileName().toString()))
                .contains("kafka.log", "producer.log", "consumer-1.log", "consumer-3.log", "dlq-consumer.log");
    }

    private static int freePort() throws IOException {
        return freeRange(1);
    }

    /**
     * The first of n consecutive free ports, below the ephemeral range (32768 and up on Linux): the services bind
     * their HTTP ports one after another over half a minute, and a Kafka client's outgoing connection could take an
     * ephemeral port meanwhile.
     */
    private static int freeRange(int n) throws IOException {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int first = 20_000 + random.nextInt(12_000);
            boolean free = true;
            for (int port = first; port < first + n && free; port++) {
                try (ServerSocket ignored = new ServerSocket(port)) {
                    free = true;
                } catch (IOException inUse) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IOException("no " + n + " consecutive free ports between 20000 and 32000");
    }
}
