package dev.loginpipe.system;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.consumer.ConsumerMain;
import dev.loginpipe.dlq.DlqMain;
import dev.loginpipe.local.TestKafka;
import dev.loginpipe.producer.ProducerMain;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop with the real programs: producer → consumer → DLQ; report counts it; after a schema fix, replay
 * sends the DLQ back through and what now passes reaches the output once; what still fails stops at MAX_REPLAYS.
 */
class FullLoopTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration RUN = Duration.ofSeconds(90);
    static final Pattern REPLAYED = Pattern.compile("replay(?:ed)? (\\d+) of (\\d+) records read");

    final String bootstrap = TestKafka.shared().bootstrapServers();
    final Pipeline pipeline = new Pipeline(bootstrap);

    Map<String, String> env(String instance, String... extra) {
        Map<String, String> env = new HashMap<>(pipeline.env(instance));
        env.put("BOOTSTRAP_SERVERS", bootstrap);
        env.put("MAX_REPLAYS", "2");
        env.put("REPLAY_GROUP_ID", pipeline.group + "-replay");
        for (int i = 0; i < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    long[] replay(String... args) {
        try (ServiceProcess replay = ServiceProcess.start(DlqMain.class, env("replay"), args)) {
            assertThat(replay.awaitExit(RUN)).as(replay.output()).isZero();
            Matcher m = REPLAYED.matcher(replay.output());
            assertThat(m.find()).as(replay.output()).isTrue();
            Matcher skipped = Pattern.compile("replayed MAX_REPLAYS times already: (\\d+)").matcher(replay.output());
            assertThat(skipped.find()).isTrue();
            return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(skipped.group(1))};
        }
    }

    @Test
    void producerConsumerReportAndReplayAfterASchemaFix(@TempDir Path dir) throws Exception {
        try (ServiceProcess producer = ServiceProcess.start(ProducerMain.class, env("producer",
                "EVENT_COUNT", "1000", "EVENTS_PER_SECOND", "0", "INVALID_RATIO", "0.3", "SEED", "7"))) {
            assertThat(producer.awaitExit(RUN)).as(producer.output()).isZero();
        }
        int dead;
        try (ServiceProcess strict = ServiceProcess.start(ConsumerMain.class, env("strict"))) {
            dead = pipeline.assertExactlyOnce(1000);
            assertThat(strict.stop()).isZero();
        }
        List<ConsumerRecord<byte[], byte[]>> dlq = pipeline.read(pipeline.dlq, dead);
        assertThat(dead).isBetween(200, 400);

        // report: its numbers are what the DLQ holds, reason by reason
        try (ServiceProcess report = ServiceProcess.start(DlqMain.class, env("report"), "report", "--json")) {
            assertThat(report.awaitExit(RUN)).isZero();
            String json = report.output().lines().filter(line -> line.startsWith("{\"")).findFirst().orElseThrow();
            JsonNode byReason = JSON.readTree(json).get("by_reason");
            Map<String, Integer> expected = new HashMap<>();
            dlq.forEach(r -> expected.merge(header(r, DlqHeaders.ERROR_REASON), 1, Integer::sum));
            Map<String, Integer> reported = new HashMap<>();
            byReason.fields().forEachRemaining(e -> reported.put(e.getKey(), e.getValue().asInt()));
            assertThat(reported).isEqualTo(expected);
        }

        // the fix: device_type becomes optional, so only that kind of bad event passes now
        long fixable = dlq.stream().filter(FullLoopTest::onlyMissingDeviceType).count();
        assertThat(fixable).isPositive().isLessThan(dead);
        Path loose = dir.resolve("schema.json");
        Files.writeString(loose, Files.readString(Path.of("..", "schema.json"))
                .replace("\"user_id\", \"app_version\", \"device_type\",", "\"user_id\", \"app_version\","));

        assertThat(replay("replay", "--dry-run")).containsExactly(dead, dead, 0);
        assertThat(pipeline.readNow(pipeline.input)).as("a dry run publishes nothing").hasSize(1000);

        try (ServiceProcess fixed = ServiceProcess.start(ConsumerMain.class, env("fixed", "SCHEMA_PATH", loose.toString()))) {
            assertThat(replay("replay")).containsExactly(dead, dead, 0);
            pipeline.assertExactlyOnce(1000 + dead);
            List<ConsumerRecord<byte[], byte[]>> replayedOut = pipeline.read(pipeline.output, 0).stream()
                    .filter(r -> "1".equals(header(r, DlqHeaders.REPLAY_COUNT))).toList();
            assertThat(replayedOut).as("fixed records reach the output once").hasSize((int) fixable);

            long stillFailing = dead - fixable;
            assertThat(replay("replay")).containsExactly(stillFailing, stillFailing, 0);
            pipeline.assertExactlyOnce(1000 + dead + (int) stillFailing);
            assertThat(replay("replay")).as("replayed MAX_REPLAYS=2 times: skipped")
                    .containsExactly(0, stillFailing, stillFailing);
            assertThat(pipeline.readNow(pipeline.input)).hasSize(1000 + dead + (int) stillFailing);
            assertThat(fixed.stop()).isZero();
        }
    }

    static boolean onlyMissingDeviceType(ConsumerRecord<byte[], byte[]> record) {
        String details = header(record, DlqHeaders.ERROR_DETAILS);
        if (details == null) {
            return false;
        }
        try {
            JsonNode violations = JSON.readTree(details);
            return violations.size() == 1 && violations.get(0).get("path").asText().equals("/device_type")
                    && violations.get(0).get("keyword").asText().equals("required");
        } catch (Exception e) {
            return false;
        }
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), UTF_8);
    }
}
