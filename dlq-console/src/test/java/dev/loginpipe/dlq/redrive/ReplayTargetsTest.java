package dev.loginpipe.dlq.redrive;

import static dev.loginpipe.dlq.DlqFixture.BOOTSTRAP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import dev.loginpipe.common.config.ConfigException;
import dev.loginpipe.dlq.redrive.Plan.State;
import dev.loginpipe.dlq.replay.ReplayControl;
import dev.loginpipe.dlq.replay.ReplayTargets;
import dev.loginpipe.dlq.replay.Replayer;
import dev.loginpipe.local.TestKafka;
import org.junit.jupiter.api.Test;

/** Redrive cannot write where it must not: not from the API, not from the engine, not from a plan rebuilt later. */
class ReplayTargetsTest extends RedriveFixture {

    @Test
    void aPlanToTheLedgerTheAuditTrailTheOutputTheDlqOrAnInternalTopicIsRefused() throws Exception {
        RedriveOpener opener = opened(config());
        try {
            RedriveApi api = new RedriveApi(opener, fixture.input);
            Map<String, String> forbidden = Map.of(fixture.ledger, "the replay ledger", audit, "the audit trail",
                    output, "the output topic, where records skip validation", fixture.dlq, "the DLQ itself",
                    "__consumer_offsets", "an internal topic");
            forbidden.forEach((topic, what) -> {
                RedriveApi.Answer answer = api.create(Map.of("to", topic, "rate", "10",
                        "max", "10"), RedriveApiTest.KIM);
                assertThat(answer.status()).as(topic).isEqualTo(400);
                assertThat(answer.body().path("error").asText()).isEqualTo("to: " + topic + " is " + what
                        + "; never a replay target");
            });
            RedriveApi.Answer other = api.create(Map.of("to", "somewhere-else", "rate", "10",
                    "max", "10"), RedriveApiTest.KIM);
            assertThat(other.status()).isEqualTo(400);
            assertThat(other.body().path("error").asText()).isEqualTo("to: somewhere-else is not a replay target "
                    + "(allowed: " + fixture.input + "; REPLAY_TARGETS adds more)");
            assertThat(opener.redrive().plans()).isEmpty();
            assertThat(opener.redrive().auditEntries()).isEmpty();
        } finally {
            opener.close();
        }
    }

    @Test
    void theEngineRefusesEveryRunToAForbiddenTargetWhoeverStartsIt() {
        Replayer replayer = new Replayer(config());
        assertThatThrownBy(() -> replayer.replay(spec(fixture.ledger, 10, 10, 100, 1).options(10, false),
                ReplayControl.commandLine())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("to: " + fixture.ledger + " is the replay ledger; never a replay target");
        assertThat(fixture.inputValues(0)).isEmpty();
    }

    @Test
    void aForbiddenTopicInReplayTargetsIsASettingError() {
        assertThatThrownBy(() -> new ReplayTargets(config("REPLAY_TARGETS", "extra," + output)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("REPLAY_TARGETS: " + output + " cannot be a replay target: the output topic, where "
                        + "records skip validation");
    }

    /** A target allowed when the plan was made and no longer when it runs: the engine refuses it, the plan pauses. */
    @Test
    void aPlanRebuiltWithATargetNoLongerAllowedDoesNotRun() throws Exception {
        writeDead(5);
        String extra = TestKafka.uniqueName("extra");
        TestKafka.createTopic(BOOTSTRAP, extra, 1);
        String id;
        try (Redrive redrive = Redrive.open(config("REPLAY_TARGETS", extra))) {
            id = redrive.create("ana", spec(extra, 1000, 5, 100, 1)).id();
        }
        try (Redrive restarted = Redrive.open(config())) {
            Plan plan = restarted.plan(id);
            restarted.start("ana", id);
            await("the plan to pause", () -> plan.state() == State.PAUSED);
            assertThat(plan.note()).isEqualTo("failed: to: " + extra + " is not a replay target (allowed: "
                    + fixture.input + "; REPLAY_TARGETS adds more)");
        }
        assertThat(TestKafka.readCommitted(BOOTSTRAP, extra, 0, java.time.Duration.ofSeconds(2)))
                .isEmpty();
    }

}
