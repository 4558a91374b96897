package dev.loginpipe.dlq.redrive;

import static dev.loginpipe.dlq.DlqFixture.BOOTSTRAP;
import static dev.loginpipe.dlq.DlqFixture.contract;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Service;
import dev.loginpipe.dlq.DlqFixture;
import dev.loginpipe.dlq.DlqRecord;
import dev.loginpipe.dlq.console.LedgerSnapshot;
import dev.loginpipe.dlq.redrive.Plan.State;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Redrive plans on a real broker: what they publish, how fast, what became of it, and what the trail says. */
class RedriveTest extends RedriveFixture {

    @Test
    void aPlanPublishesEverySelectedRecordOnceAndCountsWhatBecameOfThem() throws Exception {
        fixture.writeMixedDlq();
        fixture.write(List.of(fixture.dlqRecord(1, "u-9", "{\"ip\":", contract("not-json", 6_000,
                DlqHeaders.PAYLOAD_TRUNCATED, "true"))));
        try (Redrive redrive = Redrive.open(config());
             StandInPipeline pipeline = new StandInPipeline(fixture, output,
                     r -> new String(r.value(), StandardCharsets.UTF_8).contains("ip"))) {
            assertThat(redrive.dryRun("ana", spec(fixture.input, 1000, 100, 100, 1)).replayed()).isEqualTo(6);
            Plan plan = redrive.create("ana", spec(fixture.input, 1000, 100, 100, 1));
            redrive.start("ana", plan.id());
            await("the plan to finish", () -> plan.state() == State.FINISHED);
            // Four values hold "ip" and fail again; "nope", "stray" and "{\"user_id\":" reach the output.
            await("all outcomes", () -> redrive.json(plan).path("came_back").asLong()
                    + redrive.json(plan).path("reached_output").asLong() == 6);

            assertThat(publishedValues(6)).isEqualTo(once(DlqFixture.MIXED_VALUES));
            JsonNode json = redrive.json(plan);
            assertThat(json.path("published").asLong()).isEqualTo(6);
            assertThat(json.path("reached_output").asLong()).isEqualTo(3);
            assertThat(json.path("came_back").asLong()).isEqualTo(3);
            assertThat(json.path("pending").asLong()).isZero();
            assertThat(json.path("note").asText()).isEqualTo("every selected record read");
            assertThat(actions(redrive)).containsExactly("dry-run", "created", "started", "finished");
            assertThat(redrive.auditEntries()).allSatisfy(e -> assertThat(e.path("who").asText()).isNotEmpty());
            assertThat(redrive.auditEntries().get(0).path("counts").path("would_publish").asLong()).isEqualTo(6);
            assertThat(redrive.verifyAudit().valid()).isTrue();
            assertThat(plan.cliCommand("dlq-replay")).isEqualTo("REPLAY_GROUP_ID=dlq-replay-" + plan.id()
                    + " java -jar dlq-consumer.jar replay --id " + plan.id() + " --to " + fixture.input
                    + " --limit 94 --rate 1000");
            // The truncated record (1:3) was never sent; a sent one has its ledger entry (as the console's snapshot
            // of the ledger read it) and the plan's trail.
            try (LedgerSnapshot ledger = LedgerSnapshot.follow(config())) {
                await("the ledger read", () -> ledger.entry(0, 0) != null);
                assertThat(redrive.history(ledger.entry(1, 3)).path("ledger").isNull()).isTrue();
                JsonNode history = redrive.history(ledger.entry(0, 0));
                assertThat(history.path("ledger").path("replay_id").asText()).isEqualTo(plan.id());
                assertThat(history.path("ledger").path("to").asText()).isEqualTo(fixture.input);
                assertThat(history.path("audit")).extracting(e -> e.path("action").asText())
                        .containsExactly("created", "started", "finished");
            }
        }
    }

    @Test
    void aPlanSelectsBySignatureAndNeverExceedsItsMaximumCount() throws Exception {
        fixture.writeMixedDlq();
        String schemaSignature = new DlqRecord(new ConsumerRecord<>(fixture.dlq, 0, 0,
                new byte[0], new byte[0]) {
            @Override
            public org.apache.kafka.common.header.Headers headers() {
                return contract("schema", 1);
            }
        }).signature().id();
        try (Redrive redrive = Redrive.open(config())) {
            Plan plan = redrive.create("ben", new PlanSpec(null, schemaSignature, null, null, fixture.input, 1000, 2,
                    100, 1, null));
            redrive.start("ben", plan.id());
            await("the plan to finish", () -> plan.state() == State.FINISHED);

            assertThat(plan.note()).isEqualTo("maximum count reached");
            assertThat(plan.published()).isEqualTo(2);
            List<String> values = fixture.inputValues(2);
            assertThat(values).hasSize(2).allSatisfy(v -> assertThat(v).startsWith("{\"ip\":"));
            assertThat(plan.cliCommand("g")).contains("--signature " + schemaSignature, "--limit 1");
            assertThatThrownBy(() -> redrive.start("ben", plan.id())).isInstanceOf(Redrive.NotNow.class)
                    .hasMessage("plan " + plan.id() + " is finished: it cannot be started");
        }
    }

