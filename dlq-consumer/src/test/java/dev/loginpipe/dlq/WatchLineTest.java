package dev.loginpipe.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Service;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.dlq.replay.ReplayOptions;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** What watch logs, and which command lines are refused; no broker needed. */
class WatchLineTest {
    private static final String USER = "0b7e0f6c-3c1a-4f43-9d51-3e8f3c2f1a11";

    private static String lineFor(boolean logPayloads) {
        Config config = Config.load(Service.DLQ_CONSUMER, Map.of("BOOTSTRAP_SERVERS", "127.0.0.1:1",
                "LOG_PAYLOADS", Boolean.toString(logPayloads)));
        Watcher watcher = new Watcher(config, new DlqMetrics(new PrometheusRegistry(), 3), new Health());
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("dlq", 1, 17, USER.getBytes(StandardCharsets.UTF_8),
                ("{\"user_id\":\"" + USER + "\",\"ip\":\"999.1.1.1\"}").getBytes(StandardCharsets.UTF_8));
        record.headers().add(DlqHeaders.ERROR_REASON, "schema".getBytes(StandardCharsets.UTF_8));
        record.headers().add(DlqHeaders.REPLAY_COUNT, "2".getBytes(StandardCharsets.UTF_8));
        record.headers().add(DlqHeaders.ERROR_MESSAGE,
                ("user " + USER + " from 999.1.1.1 and fe80::1").getBytes(StandardCharsets.UTF_8));
        return watcher.line(new DlqRecord(record));
    }

    @Test
    void idsAndAddressesAreMaskedUnlessPayloadsAreLogged() {
        assertThat(lineFor(false)).isEqualTo("1:17 schema from ? replay.count=2: user <id> from <ip> and <ip>");
        assertThat(lineFor(true)).isEqualTo("1:17 schema from ? replay.count=2: user " + USER
                + " from 999.1.1.1 and fe80::1 value={\"user_id\":\"" + USER + "\",\"ip\":\"999.1.1.1\"}");
    }

    @Test
    void badCommandLinesAreRefusedWithOneLine() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"purge"}))
                .hasMessage("unknown command 'purge', expected one of [watch, report, replay, export, console, user, backtest]");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"replay", "--limit", "0"}))
                .hasMessage("--limit: invalid value '0', expected an integer >= 1");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"report", "--dry-run"}))
                .hasMessage("'--dry-run' is not an option of report, see --help");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"export"})).hasMessage("export needs --out FILE");
        for (String[] args : new String[][] {{"backtest"}, {"backtest", "--schema", "f", "--registry-version", "2"}}) {
            assertThatThrownBy(() -> CommandLine.parse(args))
                    .hasMessage("backtest needs either --schema FILE or --registry-version N");
        }
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"backtest", "--registry-version", "+2"}))
                .hasMessage("--registry-version: invalid value '+2', expected latest or an integer >= 1");
        assertThat(CommandLine.parse(new String[] {"backtest", "--registry-version", "latest"}).values())
                .containsEntry("--registry-version", "latest");
        assertThat(CommandLine.parse(new String[] {"replay", "--since", "2025-01-31", "--dry-run"})
                .replayOptions("in")).isEqualTo(new ReplayOptions("in", null, 1_738_281_600_000L, null, 0, true, false));
        assertThat(CommandLine.parse(new String[] {"replay", "--again"}).replayOptions("in"))
                .isEqualTo(new ReplayOptions("in", null, null, null, 0, false, true));
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"replay", "--signature", "<script>"}))
                .hasMessageStartingWith("--signature: invalid value '<script>', expected the 12 hex digits");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"replay", "--id", "a b"}))
                .hasMessageStartingWith("--id: invalid value");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"replay", "--rate", "-3"}))
                .hasMessage("--rate: invalid value '-3', expected an integer >= 1");
        CommandLine plan = CommandLine.parse(new String[] {"replay", "--id", "plan-1a2b3c4d", "--signature",
            "0123456789ab", "--rate", "50", "--limit", "7"});
        assertThat(plan.replayOptions("in")).isEqualTo(new ReplayOptions("in", null, null, null, 7, false, false,
                "0123456789ab"));
        assertThat(plan.replayControl().replayId()).isEqualTo("plan-1a2b3c4d");
        assertThat(plan.replayControl().recordsPerSecond()).isEqualTo(50);
    }
}
