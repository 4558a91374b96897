package dev.loginpipe.dlq.console;

import static dev.loginpipe.dlq.DlqFixture.contract;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import dev.loginpipe.common.config.Service;
import dev.loginpipe.dlq.DlqFixture;
import dev.loginpipe.dlq.replay.ReplayControl;
import dev.loginpipe.dlq.replay.ReplayOptions;
import dev.loginpipe.dlq.replay.Replayer;
import org.junit.jupiter.api.Test;

/** The console's "already replayed" comes from the replay ledger on a real broker. */
class LedgerSnapshotTest {

    @Test
    void recordsReplayedBeforeTheConsoleStartedAreReplayedAndTheOthersAreNot() {
        DlqFixture fixture = new DlqFixture();
        fixture.write(List.of(
                fixture.dlqRecord(0, null, "{\"ip\":\"999.1.1.1\"}", contract("schema", 1_000)),
                fixture.dlqRecord(0, null, "plain", contract("not-json", 2_000)),
                fixture.dlqRecord(1, null, "{\"ip\":\"1.2.3\"}", contract("schema", 3_000))));
        new Replayer(fixture.config(Service.DLQ_CONSOLE)).replay(new ReplayOptions(fixture.input, "schema", null, null, 0, false, false),
                ReplayControl.commandLine());

        try (LedgerSnapshot snapshot = LedgerSnapshot.follow(fixture.config(Service.DLQ_CONSOLE))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> snapshot.replayed(0, 0));
            assertThat(snapshot.replayed(1, 0)).isTrue();
            assertThat(snapshot.replayed(0, 1)).as("left out by --reason schema").isFalse();
            assertThat(snapshot.replayed(1, 1)).as("no such record").isFalse();
        }
    }
}
