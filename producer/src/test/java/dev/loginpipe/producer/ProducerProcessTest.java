package dev.loginpipe.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loginpipe.local.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real program in a child JVM: what signals and bad command lines do to it. */
class ProducerProcessTest {
    private static final String BOOTSTRAP = TestKafka.shared().bootstrapServers();
    private static final Pattern SUMMARY = Pattern.compile("sent (\\d+), failed (\\d+) in [0-9.]+ s \\((\\d+) events/s\\)");

    @TempDir
    Path dir;

    private Process start(Map<String, String> env, String... args) throws IOException {
        return start(List.of(), env, args);
    }

    /** The producer in a child JVM with {@code jvmOptions}; its standard input is a pipe the test holds. */
    private Process start(List<String> jvmOptions, Map<String, String> env, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ProducerMain.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("output.txt").toFile());
        builder.environment().putAll(env);
        return builder.start();
    }

    private String output() throws IOException {
        return Files.readString(dir.resolve("output.txt"), StandardCharsets.UTF_8);
    }

    @Test
    void sigtermFlushesEverythingSentAndExitsZeroWithASummary() throws Exception {
        String topic = TestKafka.uniqueName("user-login");
        TestKafka.createTopic(BOOTSTRAP, topic, 3);
        Process producer = start(Map.of("BOOTSTRAP_SERVERS", BOOTSTRAP, "INPUT_TOPIC", topic,
                "EVENTS_PER_SECOND", "500", "HTTP_PORT", "0", "LOG_SUMMARY_SECONDS", "0"));
        await().atMost(Duration.ofSeconds(30)).until(() -> output().contains("sending to " + topic));
        Thread.sleep(1000);

        producer.destroy();

        assertThat(producer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(producer.exitValue()).isZero();
        Matcher summary = SUMMARY.matcher(output());
        assertThat(summary.find()).as(output()).isTrue();
        int sent = Integer.parseInt(summary.group(1));
        assertThat(sent).isPositive();
        assertThat(summary.group(2)).isEqualTo("0");
        assertThat(TestKafka.readCommitted(BOOTSTRAP, topic, sent, Duration.ofSeconds(30))).hasSize(sent);
    }

    @Test
    void anUnknownArgumentExitsTwoWithOneLine() throws Exception {
        Process producer = start(Map.of("BOOTSTRAP_SERVERS", BOOTSTRAP), "--bogus");

        assertThat(producer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(producer.exitValue()).isEqualTo(2);
        assertThat(output()).isEqualTo("producer: unknown arguments '--bogus', see --help" + System.lineSeparator());
    }

    @Test
    void aFileThatIsNotThereExitsTwoWithOneLine() throws Exception {
        File missing = dir.resolve("missing.ndjson").toFile();
        Process producer = start(Map.of("BOOTSTRAP_SERVERS", BOOTSTRAP, "HTTP_PORT", "0"), "--from",
                missing.getPath());

        assertThat(producer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(producer.exitValue()).isEqualTo(2);
        assertThat(output()).endsWith("producer: --from: cannot read " + missing.getPath() + System.lineSeparator());
    }

    /** Before, the line was gathered whole: a file without a newline ran the producer out of memory. */
    @Test
    void aFileWithoutNewlinesIsReadInBoundedMemoryAndItsLineReported() throws Exception {
        String topic = TestKafka.uniqueName("user-login");
        TestKafka.createTopic(BOOTSTRAP, topic, 1);
        Path file = dir.resolve("one-line.ndjson");
        byte[] chunk = "x".repeat(1024 * 1024).getBytes(StandardCharsets.US_ASCII);
        try (var out = Files.newOutputStream(file)) {
            for (int i = 0; i < 50; i++) {
                out.write(chunk);
            }
        }
        Process producer = start(List.of("-Xmx64m"), Map.of("BOOTSTRAP_SERVERS", BOOTSTRAP, "INPUT_TOPIC", topic,
                "EVENTS_PER_SECOND", "0", "HTTP_PORT", "0", "LOG_SUMMARY_SECONDS", "0"), "--from", file.toString());

        assertThat(producer.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(producer.exitValue()).as(output()).isEqualTo(1);
        assertThat(output()).doesNotContain("OutOfMemoryError")
                .contains("line 1 not sent: 52428800 bytes, more than the 1048064 a record may hold")
                .contains("; not sent: 1 line(s) too long to be a record");
        Matcher summary = SUMMARY.matcher(output());
        assertThat(summary.find()).as(output()).isTrue();
        assertThat(summary.group(1)).isEqualTo("0");
        assertThat(TestKafka.readCommitted(BOOTSTRAP, topic, 0, Duration.ofSeconds(5))).isEmpty();
    }

    /** Before, the read on stdin held the send loop until the grace period ran out, and the status was 1. */
    @Test
    void sigtermWhileWaitingOnStdinExitsZeroWithEverythingReadSent() throws Exception {
        String topic = TestKafka.uniqueName("user-login");
        TestKafka.createTopic(BOOTSTRAP, topic, 1);
        Process producer = start(Map.of("BOOTSTRAP_SERVERS", BOOTSTRAP, "INPUT_TOPIC", topic,
                "EVENTS_PER_SECOND", "0", "HTTP_PORT", "0", "LOG_SUMMARY_SECONDS", "0"), "--from", "-");
        producer.getOutputStream().write("one\n\ntwo\nthree, not ended".getBytes(StandardCharsets.UTF_8));
        producer.getOutputStream().flush(); // and left open: the producer waits for more
        assertThat(TestKafka.readCommitted(BOOTSTRAP, topic, 2, Duration.ofSeconds(30))).hasSize(2);

        producer.toHandle().destroy(); // SIGTERM only: Process.destroy() would also close the pipe (end of input)

        assertThat(producer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(producer.exitValue()).as(output()).isZero();
        Matcher summary = SUMMARY.matcher(output());
        assertThat(summary.find()).as(output()).isTrue();
        assertThat(summary.group(1)).isEqualTo("2");
        assertThat(TestKafka.readCommitted(BOOTSTRAP, topic, 2, Duration.ofSeconds(5)))
                .extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactly("one", "two");
    }

    /** Before, a signal that came before the send loop was forgotten: the loop ran until the grace period ended. */
    @Test
    void sigtermBeforeTheSendLoopExitsZeroWithASummary() throws Exception {
        String topic = TestKafka.uniqueName("user-login");
        TestKafka.createTopic(BOOTSTRAP, topic, 1);
        Path file = dir.resolve("lines.ndjson");
        Files.writeString(file, "line\n".repeat(1000));
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process producer = start(Map.of("BOOTSTRAP_SERVERS", BOOTSTRAP, "INPUT_TOPIC", topic,
                "EVENTS_PER_SECOND", "1", "HTTP_PORT", Integer.toString(port), "LOG_SUMMARY_SECONDS", "0"),
                "--from", file.toString());
        // The HTTP endpoint starts after the signal handler and before the producer connects.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            var connection = (java.net.HttpURLConnection) new java.net.URL("http://127.0.0.1:" + port + "/health/live")
                    .openConnection();
            return connection.getResponseCode() == 200;
        });

        producer.destroy();

        assertThat(producer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(producer.exitValue()).as(output()).isZero();
        Matcher summary = SUMMARY.matcher(output());
        assertThat(summary.find()).as(output()).isTrue();
        int sent = Integer.parseInt(summary.group(1));
        assertThat(sent).isLessThanOrEqualTo(1); // at one a second, the signal comes before a second record
        assertThat(TestKafka.readCommitted(BOOTSTRAP, topic, sent, Duration.ofSeconds(5))).hasSize(sent);
    }
}
