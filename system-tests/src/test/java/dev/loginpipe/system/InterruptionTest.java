package dev.loginpipe.system;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.dlq.DlqMain;
import dev.loginpipe.local.TestKafka;
import dev.loginpipe.producer.ProducerMain;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/** Programs killed with SIGKILL halfway: what they promised holds, and a rerun finishes the job once. */
class InterruptionTest {
    final String bootstrap = TestKafka.shared().bootstrapServers();
    final Pipeline pipeline = new Pipeline(bootstrap);

    Map<String, String> env(String instance, String... extra) {
        Map<String, String> env = new HashMap<>(pipeline.env(instance));
        env.put("BOOTSTRAP_SERVERS", bootstrap);
        for (int i = 0; i < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    /** {@code total} not-json DLQ records, values dead-0 ... */
    private void writeDlq(int total) {
        try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(bootstrap, Map.of())) {
            for (int i = 0; i < total; i++) {
                byte[] noKey = null;
                producer.send(new ProducerRecord<>(pipeline.dlq, null, noKey, ("dead-" + i).getBytes(UTF_8),
                        List.of(new RecordHeader(DlqHeaders.ERROR_REASON, "not-json".getBytes(UTF_8)))));
            }
        }
    }

    /** A topic of three partitions for replay to publish to (each replay names it in REPLAY_TARGETS). */
    private String replayTarget() {
        String target = TestKafka.uniqueName("replayed");
        TestKafka.createTopic(bootstrap, target, 3);
        return target;
    }

    /** Asserts that each of the {@code total} DLQ records is on {@code target} exactly once. */
    private List<ConsumerRecord<byte[], byte[]>> assertPublishedOnce(String target, int total) {
        List<ConsumerRecord<byte[], byte[]>> replayed = pipeline.read(target, total);
        Map<String, Integer> times = new HashMap<>();
        replayed.forEach(r -> times.merge(new String(r.value(), UTF_8), 1, Integer::sum));
        assertThat(times).hasSize(total).allSatisfy((value, n) -> assertThat(n).as(value).isEqualTo(1));
        return replayed;
    }

    /** A replay to {@code target} in {@code group}, polling that many records at a time. */
    private ServiceProcess replay(String instance, String group, String maxPollRecords, String target) {
        return ServiceProcess.start(DlqMain.class, env(instance, "REPLAY_GROUP_ID", group,
                "KAFKA_CLIENT_MAX_POLL_RECORDS", maxPollRecords, "REPLAY_TARGETS", target), "replay", "--to", target);
    }

    /** A replay to {@code target} in {@code group}, polling that many records at a time, once it has committed. */
    private ServiceProcess replayCommitting(String instance, String group, String maxPollRecords, String target) {
        ServiceProcess replay = replay(instance, group, maxPollRecords, target);
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> committed(group) > 0);
        } catch (RuntimeException | Error e) {
            replay.close();
            throw e;
        }
        return replay;
    }

    @Test
    void aReplayKilledMidwayAndRunAgainPublishesEveryRecordOnce() throws Exception {
        int total = 30_000;
        writeDlq(total);
        String target = replayTarget();
        String replayGroup = pipeline.group + "-replay";
        // Small transactions, so the kill lands between many commits.
        try (ServiceProcess first = replayCommitting("replay-1", replayGroup, "200", target)) {
            first.close(); // SIGKILL
        }
        long committedAtKill = committed(replayGroup);
        assertThat(committedAtKill).as("killed midway").isLessThan(total);

        try (ServiceProcess second = replay("replay-2", replayGroup, "200", target)) {
            assertThat(second.awaitExit(Duration.ofSeconds(90))).as(second.output()).isZero();
        }
        assertThat(assertPublishedOnce(target, total)).allSatisfy(r ->
                assertThat(r.headers().lastHeader(DlqHeaders.REPLAY_COUNT).value()).isEqualTo("1".getBytes(UTF_8)));
    }

    @Test
    void aReplayStartedWhileAnotherRunsFencesItAndEachRecordIsPublishedOnce() throws Exception {
        int total = 3_000;
        writeDlq(total);
        String target = replayTarget();
        String firstGroup = pipeline.group + "-replay-1";

        // One record a transaction: the first run is still publishing when the second starts.
        try (ServiceProcess first = replayCommitting("replay-1", firstGroup, "1", target)) {
            try (ServiceProcess second = ServiceProcess.start(DlqMain.class, env("replay-2", "REPLAY_GROUP_ID",
                    pipeline.group + "-replay-2", "REPLAY_TARGETS", target), "replay", "--to", target)) {
                assertThat(second.awaitExit(Duration.ofSeconds(90))).as(second.output()).isZero();
                assertThat(second.output()).containsPattern("replayed \\d+ of 3000 records read")
                        .containsPattern("skipped, already replayed: [1-9]");
            }
            assertThat(first.awaitExit(Duration.ofSeconds(60))).as(first.output()).isEqualTo(1);
            assertThat(first.output()).contains("replay stopped: another replay run took over (transactional id "
                    + "loginpipe-dlq-replay-" + pipeline.ledger + ")");
        }
        assertPublishedOnce(target, total);
    }

    @Test
    void whatAKilledProducerReportedAsSentIsOnTheTopic() throws Exception {
        try (ServiceProcess producer = ServiceProcess.start(ProducerMain.class, env("producer",
                "EVENTS_PER_SECOND", "2000", "EVENT_COUNT", "0", "LOG_SUMMARY_SECONDS", "1"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> lastReportedSent(producer.output()) >= 4_000);
            producer.close(); // SIGKILL, mid-run
            long reported = lastReportedSent(producer.output());
            assertThat(pipeline.read(pipeline.input, (int) reported).size()).isGreaterThanOrEqualTo((int) reported);
        }
    }

    private long committed(String group) throws Exception {
        try (Admin admin = TestKafka.admin(bootstrap)) {
            ListConsumerGroupOffsetsResult result = admin.listConsumerGroupOffsets(group);
            return result.partitionsToOffsetAndMetadata().get().values().stream()
                    .mapToLong(OffsetAndMetadata::offset).sum();
        }
    }

    /** The "sent N" of the producer's last summary line; it counts only acknowledged records. */
    private static long lastReportedSent(String output) {
        Matcher m = Pattern.compile("sent (\\d+), failed").matcher(output);
        long last = 0;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }
}
