package dev.loginpipe.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Service;
import dev.loginpipe.dlq.replay.ReplayOptions;
import dev.loginpipe.dlq.replay.ReplaySummary;
import dev.loginpipe.dlq.replay.Replayer;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** report, export and replay against a DLQ this test writes itself, with the contract headers. */
class DlqTest {
    private static final String BOOTSTRAP = TestKafka.shared().bootstrapServers();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String DETAILS = "[{\"path\":\"/ip\",\"keyword\":\"format\",\"message\":\"bad\"},"
            + "{\"path\":\"/device_type\",\"keyword\":\"required\",\"message\":\"missing\"}]";

    private String dlq;
    private String input;

    @BeforeEach
    void topics() {
        dlq = TestKafka.uniqueName("dlq");
        input = TestKafka.uniqueName("user-login");
        TestKafka.createTopic(BOOTSTRAP, dlq, 2);
        TestKafka.createTopic(BOOTSTRAP, input, 1);
    }

    private Config config(String... overrides) {
        Map<String, String> env = new HashMap<>(Map.of("BOOTSTRAP_SERVERS", BOOTSTRAP, "DLQ_TOPIC", dlq,
                "INPUT_TOPIC", input, "REPLAY_GROUP_ID", TestKafka.uniqueName("replay"), "HTTP_PORT", "0",
                "INSTANCE_ID", "test", "MAX_REPLAYS", "2"));
        for (int i = 0; i < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return Config.load(Service.DLQ_CONSUMER, env);
    }

    /** Headers as the consumer writes them, plus any given as name, value pairs. */
    private static RecordHeaders contract(String reason, long at, String... extra) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "t-1".getBytes(StandardCharsets.UTF_8));
        Map<String, String> values = new java.util.LinkedHashMap<>(Map.of(DlqHeaders.SOURCE_TOPIC, "user-login",
                DlqHeaders.SOURCE_PARTITION, "0", DlqHeaders.SOURCE_OFFSET, "7", DlqHeaders.ERROR_REASON, reason,
                DlqHeaders.ERROR_MESSAGE, "bad event from 203.0.113.9", DlqHeaders.ERROR_AT, Long.toString(at)));
        if (reason.equals("schema")) {
            values.put(DlqHeaders.ERROR_DETAILS, DETAILS);
        }
        for (int i = 0; i < extra.length; i += 2) {
            values.put(extra[i], extra[i + 1]);
        }
        values.forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
        return headers;
    }

    private void write(List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(BOOTSTRAP, Map.of())) {
            records.forEach(producer::send);
        }
    }

    private ProducerRecord<byte[], byte[]> dlqRecord(int partition, String key, String value, RecordHeaders headers) {
        return new ProducerRecord<>(dlq, partition, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** Three schema, two not-json and one record written by someone else, over two partitions. */
    private void writeMixedDlq() {
        write(List.of(
                dlqRecord(0, "u-1", "{\"ip\":\"999.1.1.1\"}", contract("schema", 1_000)),
                dlqRecord(0, "u-2", "{\"ip\":\"1.2.3\"}", contract("schema", 2_000)),
                dlqRecord(1, "u-3", "{\"ip\":\"::1\"}", contract("schema", 3_000)),
                dlqRecord(1, "u-4", "{\"user_id\":", contract("not-json", 4_000)),
                dlqRecord(0, null, "nope", contract("not-json", 5_000)),
                new ProducerRecord<>(dlq, 1, null, "stray".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void reportCountsEveryReasonAndViolation() throws Exception {
        writeMixedDlq();
        Report report = new Report(dlq);

        DlqScan.forEach(config(), report::add);

        assertThat(report.total()).isEqualTo(6);
        JsonNode json = new ObjectMapper().readTree(report.json());
        assertThat(json.get("by_reason")).isEqualTo(new ObjectMapper().readTree(
                "{\"not-json\":2,\"schema\":3,\"unknown\":1}"));
        assertThat(json.get("by_violation")).isEqualTo(new ObjectMapper().readTree(
                "{\"/device_type required\":3,\"/ip format\":3}"));
        assertThat(json.at("/reasons/schema/first_error_at").asText()).isEqualTo("1970-01-01T00:00:01Z");
        assertThat(json.at("/reasons/schema/last_error_at").asText()).isEqualTo("1970-01-01T00:00:03Z");
        assertThat(json.at("/reasons/schema/examples")).hasSize(3);
        assertThat(report.table()).contains("DLQ " + dlq + ": 6 records").contains("/ip format");
    }

    @Test
    void exportKeepsBinaryValuesAndHeadersExactly() throws Exception {
        byte[] binary = {(byte) 0xC3, 0x28, (byte) 0xFF, 0x00, 0x41};
        write(List.of(new ProducerRecord<>(dlq, 0, (byte[]) null, binary, contract("not-utf8", 1_000)),
                dlqRecord(1, "u-1", "{\"é\":1}", contract("schema", 2_000))));
        StringWriter out = new StringWriter();
        Exporter exporter = new Exporter(out);

        DlqScan.forEach(config(), exporter::write);

        assertThat(exporter.written()).isEqualTo(2);
        Map<String, JsonNode> byReason = new HashMap<>();
        for (String line : out.toString().split("\n")) {
            JsonNode node = new ObjectMapper().readTree(line);
            byReason.put(node.get("reason").asText(), node);
        }
        JsonNode binaryLine = byReason.get("not-utf8");
        assertThat(Base64.getDecoder().decode(binaryLine.get("value_base64").asText())).isEqualTo(binary);
        assertThat(binaryLine.has("value")).isFalse();
        assertThat(binaryLine.get("key").isNull()).isTrue();
        assertThat(byReason.get("schema").get("value").asText()).isEqualTo("{\"é\":1}");
        assertThat(byReason.get("schema").get("key").asText()).isEqualTo("u-1");
        assertThat(byReason.get("schema").get("headers").findValuesAsText("name"))
                .contains("trace-id", DlqHeaders.ERROR_REASON, DlqHeaders.ERROR_DETAILS);
    }

    @Test
    void replayPublishesOnceWithOriginalKeyValueAndHeadersAndDryRunPublishesNothing() {
        writeMixedDlq();
        Config config = config();
        Replayer replayer = new Replayer(config);

        ReplaySummary dryRun = replayer.replay(new ReplayOptions(input, null, null, null, 0, true));
        assertThat(dryRun.replayed()).isEqualTo(6);
        assertThat(TestKafka.readCommitted(BOOTSTRAP, input, 0, Duration.ofSeconds(2))).isEmpty();

        ReplaySummary first = replayer.replay(new ReplayOptions(input, null, null, null, 0, false));
        ReplaySummary second = replayer.replay(new ReplayOptions(input, null, null, null, 0, false));

        assertThat(first.read()).isEqualTo(6);
        assertThat(first.replayed()).isEqualTo(6);
        assertThat(second.read()).isZero();
        assertThat(second.replayed()).isZero();
        List<ConsumerRecord<byte[], byte[]>> replayed = TestKafka.readCommitted(BOOTSTRAP, input, 6, WAIT);
        assertThat(replayed).hasSize(6);
        assertThat(replayed).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("{\"ip\":\"999.1.1.1\"}", "{\"ip\":\"1.2.3\"}", "{\"ip\":\"::1\"}",
                        "{\"user_id\":", "nope", "stray");
        ConsumerRecord<byte[], byte[]> u1 = replayed.stream()
                .filter(r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals("u-1"))
                .findFirst().orElseThrow();
        List<String> headerNames = new ArrayList<>();
        u1.headers().forEach(h -> headerNames.add(h.key()));
        assertThat(headerNames).containsExactly("trace-id", DlqHeaders.REPLAY_COUNT);
        assertThat(new DlqRecord(u1).replayCount()).isEqualTo(1);
    }

    @Test
    void filtersLeaveRecordsOutAndTheGroupPassesThem() {
        writeMixedDlq();
        Replayer replayer = new Replayer(config());

        ReplaySummary schemaOnly = replayer.replay(new ReplayOptions(input, "schema", 2_000L, null, 0, false));
        ReplaySummary everythingElse = replayer.replay(new ReplayOptions(input, null, null, null, 0, false));

        assertThat(schemaOnly.replayed()).isEqualTo(2);
        assertThat(schemaOnly.leftOut()).isEqualTo(4);
        assertThat(everythingElse.read()).isZero();
        assertThat(TestKafka.readCommitted(BOOTSTRAP, input, 2, WAIT)).extracting(r -> new String(r.key(),
                StandardCharsets.UTF_8)).containsExactlyInAnyOrder("u-2", "u-3");
    }

    @Test
    void untilAndLimitStopReadingAndALaterRunContinues() {
        writeMixedDlq();
        Replayer replayer = new Replayer(config());

        ReplaySummary untilTwoSeconds = replayer.replay(new ReplayOptions(input, null, null, 2_000L, 0, false));
        ReplaySummary oneMore = replayer.replay(new ReplayOptions(input, null, null, null, 1, false));
        ReplaySummary rest = replayer.replay(new ReplayOptions(input, null, null, null, 0, false));

        assertThat(untilTwoSeconds.replayed()).isEqualTo(2);
        assertThat(oneMore.replayed()).isEqualTo(1);
        assertThat(rest.replayed()).isEqualTo(3);
        assertThat(TestKafka.readCommitted(BOOTSTRAP, input, 6, WAIT)).hasSize(6);
    }

    @Test
    void maxReplaysStopsARecordThatKeepsFailingAndTruncatedValuesAreSkipped() {
        write(List.of(dlqRecord(0, "u-1", "{\"ip\":\"999.1.1.1\"}", contract("schema", 1_000,
                        DlqHeaders.REPLAY_COUNT, "1")),
                dlqRecord(1, "u-2", "{\"ip\":", contract("not-json", 1_000,
                        DlqHeaders.PAYLOAD_TRUNCATED, "true", DlqHeaders.PAYLOAD_SIZE, "2000000"))));
        Replayer replayer = new Replayer(config());

        ReplaySummary first = replayer.replay(new ReplayOptions(input, null, null, null, 0, false));
        ConsumerRecord<byte[], byte[]> replayed = TestKafka.readCommitted(BOOTSTRAP, input, 1, WAIT).get(0);
        // The consumer fails it again: back to the DLQ with its replay.count kept.
        RecordHeaders again = contract("schema", 9_000);
        replayed.headers().forEach(again::add);
        write(List.of(new ProducerRecord<>(dlq, 0, replayed.key(), replayed.value(), again)));
        ReplaySummary second = replayer.replay(new ReplayOptions(input, null, null, null, 0, false));

        assertThat(first.replayed()).isEqualTo(1);
        assertThat(first.skippedTruncated()).isEqualTo(1);
        assertThat(first.skippedExamples()).containsExactly("1:0");
        assertThat(new DlqRecord(replayed).replayCount()).isEqualTo(2);
        assertThat(second.replayed()).isZero();
        assertThat(second.skippedMaxReplays()).isEqualTo(1);
        assertThat(TestKafka.readCommitted(BOOTSTRAP, input, 1, Duration.ofSeconds(5))).hasSize(1);
    }
}
