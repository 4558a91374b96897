package dev.loginpipe.dlq.redrive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loginpipe.dlq.redrive.RedriveApi.Answer;
import org.junit.jupiter.api.Test;

/** The redrive endpoints' answers (the console's server adds HTTP and its guard), on a real broker. */
class RedriveApiTest extends RedriveFixture {

    @Test
    void plansAreCreatedStartedAndListedAndTheTrailIsServed() throws Exception {
        fixture.writeMixedDlq();
        try (RedriveOpener opener = opened(config())) {
            Redrive redrive = opener.redrive();
            RedriveApi api = new RedriveApi(opener, fixture.input, ledgerAsReadNow());
            Map<String, String> fields = Map.of("reason", "not-json", "rate", "100", "max", "10",
                    "stop_loss_percent", "50", "min_sample", "5", "who", "kim <script>alert(1)</script>\u0007",
                    "since", "1970-01-01T00:00:00Z");

            Answer dryRun = api.answer("POST", "/api/plans/dry-run", fields, "127.0.0.1");
            Answer created = api.answer("POST", "/api/plans", fields, "127.0.0.1");
            String id = created.body().path("id").asText();
            Answer started = api.answer("POST", "/api/plans/" + id + "/start", Map.of("who", "kim"), "127.0.0.1");
            await("the plan to finish", () -> redrive.plan(id).state() == Plan.State.FINISHED);
            Answer again = api.answer("POST", "/api/plans/" + id + "/resume", Map.of(), "127.0.0.1");
            Answer plans = api.answer("GET", "/api/plans", Map.of(), "127.0.0.1");
            Answer audit = api.answer("GET", "/api/audit", Map.of(), "127.0.0.1");
            Answer history = api.answer("GET", "/api/records/1/1/history", Map.of(), "127.0.0.1");

            assertThat(dryRun.status()).isEqualTo(200);
            assertThat(dryRun.body().path("would_publish").asLong()).isEqualTo(2);
            assertThat(dryRun.body().path("cli").asText()).isEqualTo("java -jar dlq-consumer.jar replay --dry-run"
                    + " --to " + fixture.input + " --reason not-json --since 0 --limit 10");
            assertThat(created.status()).isEqualTo(201);
            assertThat(created.body().path("state").asText()).isEqualTo("created");
            assertThat(created.body().path("spec").path("stop_loss_percent").asDouble()).isEqualTo(50);
            assertThat(started.status()).isEqualTo(200);
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.body().path("error").asText()).isEqualTo("plan " + id + " is finished: it cannot be resumed");
            JsonNode plan = plans.body().path("plans").get(0);
            assertThat(plan.path("published").asLong()).isEqualTo(2);
            assertThat(plan.path("state").asText()).isEqualTo("finished");
            assertThat(audit.body().path("verification").path("valid").asBoolean()).isTrue();
            assertThat(audit.body().path("entries")).extracting(e -> e.path("action").asText())
                    .containsExactly("dry-run", "created", "started", "finished");
            // Who is text, cut and without control characters; where the request came from is added.
            assertThat(audit.body().path("entries").get(1).path("who").asText())
                    .isEqualTo("kim <script>alert(1)</script>  (127.0.0.1)");
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
                    Map.entry("stop_loss_percent", "101"), Map.entry("colour", "red"))) {
                Map<String, String> fields = new HashMap<>(good);
                fields.put(bad.getKey(), bad.getValue());
                Answer answer = api.answer("POST", "/api/plans", fields, "127.0.0.1");
                assertThat(answer.status()).as(bad.toString()).isEqualTo(400);
                assertThat(answer.body().path("error").asText()).as(bad.toString()).startsWith(bad.getKey() + ":");
            }
            assertThat(api.answer("POST", "/api/plans/plan-0000abcd/start", Map.of(), "x").status()).isEqualTo(404);
            assertThat(api.answer("GET", "/api/plans/plan-0000abcd/start", Map.of(), "x").status()).isEqualTo(405);
            assertThat(redrive.plans()).isEmpty();
            assertThat(redrive.auditEntries()).isEmpty();
        }
    }
}
