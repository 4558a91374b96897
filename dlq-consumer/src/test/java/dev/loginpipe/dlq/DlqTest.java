package dev.loginpipe.dlq;

import static dev.loginpipe.dlq.DlqFixture.contract;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.dlq.replay.ReplayControl;
import dev.loginpipe.dlq.replay.ReplayLedger;
import dev.loginpipe.dlq.replay.ReplayOptions;
import dev.loginpipe.dlq.replay.Replayer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** report and export against a DLQ this test writes itself, with the contract headers. */
class DlqTest {
    private final DlqFixture fixture = new DlqFixture();

    private Report report() {
        Report report = new Report(fixture.dlq, ReplayLedger.read(fixture.config(), false)::contains);
        DlqScan.forEach(fixture.config(), report::add);
        return report;
    }

    @Test
    void reportCountsEveryReasonAndViolation() throws Exception {
        fixture.writeMixedDlq();

        Report report = report();

        assertThat(report.total()).isEqualTo(6);
        JsonNode json = new ObjectMapper().readTree(report.json());
        assertThat(json.get("by_reason")).isEqualTo(new ObjectMapper().readTree(
                "{\"not-json\":2,\"schema\":3,\"unknown\":1}"));
        assertThat(json.get("by_violation")).isEqualTo(new ObjectMapper().readTree(
                "{\"/device_type required\":3,\"/ip format\":3}"));
        assertThat(json.get("already_replayed").asLong()).isZero();
        assertThat(json.at("/reasons/schema/first_error_at").asText()).isEqualTo("1970-01-01T00:00:01Z");
        assertThat(json.at("/reasons/schema/last_error_at").asText()).isEqualTo("1970-01-01T00:00:03Z");
        assertThat(json.at("/reasons/schema/examples")).hasSize(3);
        assertThat(report.table()).contains("DLQ " + fixture.dlq + ": 6 records, 0 already replayed")
                .contains("/ip format");
    }

    @Test
    void reportCountsWhatReplayPublishedAlreadyWhateverTheGroup() throws Exception {
        fixture.writeMixedDlq();
        new Replayer(fixture.config()).replay(new ReplayOptions(fixture.input, "schema", 2_000L, null, 0, false,
                false), ReplayControl.commandLine());

        Report report = report();

        JsonNode json = new ObjectMapper().readTree(report.json());
        assertThat(json.get("already_replayed").asLong()).isEqualTo(2);
        assertThat(json.at("/reasons/schema/already_replayed").asLong()).isEqualTo(2);
        assertThat(json.at("/reasons/not-json/already_replayed").asLong()).isZero();
        assertThat(json.at("/reasons/unknown/already_replayed").asLong()).isZero();
        assertThat(report.table()).contains("DLQ " + fixture.dlq + ": 6 records, 2 already replayed")
                .containsPattern("(?m)^schema +3 +2 ").containsPattern("(?m)^not-json +2 +0 ");
    }

    @Test
    void exportKeepsBinaryValuesAndHeadersExactly() throws Exception {
        byte[] binary = {(byte) 0xC3, 0x28, (byte) 0xFF, 0x00, 0x41};
        fixture.write(List.of(new ProducerRecord<>(fixture.dlq, 0, (byte[]) null, binary, contract("not-utf8", 1_000)),
                fixture.dlqRecord(1, "u-1", "{\"é\":1}", contract("schema", 2_000))));
        StringWriter out = new StringWriter();
        Exporter exporter = new Exporter(out);

        DlqScan.forEach(fixture.config(), exporter::write);

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
}
