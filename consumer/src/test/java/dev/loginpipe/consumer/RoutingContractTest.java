package dev.loginpipe.consumer;

import static dev.loginpipe.consumer.Pipeline.header;
import static dev.loginpipe.consumer.Pipeline.record;
import static dev.loginpipe.consumer.Pipeline.validEvent;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every kind of input through a real broker: exact output and DLQ records, bytes, keys and headers. */
class RoutingContractTest {
    static final String VALID = validEvent("u-1");
    static final int NEAR_LIMIT = 1_048_000;
    static Pipeline pipeline;
    static List<ConsumerRecord<byte[], byte[]>> output;
    static Map<String, ConsumerRecord<byte[], byte[]>> dlqByCase;

    record Case(String name, byte[] key, byte[] value, String reason, String badPath, String keyword) {
    }

    static byte[] utf8(String s) {
        return s.getBytes(UTF_8);
    }

    static String replace(String field, String json) {
        return VALID.replaceFirst("\"" + field + "\":(\"[^\"]*\"|\\d+)", "\"" + field + "\":" + json);
    }

    static String without(String field) {
        return VALID.replaceFirst(",?\"" + field + "\":(\"[^\"]*\"|\\d+)", "").replace("{,", "{");
    }

    static final List<Case> INVALID = new ArrayList<>(List.of(
            new Case("null", utf8("k-null"), null, "empty", null, null),
            new Case("empty", null, new byte[0], "empty", null, null),
            new Case("bad-utf8", utf8("k-utf8"), new byte[] {'{', (byte) 0xC3, '}'}, "not-utf8", null, null),
            new Case("not-json", utf8("k-nj"), utf8("hello"), "not-json", null, null),
            new Case("truncated", utf8("k-tr"), utf8(VALID.substring(0, 30)), "not-json", null, null),
            new Case("trailing", utf8("k-tg"), utf8(VALID + "garbage"), "not-json", null, null),
            new Case("nan", utf8("k-nan"), utf8(replace("timestamp", "NaN")), "not-json", null, null),
            new Case("deep", utf8("k-deep"), utf8("[".repeat(200) + "]".repeat(200)), "limits", null, null),
            new Case("ip-999", utf8("k-ip1"), utf8(replace("ip", "\"999.1.1.1\"")), "schema", "/ip", "format"),
            new Case("ip-short", utf8("k-ip2"), utf8(replace("ip", "\"1.2.3\"")), "schema", "/ip", "format"),
            new Case("ip-v6", utf8("k-ip3"), utf8(replace("ip", "\"::1\"")), "schema", "/ip", "format"),
            new Case("locale-1", utf8("k-l1"), utf8(replace("locale", "\"e\"")), "schema", "/locale", "minLength"),
            new Case("locale-3", utf8("k-l3"), utf8(replace("locale", "\"eng\"")), "schema", "/locale", "maxLength"),
            new Case("ts-string", utf8("k-ts"), utf8(replace("timestamp", "\"1700000000\"")), "schema", "/timestamp", "type"),
            new Case("extra", utf8("k-ex"), utf8(VALID.replace("}", ",\"admin\":true}")), "schema", "/admin", "additionalProperties"),
            new Case("array", utf8("k-arr"), utf8("[1,2]"), "schema", "", "type"),
            new Case("near-limit", utf8("k-big"), bigValue(), "not-json", null, null),
            new Case("huge-key", bigValue(), utf8(VALID), "too-large", null, null)));

    static {
        for (String field : List.of("user_id", "app_version", "device_type", "ip", "locale", "device_id", "timestamp")) {
            INVALID.add(new Case("missing-" + field, utf8("k-m-" + field), utf8(without(field)), "schema", "/" + field, "required"));
        }
    }

    static byte[] bigValue() {
        byte[] big = new byte[NEAR_LIMIT];
        Arrays.fill(big, (byte) 'x');
        return big;
    }

