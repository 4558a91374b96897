package dev.loginpipe.dlq.redrive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loginpipe.dlq.console.access.Principal;
import dev.loginpipe.dlq.access.Role;
import dev.loginpipe.dlq.redrive.RedriveApi.Answer;
import org.junit.jupiter.api.Test;

/** The redrive endpoints' answers (the console's server adds HTTP and its guard), on a real broker. */
class RedriveApiTest extends RedriveFixture {
    static final Caller KIM = new Caller(new Principal("kim", Role.OPERATOR, true), "127.0.0.1");
    static final Caller LEE = new Caller(new Principal("lee", Role.OPERATOR, true), "10.0.0.2");
    static final Caller ADA = new Caller(new Principal("ada", Role.ADMIN, false), "10.0.0.3");

    @Test
    void plansAreCreatedStartedAndListedAndTheTrailIsServed() throws Exception {
        fixture.writeMixedDlq();
        try (RedriveOpener opener = opened(config())) {
            Redrive redrive = opener.redrive();
            RedriveApi api = new RedriveApi(opener, fixture.input, ledgerAsReadNow());
            Map<String, String> fields = Map.of("reason", "not-json", "rate", "100", "max", "10",
                    "stop_loss_percent", "50", "min_sample", "5", "since", "1970-01-01T00:00:00Z");

            Answer dryRun = api.dryRun(fields, KIM);
            Answer created = api.create(fields, KIM);
            String id = created.body().path("id").asText();
            Answer notLees = api.act(id, "start", LEE);
            Answer started = api.act(id, "start", KIM);
            await("the plan to finish", () -> redrive.plan(id).state() == Plan.State.FINISHED);
            Answer again = api.act(id, "resume", KIM);
            Answer plans = api.list();
            Answer audit = api.audit();
            Answer history = api.history(1, 1);

            assertThat(dryRun.status()).isEqualTo(200);
            assertThat(dryRun.body().path("would_publish").asLong()).isEqualTo(2);
            assertThat(dryRun.body().path("cli").asText()).isEqualTo("java -jar dlq-consumer.jar replay --dry-run"
                    + " --to " + fixture.input + " --reason not-json --since 0 --limit 10");
            assertThat(created.status()).isEqualTo(201);
            assertThat(created.body().path("state").asText()).isEqualTo("created");
            assertThat(created.body().path("spec").path("stop_loss_percent").asDouble()).isEqualTo(50);
            assertThat(notLees.status()).isEqualTo(403);
            assertThat(notLees.body().path("error").asText()).isEqualTo(id + " was created by kim (127.0.0.1): only "
                    + "its creator or an admin may start it");
            assertThat(started.status()).isEqualTo(200);
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.body().path("error").asText()).isEqualTo("plan " + id + " is finished: it cannot be resumed");
            JsonNode plan = plans.body().path("plans").get(0);
            assertThat(plan.path("published").asLong()).isEqualTo(2);
            assertThat(plan.path("state").asText()).isEqualTo("finished");
            assertThat(audit.body().path("verification").path("valid").asBoolean()).isTrue();
            assertThat(audit.body().path("entries")).extracting(e -> e.path("action").asText())
                    .containsExactly("dry-run", "created", "started", "finished");
            // Who is the signed-in name, and where the request came from.
            assertThat(audit.body().path("entries")).extracting(e -> e.path("who").asText())
                    .containsExactly("kim (127.0.0.1)", "kim (127.0.0.1)", "kim (127.0.0.1)", "redrive");
            assertThat(history.body().path("ledger").path("replay_id").asText()).isEqualTo(id);
        }
    }

    @Test
    void badRequestsNameTheField() throws Exception {
        try (RedriveOpener opener = opened(config())) {
            Redrive redrive = opener.redrive();
            RedriveApi api = new RedriveApi(opener, fixture.input);
            Map<String, String> good = Map.of("rate", "10", "max", "5");
            for (var bad : List.of(Map.entry("rate", "0"), Map.entry("rate", "1e9"), Map.entry("max", "-1"),
                    Map.entry("signature", "<img onerror=x>"), Map.entry("to", "a b"), Map.entry("to", fixture.dlq), Map.entry("since", "yesterday"),
                    Map.entry("stop_loss_percent", "101"), Map.entry("colour", "red"), Map.entry("who", "mallory"))) {
                Map<String, String> fields = new HashMap<>(good);
                fields.put(bad.getKey(), bad.getValue());
                Answer answer = api.create(fields, KIM);
                assertThat(answer.status()).as(bad.toString()).isEqualTo(400);
                assertThat(answer.body().path("error").asText()).as(bad.toString()).startsWith(bad.getKey() + ":");
            }
            assertThat(api.act("plan-0000abcd", "start", KIM).status()).isEqualTo(404);
            assertThat(redrive.plans()).isEmpty();
            assertThat(redrive.auditEntries()).isEmpty();
        }
    }

    @Test
    void anAdminActsOnAnyonesPlanAnOperatorOnTheirOwn() throws Exception {
        fixture.writeMixedDlq();
        try (RedriveOpener opener = opened(config())) {
            RedriveApi api = new RedriveApi(opener, fixture.input);
            Map<String, String> fields = Map.of("reason", "not-json", "rate", "10", "max", "1");
            String kims = api.create(fields, KIM).body().path("id").asText();
            String lees = api.create(fields, LEE).body().path("id").asText();

            assertThat(api.act(lees, "cancel", KIM).status()).isEqualTo(403);
            assertThat(api.act(kims, "cancel", ADA).status()).isEqualTo(200);
            assertThat(api.act(lees, "cancel", LEE).status()).isEqualTo(200);
            assertThat(opener.redrive().auditEntries()).extracting(e -> e.path("action").asText() + " by "
                    + e.path("who").asText()).containsExactly("created by kim (127.0.0.1)",
                    "created by lee (10.0.0.2)", "cancelled by ada (10.0.0.3)", "cancelled by lee (10.0.0.2)");
        }
    }
}
