package dev.loginpipe.dlq;

import static dev.loginpipe.dlq.DlqFixture.contract;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.dlq.replay.ReplayControl;
import dev.loginpipe.dlq.replay.ReplayLedger;
import dev.loginpipe.dlq.replay.Replayer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The schema version that judged a DLQ record: report and export show it, replay selects by it. */
class SchemaVersionTest {
    private final DlqFixture fixture = new DlqFixture();

    private void writeVersionedDlq() {
        fixture.write(List.of(
                fixture.dlqRecord(0, "u-1", "{\"a\":1}", contract("schema", 1_000, DlqHeaders.SCHEMA_VERSION, "3",
                        DlqHeaders.SCHEMA_ID, "7")),
                fixture.dlqRecord(1, "u-2", "{\"a\":2}", contract("schema", 2_000, DlqHeaders.SCHEMA_VERSION, "3",
                        DlqHeaders.SCHEMA_ID, "7")),
                fixture.dlqRecord(0, "u-3", "{\"a\":3}", contract("schema", 3_000, DlqHeaders.SCHEMA_VERSION, "4",
                        DlqHeaders.SCHEMA_ID, "9")),
                fixture.dlqRecord(1, "u-4", "{\"a\":4}", contract("not-json", 4_000))));
    }

    @Test
    void reportAndExportShowTheVersionAndReplaySelectsByIt() throws Exception {
        writeVersionedDlq();
        Report report = new Report(fixture.dlq, ReplayLedger.read(fixture.config(), false)::contains);
        DlqScan.forEach(fixture.config(), report::add);
        assertThat(report.bySchemaVersion()).containsExactly(Map.entry("3", 2L), Map.entry("4", 1L),
                Map.entry("none", 1L));
        assertThat(new ObjectMapper().readTree(report.json()).get("by_schema_version").toString())
                .isEqualTo("{\"3\":2,\"4\":1,\"none\":1}");
        assertThat(report.table()).containsPattern("schema version +records\\n3 +2\\n4 +1\\nnone +1\\n");

        StringWriter out = new StringWriter();
        DlqScan.forEach(fixture.config(), new Exporter(out)::write);
        List<String> exported = new ArrayList<>();
        for (String line : out.toString().split("\n")) {
            JsonNode node = new ObjectMapper().readTree(line);
            exported.add(node.get("value").asText() + "=" + node.get("schema_version").asText("null"));
        }
        assertThat(exported).containsExactlyInAnyOrder("{\"a\":1}=3", "{\"a\":2}=3", "{\"a\":3}=4", "{\"a\":4}=null");

        CommandLine replay = CommandLine.parse(new String[] {"replay", "--schema-version", "3"});
        new Replayer(fixture.config()).replay(replay.replayOptions(fixture.input), ReplayControl.commandLine());
        List<ConsumerRecord<byte[], byte[]>> published = fixture.inputRecords(2);
        assertThat(published).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("{\"a\":1}", "{\"a\":2}");
        assertThat(published).as("the next trip is judged afresh: no old version travels with it").allSatisfy(r -> {
            assertThat(r.headers().lastHeader(DlqHeaders.SCHEMA_VERSION)).isNull();
            assertThat(r.headers().lastHeader(DlqHeaders.SCHEMA_ID)).isNull();
        });
    }
}