    static final List<ProducerRecord<byte[], byte[]>> VALID_INPUTS = List.of(
            record(utf8("u-1"), utf8(VALID), new RecordHeader("trace-id", utf8("abc"))),
            record(null, utf8(validEvent("Ünïcödé-用户-🎉"))),
            record(utf8("spoofed"), utf8(validEvent("spoofed")),
                    new RecordHeader(DlqHeaders.SOURCE_OFFSET, utf8("999999")),
                    new RecordHeader(DlqHeaders.ERROR_REASON, utf8("schema"))));

    @BeforeAll
    static void routeEveryCase() {
        // The DLQ keeps Kafka's default size limit, so the near-limit record must be truncated to fit.
        pipeline = new Pipeline(TestKafka.shared().bootstrapServers(), 1, Map.of());
        List<ProducerRecord<byte[], byte[]>> inputs = new ArrayList<>(VALID_INPUTS);
        for (Case c : INVALID) {
            inputs.add(record(c.key(), c.value(), new RecordHeader("case", utf8(c.name()))));
        }
        pipeline.send(inputs);
        try (Pipeline.InProcess consumer = pipeline.start("contract-1")) {
            output = pipeline.readOutput(VALID_INPUTS.size());
            dlqByCase = pipeline.readDlq(INVALID.size()).stream()
                    .collect(Collectors.toMap(r -> header(r, "case"), r -> r));
            assertThat(consumer.stop()).isZero();
        }
        pipeline.assertExactlyOnce(VALID_INPUTS.size() + INVALID.size());
    }

    @Test
    void validEventsKeepKeyValueBytesAndHeadersAndGainTheirSource() {
        assertThat(output).hasSize(VALID_INPUTS.size());
        for (int i = 0; i < VALID_INPUTS.size(); i++) {
            ProducerRecord<byte[], byte[]> in = VALID_INPUTS.get(i);
            ConsumerRecord<byte[], byte[]> out = output.get(i);
            assertThat(out.key()).isEqualTo(in.key());
            assertThat(out.value()).isEqualTo(in.value());
            assertThat(header(out, DlqHeaders.SOURCE_TOPIC)).isEqualTo(pipeline.input);
            assertThat(header(out, DlqHeaders.SOURCE_PARTITION)).isEqualTo("0");
            assertThat(header(out, DlqHeaders.SOURCE_OFFSET)).isEqualTo(Integer.toString(i));
            assertThat(Long.parseLong(header(out, DlqHeaders.SOURCE_TIMESTAMP))).isPositive();
            assertThat(out.headers().headers(DlqHeaders.SOURCE_OFFSET)).hasSize(1);
            assertThat(header(out, DlqHeaders.ERROR_REASON)).isNull();
        }
        assertThat(header(output.get(0), "trace-id")).isEqualTo("abc");
    }

    @Test
    void everyOtherRecordIsInTheDlqWithItsReasonAndOriginalBytes() {
        assertThat(dlqByCase.keySet()).containsExactlyInAnyOrderElementsOf(INVALID.stream().map(Case::name).toList());
        for (Case c : INVALID) {
            ConsumerRecord<byte[], byte[]> r = dlqByCase.get(c.name());
            assertThat(header(r, DlqHeaders.ERROR_REASON)).as(c.name()).isEqualTo(c.reason());
            if (!c.name().equals("huge-key")) {
                assertThat(r.key()).as(c.name()).isEqualTo(c.key());
            }
            if (!c.name().equals("near-limit")) {
                assertThat(r.value()).as(c.name()).isEqualTo(c.value());
            }
            if (!c.name().equals("near-limit") && !c.name().equals("huge-key")) {
                assertThat(header(r, DlqHeaders.PAYLOAD_TRUNCATED)).as(c.name()).isNull();
            }
            assertThat(header(r, DlqHeaders.ERROR_MESSAGE)).as(c.name()).isNotBlank();
            assertThat(r.headers().lastHeader(DlqHeaders.ERROR_MESSAGE).value().length).isLessThanOrEqualTo(1024);
            assertThat(header(r, DlqHeaders.ERROR_GROUP)).isEqualTo(pipeline.group);
            assertThat(header(r, DlqHeaders.ERROR_INSTANCE)).isEqualTo("contract-1");
            assertThat(Long.parseLong(header(r, DlqHeaders.ERROR_AT))).isCloseTo(System.currentTimeMillis(),
                    org.assertj.core.data.Offset.offset(120_000L));
            assertThat(header(r, DlqHeaders.SOURCE_TOPIC)).isEqualTo(pipeline.input);
            assertThat(header(r, "case")).isEqualTo(c.name());
        }
        assertThat(header(dlqByCase.get("not-json"), DlqHeaders.ERROR_EXCEPTION)).contains("Json");
        assertThat(header(dlqByCase.get("bad-utf8"), DlqHeaders.ERROR_POSITION)).isEqualTo("1");
        assertThat(Integer.parseInt(header(dlqByCase.get("trailing"), DlqHeaders.ERROR_POSITION)))
                .isBetween(VALID.length(), VALID.length() + "garbage".length()); // the trailing token's start or end
    }