    @Test
    void aPlanKeepsItsRateMeasuredOnTheBrokersTimestamps() throws Exception {
        writeDead(150);
        long rate = 50;
        try (Redrive redrive = Redrive.open(config())) {
            Plan plan = redrive.create("cy", spec(fixture.input, rate, 150, 100, 1));
            redrive.start("cy", plan.id());
            await("the plan to finish", () -> plan.state() == State.FINISHED);
        }
        List<Long> times = fixture.inputRecords(150).stream().map(ConsumerRecord::timestamp).sorted().toList();
        assertThat(times).hasSize(150);
        // Transactions of rate/5 records, each paid for before the next: the first one's records are free.
        long firstBatch = rate / 5;
        double seconds = (times.get(times.size() - 1) - times.get(0)) / 1000.0;
        double measured = (times.size() - firstBatch) / seconds;
        // Never above the rate; below it only as far as a loaded machine's transactions are slow (about 20/s here).
        assertThat(measured).as("records per second").isLessThanOrEqualTo(rate * 1.1).isGreaterThan(rate * 0.25);
    }

    @Test
    void theStopLossPausesAPlanWhoseRecordsKeepComingBack() throws Exception {
        writeDead(200);
        try (Redrive redrive = Redrive.open(config());
             StandInPipeline everythingFails = new StandInPipeline(fixture, output, r -> true)) {
            Plan plan = redrive.create("dee", spec(fixture.input, 20, 200, 50, 5));
            redrive.start("dee", plan.id());
            await("the stop-loss", () -> plan.state() == State.PAUSED);

            assertThat(plan.note()).startsWith("stop-loss: more than 50.0% of the records sent came back");
            assertThat(plan.published()).isBetween(5L, 199L);
            long published = plan.published();
            Thread.sleep(1_000);
            assertThat(fixture.inputValues((int) published)).hasSize((int) published);
            assertThat(actions(redrive)).containsExactly("created", "started", "paused");
            assertThat(redrive.auditEntries().get(2).path("who").asText()).startsWith("redrive: stop-loss");
        }
    }

    @Test
    void pauseResumeAndCancelAreKeptAndRecorded() throws Exception {
        List<String> values = writeDead(100);
        try (Redrive redrive = Redrive.open(config())) {
            Plan plan = redrive.create("eve", spec(fixture.input, 20, 100, 100, 1));
            redrive.start("eve", plan.id());
            await("some records", () -> plan.published() >= 5);
            redrive.pause("eve", plan.id());
            long paused = settled(plan); // the engine ends the transaction it was in
            Thread.sleep(1_000);
            assertThat(plan.published()).isEqualTo(paused);
            assertThat(fixture.inputValues((int) paused)).hasSize((int) paused);

            redrive.resume("eve", plan.id());
            await("more records", () -> plan.published() >= paused + 5);
            redrive.cancel("eve", plan.id());
            long cancelled = settled(plan);
            Thread.sleep(1_000);
            assertThat(plan.published()).isEqualTo(cancelled);

            assertThat(plan.state()).isEqualTo(State.CANCELLED);
            assertThat(cancelled).isLessThan(100);
            Map<String, Long> published = publishedValues((int) cancelled);
            assertThat(published.values()).allMatch(n -> n == 1);
            assertThat(published).hasSize((int) cancelled);
            assertThat(values).containsAll(published.keySet());
            assertThat(actions(redrive)).containsExactly("created", "started", "paused", "resumed", "cancelled");
            assertThat(redrive.verifyAudit().valid()).isTrue();
            assertThatThrownBy(() -> redrive.resume("eve", plan.id())).isInstanceOf(Redrive.NotNow.class);
        }
    }

