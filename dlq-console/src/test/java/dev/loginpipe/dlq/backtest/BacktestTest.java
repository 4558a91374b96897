package dev.loginpipe.dlq.backtest;

import static dev.loginpipe.dlq.DlqFixture.contract;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Service;
import dev.loginpipe.dlq.redrive.Plan;
import dev.loginpipe.dlq.redrive.PlanSpec;
import dev.loginpipe.dlq.redrive.Redrive;
import org.apache.kafka.common.header.internals.RecordHeader;
import dev.loginpipe.dlq.DlqFixture;
import dev.loginpipe.dlq.console.Shadow;
import dev.loginpipe.local.TestKafka;
import dev.loginpipe.local.TestRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** A candidate schema run over a real output topic and DLQ: exactly the records whose fate it changes, counted. */
class BacktestTest {
    private static final String DETAILS_LOCALE = "[{\"path\":\"/locale\",\"keyword\":\"maxLength\",\"message\":\"too long\"}]";

    private final DlqFixture fixture = new DlqFixture();
    private final String output = TestKafka.uniqueName("output");

    private static String event(String locale) {
        return "{\"user_id\":\"u1\",\"app_version\":\"1.0\",\"device_type\":\"ios\",\"ip\":\"10.0.0.1\",\"locale\":\""
                + locale + "\",\"device_id\":\"d1\",\"timestamp\":1}";
    }

    /** Today's schema with the locale rule replaced: "de" no longer passes, "eng" now does. */
    private static Path candidate() throws Exception {
        return file(withLocale("{ \"type\": \"string\", \"enum\": [\"en\", \"fr\", \"eng\"] }"));
    }

    /** Today's schema with {@code rule} for the locale. */
    private static String withLocale(String rule) throws Exception {
        String today = Files.readString(Path.of("..", "schema.json"));
        String locale = "\"locale\": { \"type\": \"string\", \"minLength\": 2, \"maxLength\": 2 }";
        assertThat(today).contains(locale);
        return today.replace(locale, "\"locale\": " + rule);
    }

    private static Path file(String schema) throws Exception {
        Path file = Files.createTempFile("candidate", ".json");
        Files.writeString(file, schema);
        return file;
    }

