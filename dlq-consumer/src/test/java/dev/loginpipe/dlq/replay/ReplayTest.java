package dev.loginpipe.dlq.replay;

import static dev.loginpipe.dlq.DlqFixture.BOOTSTRAP;
import static dev.loginpipe.dlq.DlqFixture.MIXED_VALUES;
import static dev.loginpipe.dlq.DlqFixture.WAIT;
import static dev.loginpipe.dlq.DlqFixture.contract;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.dlq.DlqFixture;
import dev.loginpipe.dlq.DlqRecord;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** What replay publishes, with its filters and limits, against a DLQ this test writes itself. */
class ReplayTest {
    private final DlqFixture fixture = new DlqFixture();

    private ReplayOptions options(String reason, Long since, Long until, long limit, boolean dryRun) {
        return new ReplayOptions(fixture.input, reason, since, until, limit, dryRun, false);
    }

    private static ReplaySummary replay(Config config, ReplayOptions options) {
        return new Replayer(config).replay(options, ReplayControl.commandLine());
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void replayPublishesOnceWithOriginalKeyValueAndHeadersAndDryRunPublishesNothing() {
        fixture.writeMixedDlq();
        Config config = fixture.config();

        ReplaySummary dryRun = replay(config, options(null, null, null, 0, true));
        assertThat(dryRun.replayed()).isEqualTo(6);
        assertThat(fixture.inputValues(0)).isEmpty();

        ReplaySummary first = new Replayer(config).replay(options(null, null, null, 0, false), () -> "plan-17");
        ReplaySummary second = replay(config, options(null, null, null, 0, false));

        assertThat(first.read()).isEqualTo(6);
        assertThat(first.replayed()).isEqualTo(6);
        assertThat(first.replayId()).isEqualTo("plan-17");
        assertThat(first.text()).startsWith("replayed 6 of 6 records read to " + fixture.input + " (replay id plan-17)");
        assertThat(second.read()).isZero();
        assertThat(second.replayed()).isZero();
        List<ConsumerRecord<byte[], byte[]>> replayed = fixture.inputRecords(6);
        assertThat(replayed).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrderElementsOf(MIXED_VALUES);
        assertThat(replayed).allSatisfy(r -> assertThat(header(r, DlqHeaders.REPLAY_ID)).isEqualTo("plan-17"));
        ConsumerRecord<byte[], byte[]> u1 = replayed.stream()
                .filter(r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals("u-1"))
                .findFirst().orElseThrow();
        List<String> headerNames = new ArrayList<>();
        u1.headers().forEach(h -> headerNames.add(h.key()));
        assertThat(headerNames).containsExactly("trace-id", DlqHeaders.REPLAY_COUNT, DlqHeaders.REPLAY_ID);
        assertThat(new DlqRecord(u1).replayCount()).isEqualTo(1);
    }

    @Test
    void theLedgerHoldsOneEntryPerPublishedRecordWrittenWithIt() throws Exception {
        fixture.writeMixedDlq();

        new Replayer(fixture.config()).replay(options("not-json", null, null, 0, false), () -> "plan-1");

        List<ConsumerRecord<byte[], byte[]>> entries = TestKafka.readCommitted(BOOTSTRAP, fixture.ledger, 2, WAIT);
        assertThat(entries).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder(fixture.dlq + "/1/1", fixture.dlq + "/0/2");
        var value = new com.fasterxml.jackson.databind.ObjectMapper().readTree(entries.get(0).value());
        assertThat(value.get("replay_id").asText()).isEqualTo("plan-1");
        assertThat(value.get("to").asText()).isEqualTo(fixture.input);
        assertThat(value.get("at").asText()).endsWith("Z");
        try (var admin = TestKafka.admin(BOOTSTRAP)) {
            var resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, fixture.ledger);
            assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource)
                    .get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(value.get("dlq_topic_id").asText()).isEqualTo(admin.describeTopics(List.of(fixture.dlq))
                    .allTopicNames().get().get(fixture.dlq).topicId().toString());
        }
    }

    @Test
    void filtersLeaveRecordsOutAndTheGroupPassesThem() {
        fixture.writeMixedDlq();
        Config config = fixture.config();

        ReplaySummary schemaOnly = replay(config, options("schema", 2_000L, null, 0, false));
        ReplaySummary everythingElse = replay(config, options(null, null, null, 0, false));

        assertThat(schemaOnly.replayed()).isEqualTo(2);
        assertThat(schemaOnly.leftOut()).isEqualTo(4);
        assertThat(everythingElse.read()).isZero();
        assertThat(TestKafka.readCommitted(BOOTSTRAP, fixture.input, 2, WAIT)).extracting(r -> new String(r.key(),
                StandardCharsets.UTF_8)).containsExactlyInAnyOrder("u-2", "u-3");
    }

    @Test
    void untilAndLimitStopReadingAndALaterRunContinues() {
        fixture.writeMixedDlq();
        Config config = fixture.config();

        ReplaySummary untilTwoSeconds = replay(config, options(null, null, 2_000L, 0, false));
        ReplaySummary oneMore = replay(config, options(null, null, null, 1, false));
        ReplaySummary rest = replay(config, options(null, null, null, 0, false));

        assertThat(untilTwoSeconds.replayed()).isEqualTo(2);
        assertThat(oneMore.replayed()).isEqualTo(1);
        assertThat(rest.replayed()).isEqualTo(3);
        assertThat(fixture.inputValues(6)).containsExactlyInAnyOrderElementsOf(MIXED_VALUES);
    }

    @Test
    void maxReplaysStopsARecordThatKeepsFailingAndTruncatedValuesAreSkipped() {
        fixture.write(List.of(fixture.dlqRecord(0, "u-1", "{\"ip\":\"999.1.1.1\"}", contract("schema", 1_000,
                        DlqHeaders.REPLAY_COUNT, "1", DlqHeaders.REPLAY_ID, "cli-00000000")),
                fixture.dlqRecord(1, "u-2", "{\"ip\":", contract("not-json", 1_000,
                        DlqHeaders.PAYLOAD_TRUNCATED, "true", DlqHeaders.PAYLOAD_SIZE, "2000000"))));
        Config config = fixture.config();

        ReplaySummary first = replay(config, options(null, null, null, 0, false));
        ConsumerRecord<byte[], byte[]> replayed = fixture.inputRecords(1).get(0);
        // The consumer fails it again: back to the DLQ with its replay.count and replay.id kept.
        RecordHeaders again = contract("schema", 9_000);
        replayed.headers().forEach(again::add);
        fixture.write(List.of(new ProducerRecord<>(fixture.dlq, 0, replayed.key(), replayed.value(), again)));
        ReplaySummary second = replay(config, options(null, null, null, 0, false));

        assertThat(first.replayed()).isEqualTo(1);
        assertThat(first.skippedTruncated()).isEqualTo(1);
        assertThat(first.skippedExamples()).containsExactly("1:0");
        assertThat(new DlqRecord(replayed).replayCount()).isEqualTo(2);
        assertThat(header(replayed, DlqHeaders.REPLAY_ID)).isEqualTo(first.replayId()).startsWith("cli-");
        assertThat(replayed.headers().headers(DlqHeaders.REPLAY_ID)).hasSize(1);
        assertThat(second.replayed()).isZero();
        assertThat(second.skippedMaxReplays()).isEqualTo(1);
        assertThat(fixture.inputValues(1)).hasSize(1);
    }
}