    @Test
    void aRunningPlanRunsOnAfterARestartWithoutPublishingTwice() throws Exception {
        List<String> values = writeDead(60);
        Config config = config();
        String planId;
        try (Redrive before = Redrive.open(config)) {
            Plan plan = before.create("fay", spec(fixture.input, 20, 50, 100, 1));
            planId = plan.id();
            before.start("fay", planId);
            await("some records", () -> plan.published() >= 5);
        }
        try (Redrive after = Redrive.open(config)) {
            Plan plan = after.plan(planId);
            await("the plan to finish", () -> plan.state() == State.FINISHED);
            assertThat(plan.published()).isEqualTo(50);
            assertThat(actions(after)).containsExactly("created", "started", "finished");
        }
        Map<String, Long> published = publishedValues(50);
        assertThat(published).hasSize(50);
        assertThat(published.values()).allMatch(n -> n == 1);
        assertThat(values).containsAll(published.keySet());
    }

    @Test
    void aConsoleKilledMidPlanAndStartedAgainFinishesThePlanWithoutPublishingTwice() throws Exception {
        List<String> values = writeDead(60);
        Map<String, String> env = new HashMap<>(Map.of("BOOTSTRAP_SERVERS", BOOTSTRAP, "DLQ_TOPIC", fixture.dlq,
                "INPUT_TOPIC", fixture.input, "OUTPUT_TOPIC", output, "REPLAY_GROUP_ID",
                TestKafka.uniqueName("replay"), "REPLAY_LEDGER_TOPIC", fixture.ledger, "REDRIVE_AUDIT_TOPIC", audit,
                "INSTANCE_ID", "child", "HTTP_PORT", "0"));
        env.put("REDRIVE_AUDIT_KEY", DlqFixture.AUDIT_KEY);
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), RedriveChild.class.getName(),
                "start", fixture.input, "10", "60").redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(env);
        Process child = builder.start();
        String planId;
        try {
            planId = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(planId).startsWith("plan-");
            assertThat(fixture.inputValues(10).size()).isBetween(10, 59);
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, a transaction may be left open
            child.waitFor();
        }

        try (Redrive restarted = Redrive.open(Config.load(Service.DLQ_CONSOLE, env))) {
            Plan plan = restarted.plan(planId);
            await("the plan to finish", () -> plan.state() == State.FINISHED);
            assertThat(plan.published()).isEqualTo(60);
            assertThat(actions(restarted)).containsExactly("created", "started", "finished");
        }
        assertThat(publishedValues(60)).isEqualTo(once(values));
    }

    @Test
    void overlappingPlansStartedAtOncePublishEachRecordOnce() throws Exception {
        List<String> values = writeDead(80);
        // Two consoles (one trail each) and, in the first, two plans started at once by two people.
        try (Redrive one = Redrive.open(config());
             Redrive two = Redrive.open(config("REDRIVE_AUDIT_TOPIC", audit + "-2"))) {
            Plan a = one.create("gil", spec(fixture.input, 200, 100, 100, 1));
            Plan b = one.create("hal", spec(fixture.input, 200, 100, 100, 1));
            Plan c = two.create("ivy", spec(fixture.input, 200, 100, 100, 1));
            ExecutorService people = Executors.newFixedThreadPool(3);
            List<Future<Plan>> started = people.invokeAll(List.<Callable<Plan>>of(
                    () -> untilTheTrailAnswers(() -> one.start("gil", a.id())),
                    () -> untilTheTrailAnswers(() -> one.start("hal", b.id())),
                    () -> untilTheTrailAnswers(() -> two.start("ivy", c.id()))));
            for (Future<Plan> f : started) {
                f.get();
            }
            people.shutdown();
            // A plan fenced by the other console's run pauses; resumed, it finds what is left.
            await("every plan to end", () -> {
                for (Redrive console : List.of(one, two)) {
                    for (Plan p : console.plans()) {
                        if (p.state() == State.PAUSED) {
                            assertThat(p.note()).startsWith("fenced");
                            untilTheTrailAnswers(() -> console.resume("robot", p.id()));
                        }
                    }
                }
                return List.of(a, b, c).stream().allMatch(p -> p.state() == State.FINISHED);
            });
            assertThat(a.published() + b.published() + c.published()).isEqualTo(80);
        }
        assertThat(publishedValues(80)).isEqualTo(once(values));
    }

    /** A person's action, tried again while another action holds the trail (refused, nothing done: try again). */
    private static Plan untilTheTrailAnswers(Callable<Plan> action) {
        return Awaitility.await().atMost(DlqFixture.WAIT).pollInterval(Duration.ofMillis(50))
                .ignoreException(Redrive.TrailBusy.class).until(action, Objects::nonNull);
    }
}
