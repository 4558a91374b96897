package dev.loginpipe.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.loginpipe.dlq.DlqMain;
import dev.loginpipe.local.TestKafka;
import org.junit.jupiter.api.Test;

/** {@code replay --to} a topic the pipeline trusts is a usage error: exit 2, one line naming it, nothing published. */
class ReplayTargetsCliTest {
    private final String bootstrap = TestKafka.shared().bootstrapServers();
    private final Pipeline pipeline = new Pipeline(bootstrap);

    @Test
    void replayToTheLedgerTheOutputOrAnUnlistedTopicExits2() {
        Map<String, String> env = new HashMap<>(pipeline.env("replay-1"));
        env.put("BOOTSTRAP_SERVERS", bootstrap);
        Map<String, String> refused = Map.of(pipeline.ledger, "is the replay ledger; never a replay target",
                pipeline.output, "is the output topic, where records skip validation; never a replay target",
                "elsewhere", "is not a replay target (allowed: " + pipeline.input + "; REPLAY_TARGETS adds more)");
        refused.forEach((topic, why) -> {
            try (ServiceProcess replay = ServiceProcess.start(DlqMain.class, env, "replay", "--to", topic)) {
                assertThat(replay.awaitExit(Duration.ofSeconds(30))).as(replay.output()).isEqualTo(2);
                assertThat(replay.output()).contains("--to: " + topic + " " + why);
            }
        });
        env.put("REPLAY_TARGETS", pipeline.dlq);
        try (ServiceProcess replay = ServiceProcess.start(DlqMain.class, env, "report")) {
            assertThat(replay.awaitExit(Duration.ofSeconds(30))).as(replay.output()).isEqualTo(2);
            assertThat(replay.output()).contains("REPLAY_TARGETS: " + pipeline.dlq
                    + " cannot be a replay target: the DLQ itself");
        }
        assertThat(pipeline.readNow(pipeline.input)).isEmpty();
    }
}