    private void writeTopics(String... outputLocales) {
        TestKafka.createTopic(DlqFixture.BOOTSTRAP, output, 2);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < outputLocales.length; i++) {
            records.add(new ProducerRecord<>(output, i % 2, null, event(outputLocales[i]).getBytes(StandardCharsets.UTF_8)));
        }
        records.add(fixture.dlqRecord(0, "a", event("eng"), contract("schema", 1, DlqHeaders.ERROR_DETAILS, DETAILS_LOCALE)));
        records.add(fixture.dlqRecord(0, "b", event("eng"), contract("schema", 2, DlqHeaders.ERROR_DETAILS, DETAILS_LOCALE)));
        records.add(fixture.dlqRecord(0, "c", "{\"user_id\": ", contract("not-json", 3)));
        RecordHeaders truncated = contract("schema", 4, DlqHeaders.ERROR_DETAILS, DETAILS_LOCALE,
                DlqHeaders.PAYLOAD_TRUNCATED, "true");
        records.add(fixture.dlqRecord(0, "d", event("eng"), truncated));
        fixture.write(records);
    }

    private Config config() {
        return fixture.config(Service.DLQ_CONSOLE, "OUTPUT_TOPIC", output);
    }

    @Test
    void itCountsExactlyTheOutputRecordsItWouldRejectAndTheDlqRecordsItWouldAccept() throws Exception {
        writeTopics("en", "de", "fr", "en", "de", "en");
        CandidateSchema candidate = CandidateSchema.ofFile(candidate().toString(), 128);

        BacktestResult result = new Backtest(config(), candidate).run(100, () -> false);

        assertThat(result.outputRead()).isEqualTo(6);
        assertThat(result.newlyRejected()).singleElement().satisfies(g -> {
            assertThat(g.signature().label()).isEqualTo("schema /locale enum");
            assertThat(g.count()).isEqualTo(2);
            // "de" went to partitions 1 (index 1) and 0 (index 4): the second record of each.
            assertThat(g.examples()).extracting(e -> e.partition() + ":" + e.offset() + " " + e.failed())
                    .containsExactlyInAnyOrder("1:0 [/locale enum]", "0:2 [/locale enum]");
        });
        assertThat(result.version()).isEqualTo(candidate.version()).matches("[0-9a-f]{12}");
        assertThat(result.dlqRead()).isEqualTo(4);
        assertThat(result.dlqTruncated()).isEqualTo(1);
        assertThat(result.newlyAccepted()).singleElement().satisfies(g -> {
            assertThat(g.signature().label()).isEqualTo("schema /locale maxLength");
            assertThat(g.count()).isEqualTo(2);
        });
        assertThat(result.verdict()).isEqualTo("NOT compatible on this data: 2 of 6 recent records break; 2 of 4 DLQ "
                + "records would pass");
        JsonNode json = new ObjectMapper().readTree(result.json().toString());
        assertThat(json.get("newly_rejected").get(0).get("examples")).hasSize(2);
        assertThat(json.get("newly_accepted").get(0).get("id").asText()).matches("[0-9a-f]{12}");

        // Today's schema changes nothing: compatible, nothing accepted.
        BacktestResult today = new Backtest(config(), CandidateSchema.ofFile(Path.of("..", "schema.json").toString(), 128)).run(100, () -> false);
        assertThat(today.verdict()).isEqualTo("compatible on this data: 0 of 6 recent records break; 0 of 4 DLQ records "
                + "would pass");
    }

    /**
     * Issue 25's last step: a plan for what the candidate accepts waits until the candidate's version judges the
     * pipeline's records, then redrives exactly those records once.
     */
    @Test
    void aPlanForWhatTheCandidateAcceptsWaitsForItsVersionThenRedrivesExactlyThoseRecords() throws Exception {
        writeTopics("en", "fr");
        CandidateSchema candidate = CandidateSchema.ofFile(candidate().toString(), 128);
        BacktestResult result = new Backtest(config(), candidate).run(100, () -> false);
        String accepted = result.newlyAccepted().get(0).signature().id();
        Config config = fixture.config(Service.DLQ_CONSOLE, "OUTPUT_TOPIC", output, "REDRIVE_AUDIT_TOPIC", TestKafka.uniqueName("audit"));

        try (Redrive redrive = Redrive.open(config)) {
            Plan plan = redrive.create("kim", new PlanSpec(null, accepted, null, null, fixture.input, 1000, 1000, 100,
                    1, candidate.version()));
            assertThatThrownBy(() -> redrive.start("kim", plan.id())).isInstanceOf(Redrive.NotNow.class)
                    .hasMessage("plan " + plan.id() + " waits for schema version " + candidate.version() + " to be "
                            + "live: the newest routed record was judged by no known version");

            // The consumers take the candidate up: their records now carry its version.
            byte[] noKey = null;
            List<org.apache.kafka.common.header.Header> judged = List.of(new RecordHeader(DlqHeaders.SCHEMA_VERSION,
                    candidate.version().getBytes(StandardCharsets.UTF_8)));
            fixture.write(List.of(new ProducerRecord<>(output, 0, noKey, event("en").getBytes(StandardCharsets.UTF_8),
                    judged)));
            redrive.start("kim", plan.id());
            org.awaitility.Awaitility.await().atMost(DlqFixture.WAIT).until(() -> plan.state() == Plan.State.FINISHED);
        }
        // The two "eng" records the candidate accepts, not the truncated one, not the not-json one.
        assertThat(fixture.inputValues(2)).containsExactly(event("eng"), event("eng"));
    }

    @Test
    void itReadsOnlyTheNewestOutputRecordsAndStopsWhenCancelled() throws Exception {
        writeTopics("de", "de", "en", "en", "en", "en");
        CandidateSchema candidate = CandidateSchema.ofFile(candidate().toString(), 128);

        // The newest 4 of 6 (2 a partition) leave out both "de" records, the oldest of each partition.
        BacktestResult newest = new Backtest(config(), candidate).run(4, () -> false);
        assertThat(newest.outputRead()).isEqualTo(4);
        assertThat(newest.newlyRejected()).isEmpty();

        // Partitions of unequal length: what the short one cannot give, the long one does (8 = 3 + 5, not 3 + 4).
        fixture.write(List.of(new ProducerRecord<>(output, 0, null, event("en").getBytes(StandardCharsets.UTF_8)),
                new ProducerRecord<>(output, 0, null, event("en").getBytes(StandardCharsets.UTF_8)),
                new ProducerRecord<>(output, 0, null, event("en").getBytes(StandardCharsets.UTF_8))));
        BacktestResult uneven = new Backtest(config(), candidate).run(8, () -> false);
        assertThat(uneven.outputRead()).isEqualTo(8);
        assertThat(uneven.rejectedCount()).isEqualTo(1); // partition 1's "de"; partition 0's is the ninth newest

        Backtest cancelled = new Backtest(config(), candidate);
        assertThatThrownBy(() -> cancelled.run(100, () -> cancelled.read() >= 3))
                .isInstanceOf(Backtest.Cancelled.class);
        assertThat(cancelled.read()).isEqualTo(3);
    }

    /**
     * A shadow counts only what is routed after it started, and its counts equal a recount of those records by the
     * candidate; what was there before, and a truncated DLQ record, never count.
     */
    @Test
    void aShadowCountsWhatIsRoutedFromNowOnAsARecountDoes() throws Exception {
        writeTopics("de", "en");
        CandidateSchema candidate = CandidateSchema.ofFile(candidate().toString(), 128);
        Shadow shadow = new Shadow(config(), candidate);
        Thread watching = new Thread(shadow);
        watching.start();
        org.awaitility.Awaitility.await().atMost(DlqFixture.WAIT).until(shadow::started);

        String[] locales = {"de", "en", "fr", "de", "de", "eng", "en", "xx"};
        List<ProducerRecord<byte[], byte[]>> live = new ArrayList<>();
        for (int i = 0; i < locales.length; i++) {
            live.add(new ProducerRecord<>(output, i % 2, null, event(locales[i]).getBytes(StandardCharsets.UTF_8)));
        }
        live.add(fixture.dlqRecord(0, "e", event("eng"), contract("schema", 5, DlqHeaders.ERROR_DETAILS, DETAILS_LOCALE)));
        live.add(fixture.dlqRecord(0, "f", event("eng"), contract("schema", 6, DlqHeaders.ERROR_DETAILS, DETAILS_LOCALE,
                DlqHeaders.PAYLOAD_TRUNCATED, "true")));
        live.add(fixture.dlqRecord(0, "g", event("toolong"), contract("schema", 7, DlqHeaders.ERROR_DETAILS,
                DETAILS_LOCALE)));
        fixture.write(live);
        org.awaitility.Awaitility.await().atMost(DlqFixture.WAIT)
                .until(() -> shadow.result().outputRead() == 8 && shadow.result().dlqRead() == 3);
        shadow.stop();
        watching.join(10_000);
        assertThat(watching.isAlive()).isFalse();

        long recount = java.util.Arrays.stream(locales)
                .filter(l -> !candidate.validator().validate(event(l).getBytes(StandardCharsets.UTF_8)).isValid())
                .count();
        BacktestResult seen = shadow.result();
        assertThat(recount).isEqualTo(4); // three "de" and the "xx": not in the candidate's enum
        assertThat(seen.rejectedCount()).isEqualTo(recount);
        assertThat(seen.newlyRejected()).singleElement().satisfies(g -> assertThat(g.count()).isEqualTo(recount));
        assertThat(seen.acceptedCount()).isEqualTo(1); // "eng" now passes; the truncated one never counts
        assertThat(seen.dlqTruncated()).isEqualTo(1);
        assertThat(seen.newlyAccepted().get(0).examples()).extracting(e -> e.partition() + ":" + e.offset())
                .containsExactly("0:4");
    }

    @Test
    void theCommandPrintsTheVerdictAndRefusesABadSchemaWithExitTwo() throws Exception {
        writeTopics("en", "de");
        Path bad = Files.createTempFile("bad", ".json");
        Files.writeString(bad, "{\"type\": 12}");
        Map<String, String> env = env();

        Process ok = start(env, "backtest", "--schema", candidate().toString());
        String out = new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ok.waitFor()).isZero();
        assertThat(out).contains("NOT compatible on this data: 1 of 2 recent records break; 2 of 4 DLQ records would pass")
                .contains("schema /locale enum").contains("e.g. 1:0 /locale enum");

        Process refused = start(env, "backtest", "--schema", bad.toString());
        String err = new String(refused.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(refused.waitFor()).isEqualTo(2);
        assertThat(err).contains("dlq-consumer: --schema: " + bad + " is not a valid draft-07 JSON Schema");
    }

    /**
     * Issue 25: version N of the registry subject the consumers use, compiled as they compile it (its reference
     * resolved), reported by the version number its records will carry.
     */
    @Test
    void aRegistryVersionIsBacktestedAsTheConsumersWouldJudgeByIt() throws Exception {
        TestRegistry registry = TestRegistry.shared();
        String subject = TestKafka.uniqueName("subject");
        registry.register(subject, Files.readString(Path.of("..", "schema.json")));
        registry.register(subject + "-locale", "{\"$schema\":\"http://json-schema.org/draft-07/schema#\","
                + "\"type\":\"string\",\"minLength\":2,\"maxLength\":3}");
        int loosened = registry.register(subject, withLocale("{ \"$ref\": \"locale.json\" }"),
                new TestRegistry.Reference("locale.json", subject + "-locale", 1));
        int tightened = registry.register(subject, withLocale("{ \"type\": \"string\", \"enum\": [\"en\", \"fr\"] }"));
        writeTopics("en", "de");
        Map<String, String> env = env("SCHEMA_REGISTRY_URL", registry.url(), "SCHEMA_REGISTRY_SUBJECT", subject);

        // Version 2 lets both whole "eng" DLQ records through and keeps every output record.
        assertThat(run(env, 0, "backtest", "--registry-version", "2")).startsWith("backtest of version 2 of the "
                + "registry (registry subject " + subject + ", version 2, id " + loosened + ")\n"
                + "compatible on this data: 0 of 2 recent records break; 2 of 4 DLQ records would pass\n"
                + "registry: no compatibility rule for " + subject + "\n");
        // The latest, version 3, would send the "de" output record to the DLQ and let nothing out.
        assertThat(run(env, 0, "backtest", "--registry-version", "latest")).startsWith("backtest of version latest of "
                + "the registry (registry subject " + subject + ", version 3, id " + tightened + ")\n"
                + "NOT compatible on this data: 1 of 2 recent records break; 0 of 4 DLQ records would pass\n"
                + "registry: no compatibility rule for " + subject + "\n").contains("e.g. 1:0 /locale enum");

        JsonNode json = new ObjectMapper().readTree(run(env, 0, "backtest", "--registry-version", "2", "--json"));
        assertThat(json.get("version").asText()).isEqualTo("2");
        assertThat(json.get("newly_accepted_count").asLong()).isEqualTo(2);
        assertThat(json.get("registry_compatibility")).hasToString("{\"subject\":\"" + subject + "\",\"level\":"
                + "\"NONE\",\"compatible\":null,\"messages\":[],\"error\":null}");

        // Under a rule the registry is asked with the version's references, which Apicurio 3.3.3's check cannot
        // resolve (registering them works): said in one line, and the backtest still gives its verdict.
        registry.compatibility(subject, "BACKWARD");
        assertThat(lines(run(env, 0, "backtest", "--registry-version", "2"))).containsSubsequence(
                "compatible on this data: 0 of 2 recent records break; 2 of 4 DLQ records would pass",
                "registry: could not check: POST /compatibility/subjects/" + subject + "/versions/latest?verbose=true: "
                        + "HTTP 500 '{\"message\":\"Unresolved JSON Schema reference: "
                        + "https://loginpipe.dev/schema/locale.json\",\"error_code\":0}'");
    }

    /**
     * Beside our verdict, what the registry's own check says under a rule (Apicurio 3.3.3 gives no reasons, even
     * verbose); a registry that is down is one line, not a failed backtest, unless the candidate comes from it.
     */
    @Test
    void theRegistrysCompatibilityCheckIsShownBesideTheVerdict() throws Exception {
        TestRegistry registry = TestRegistry.shared();
        String subject = TestKafka.uniqueName("subject");
        registry.register(subject, Files.readString(Path.of("..", "schema.json")));
        registry.compatibility(subject, "BACKWARD");
        Path loosened = file(withLocale("{ \"type\": \"string\", \"minLength\": 2, \"maxLength\": 3 }"));
        Path tightened = file(withLocale("{ \"type\": \"string\", \"enum\": [\"en\", \"fr\"] }"));
        writeTopics("en", "de");
        Map<String, String> env = env("SCHEMA_REGISTRY_URL", registry.url(), "SCHEMA_REGISTRY_SUBJECT", subject);

        assertThat(lines(run(env, 0, "backtest", "--schema", loosened.toString()))).containsSubsequence(
                "compatible on this data: 0 of 2 recent records break; 2 of 4 DLQ records would pass",
                "registry (BACKWARD): compatible");
        assertThat(lines(run(env, 0, "backtest", "--schema", tightened.toString()))).containsSubsequence(
                "NOT compatible on this data: 1 of 2 recent records break; 0 of 4 DLQ records would pass",
                "registry (BACKWARD): NOT compatible");
        JsonNode json = new ObjectMapper().readTree(run(env, 0, "backtest", "--schema", tightened.toString(),
                "--json"));
        assertThat(json.get("registry_compatibility")).hasToString("{\"subject\":\"" + subject + "\",\"level\":"
                + "\"BACKWARD\",\"compatible\":false,\"messages\":[],\"error\":null}");

        String down = "http://127.0.0.1:" + TestKafka.freePort() + TestRegistry.CCOMPAT_PATH;
        Map<String, String> downEnv = env("SCHEMA_REGISTRY_URL", down, "SCHEMA_REGISTRY_SUBJECT", subject);
        assertThat(lines(run(downEnv, 0, "backtest", "--schema", tightened.toString()))).containsSubsequence(
                "NOT compatible on this data: 1 of 2 recent records break; 0 of 4 DLQ records would pass",
                "registry: could not check: GET /config/" + subject + ": cannot connect to " + down);
        assertThat(lines(run(downEnv, 2, "backtest", "--registry-version", "1"))).last().isEqualTo("dlq-consumer: "
                + "--registry-version: subject " + subject + " version 1: GET /subjects/" + subject + "/versions/1: "
                + "cannot connect to " + down);
        assertThat(lines(run(env(), 2, "backtest", "--registry-version", "1"))).last().isEqualTo("dlq-consumer: "
                + "SCHEMA_REGISTRY_URL: not set; backtest --registry-version needs the registry");
    }

    private Map<String, String> env(String... more) {
        Map<String, String> env = new HashMap<>(Map.of("BOOTSTRAP_SERVERS", DlqFixture.BOOTSTRAP, "DLQ_TOPIC",
                fixture.dlq, "OUTPUT_TOPIC", output, "INPUT_TOPIC", fixture.input, "HTTP_PORT", "0"));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    /** Runs the command; its stdout, or its stderr when it is expected to fail. */
    private static String run(Map<String, String> env, int exit, String... args) throws Exception {
        Process process = start(env, args);
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(err).isEqualTo(exit);
        return exit == 0 ? new String(out, StandardCharsets.UTF_8) : err;
    }

    private static List<String> lines(String text) {
        return text.lines().toList();
    }

    private static Process start(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "dev.loginpipe.dlq.DlqMain"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder.start();
    }
}