    @Test
    void schemaViolationsNameTheFieldAndKeyword() throws Exception {
        for (Case c : INVALID) {
            if (!c.reason().equals("schema")) {
                assertThat(header(dlqByCase.get(c.name()), DlqHeaders.ERROR_DETAILS)).as(c.name()).isNull();
                continue;
            }
            JsonNode details = new ObjectMapper().readTree(header(dlqByCase.get(c.name()), DlqHeaders.ERROR_DETAILS));
            assertThat(details.isArray()).isTrue();
            assertThat(details).as(c.name()).hasSize(1);
            assertThat(details.get(0).get("path").asText()).as(c.name()).isEqualTo(c.badPath());
            assertThat(details.get(0).get("keyword").asText()).as(c.name()).isEqualTo(c.keyword());
            assertThat(details.get(0).get("message").asText()).isNotBlank();
        }
    }

    @Test
    void aValueTooLargeForTheDlqIsTruncatedAndMarked() {
        ConsumerRecord<byte[], byte[]> big = dlqByCase.get("near-limit");
        assertThat(header(big, DlqHeaders.PAYLOAD_TRUNCATED)).isEqualTo("true");
        assertThat(header(big, DlqHeaders.PAYLOAD_SIZE)).isEqualTo(Integer.toString(NEAR_LIMIT));
        assertThat(big.value().length).isLessThan(NEAR_LIMIT).isGreaterThan(NEAR_LIMIT - 4096);
        assertThat(big.value()).containsOnly((byte) 'x');
    }

    @Test
    void aValidEventUnderAKeyTooLargeForTheOutputIsDeadLetteredWithItsKeyCut() {
        ConsumerRecord<byte[], byte[]> huge = dlqByCase.get("huge-key");
        assertThat(header(huge, DlqHeaders.ERROR_MESSAGE)).contains("exceeds").contains("output topic");
        assertThat(header(huge, DlqHeaders.KEY_TRUNCATED)).isEqualTo("true");
        assertThat(header(huge, DlqHeaders.KEY_SIZE)).isEqualTo(Integer.toString(NEAR_LIMIT));
        assertThat(header(huge, DlqHeaders.PAYLOAD_TRUNCATED)).as("only the key was cut").isNull();
        assertThat(huge.key().length).isLessThan(NEAR_LIMIT).isGreaterThan(NEAR_LIMIT / 3);
        assertThat(huge.key()).containsOnly((byte) 'x');
    }

    @Test
    void contractHeadersOfTheInputAreReplacedNotDuplicated() {
        ConsumerRecord<byte[], byte[]> spoofed = output.get(2);
        assertThat(spoofed.headers().headers(DlqHeaders.SOURCE_OFFSET)).extracting(Header::value)
                .containsExactly(utf8("2"));
        assertThat(spoofed.headers().headers(DlqHeaders.ERROR_REASON)).isEmpty();
    }
}
