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
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ProducerMain.class.getName()));
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
}
