package dev.loginpipe.dlq.console;

import static dev.loginpipe.dlq.console.ConsoleFixture.contract;
import static dev.loginpipe.dlq.console.ConsoleFixture.details;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.config.ConfigException;
import dev.loginpipe.local.TestKafka;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The console's API against a DLQ on a real broker: exact counts, pages, views, dry runs, and its guards. */
class ConsoleApiTest {
    private static final String VALID = "{\"user_id\":\"u1\",\"app_version\":\"1.0\",\"device_type\":\"android\","
            + "\"ip\":\"10.0.0.1\",\"locale\":\"en\",\"device_id\":\"d1\",\"timestamp\":1700000000}";

    private ConsoleFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** 5 schema (two signatures, array indices folded), 2 not-json, 1 not-utf8, 1 truncated, 1 written by someone else. */
    private void writeMixedDlq() {
        String ipFormat = details("/ip", "format", "/ip: does not match the ipv4 pattern");
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(List.of(
                fixture.record(0, "{\"ip\":\"999.1.1.1\",\"user_id\":\"u1\"}", contract("schema", 1_000,
                        DlqHeaders.ERROR_DETAILS, ipFormat)),
                fixture.record(1, "{\"ip\":\"1.2.3\"}", contract("schema", 2_000, DlqHeaders.ERROR_DETAILS, ipFormat)),
                fixture.record(0, "{\"ip\":\"::1\"}", contract("schema", 3_000, DlqHeaders.ERROR_DETAILS, ipFormat)),
                fixture.record(1, "{\"events\":[{},{},{},{\"ip\":\"x\"}]}", contract("schema", 4_000,
                        DlqHeaders.ERROR_DETAILS, details("/events/3/ip", "format", "bad ip"))),
                fixture.record(0, "{\"events\":[{\"ip\":\"y\"}]}", contract("schema", 5_000,
                        DlqHeaders.ERROR_DETAILS, details("/events/0/ip", "format", "bad ip"))),
                fixture.record(1, "{\"user_id\":", contract("not-json", 6_000, DlqHeaders.ERROR_POSITION, "11")),
                fixture.record(0, "nope", contract("not-json", 7_000)),
                fixture.record(1, "k", new byte[] {'{', '"', (byte) 0xC3, 0x28, '"', (byte) 0xFF, '}'},
                        contract("not-utf8", 8_000)),
                fixture.record(0, "{\"user_id\":\"u", contract("schema", 9_000, DlqHeaders.PAYLOAD_TRUNCATED, "true",
                        DlqHeaders.PAYLOAD_SIZE, "2000000")),
                new ProducerRecord<>(fixture.dlq, 1, null, "stray".getBytes(StandardCharsets.UTF_8))));
        fixture.write(records);
    }

    @Test
    void aSignatureOfThePageRedrivesExactlyItsRecordsThroughTheGuard() {
        fixture = new ConsoleFixture(2);
        writeMixedDlq();
        fixture.start();
        JsonNode folded = null;
        for (JsonNode s : fixture.json(fixture.get("/api/signatures"))) {
            if (s.get("label").asText().equals("schema /events/*/ip format")) {
                folded = s;
            }
        }
        assertThat(folded).isNotNull();
        String body = "{\"signature\":\"" + folded.get("id").asText() + "\",\"rate\":\"100\",\"max\":\"10\"}";

        assertThat(fixture.post("/api/plans", body, "Content-Type", "application/json").statusCode()).isEqualTo(403);
        HttpResponse<String> created = fixture.postFromPage("/api/plans", body);
        assertThat(created.statusCode()).isEqualTo(201);
        String id = fixture.json(created).get("id").asText();
        assertThat(fixture.postFromPage("/api/plans/" + id + "/start", "{}").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> fixture.json(fixture.get("/api/plans")).get("plans").get(0)
                .get("state").asText().equals("finished"));

        // The two records whose paths differ only by an array index, as the page groups them, and no other.
        List<String> published = TestKafka.readCommitted(ConsoleFixture.BOOTSTRAP, fixture.input, 2,
                Duration.ofSeconds(30)).stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
        assertThat(published).containsExactlyInAnyOrder("{\"events\":[{},{},{},{\"ip\":\"x\"}]}",
                "{\"events\":[{\"ip\":\"y\"}]}");
        assertThat(folded.get("count").asLong()).isEqualTo(2);
        JsonNode audit = fixture.json(fixture.get("/api/audit"));
        assertThat(audit.get("verification").get("valid").asBoolean()).isTrue();
        assertThat(audit.get("entries")).extracting(e -> e.get("action").asText())
                .containsExactly("created", "started", "finished");
    }

    @Test
    void signaturesCountEveryRecordOnceGroupedByReasonRuleAndTopic() {
        fixture = new ConsoleFixture(2);
        writeMixedDlq();
        fixture.start();

        JsonNode signatures = fixture.json(fixture.get("/api/signatures"));

        Map<String, Long> byLabel = new HashMap<>();
        Map<String, Long> byReason = new HashMap<>();
        signatures.forEach(s -> {
            byLabel.put(s.get("label").asText(), s.get("count").asLong());
            byReason.merge(s.get("reason").asText(), s.get("count").asLong(), Long::sum);
        });
        assertThat(byLabel).containsExactlyInAnyOrderEntriesOf(Map.of("schema /ip format", 3L,
                "schema /events/*/ip format", 2L, "not-json", 2L, "not-utf8", 1L, "schema", 1L, "unknown", 1L));
        assertThat(byReason).containsExactlyInAnyOrderEntriesOf(Map.of("schema", 6L, "not-json", 2L,
                "not-utf8", 1L, "unknown", 1L));
        JsonNode ip = find(signatures, "schema /ip format");
        assertThat(ip.get("source_topic").asText()).isEqualTo("user-login");
        assertThat(ip.get("first_at").asText()).isEqualTo("1970-01-01T00:00:01Z");
        assertThat(ip.get("last_at").asText()).isEqualTo("1970-01-01T00:00:03Z");
        assertThat(ip.get("replay_counts").toString()).isEqualTo("[3,0,0,0]");
        assertThat(ip.get("trend")).hasSize(SignatureStats.TREND_HOURS);
        assertThat(find(signatures, "unknown").get("source_topic").asText()).isEqualTo("?");
        assertThat(find(signatures, "schema").get("truncated").asLong()).isEqualTo(1);
    }

    @Test
    void newArrivalsAreIndexedWhileTheConsoleRuns() {
        fixture = new ConsoleFixture(1);
        fixture.start();
        assertThat(fixture.json(fixture.get("/api/signatures"))).isEmpty();

        fixture.write(List.of(fixture.record(0, "x", contract("not-json", 1_000))));

        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.json(fixture.get("/api/summary")).get("total").asInt() == 1);
        assertThat(fixture.json(fixture.get("/api/signatures")).get(0).get("count").asInt()).isEqualTo(1);
    }

    @Test
    void pagesWalkASelectionNewestFirstExactlyOnce() {
        fixture = new ConsoleFixture(3);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            records.add(fixture.record(i % 3, "{\"n\":" + i + "}", contract(i % 4 == 0 ? "not-json" : "schema", 1_000 + i,
                    "trace", "t-" + i)));
        }
        fixture.write(records);
        fixture.start();
        String schema = signatureId("schema");

        List<Long> ats = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String next = null;
        do {
            JsonNode page = fixture.json(fixture.get("/api/records?signature=" + schema + "&limit=7"
                    + (next == null ? "" : "&before=" + next)));
            assertThat(page.get("matched").asInt()).isGreaterThan(0);
            page.get("records").forEach(r -> {
                assertThat(seen.add(r.get("partition").asText() + ":" + r.get("offset").asText())).isTrue();
                ats.add(java.time.Instant.parse(r.get("at").asText()).toEpochMilli());
                assertThat(r.get("reason").asText()).isEqualTo("schema");
            });
            next = page.get("next").isNull() ? null : page.get("next").asText();
        } while (next != null);

        assertThat(seen).hasSize(90);
        assertThat(ats).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        JsonNode window = fixture.json(fixture.get("/api/records?from=1010&until=1020&limit=200"));
        assertThat(window.get("matched").asInt()).isEqualTo(10);
        JsonNode byHeader = fixture.json(fixture.get("/api/records?header=trace%3Dt-17"));
        assertThat(byHeader.get("records")).hasSize(1);
        assertThat(byHeader.at("/records/0/preview").asText()).isEqualTo("{\"n\":17}");
        JsonNode byText = fixture.json(fixture.get("/api/records?reason=not-json&text=" + enc("\"n\":4")));
        assertThat(byText.get("records").findValuesAsText("preview")).containsExactlyInAnyOrder("{\"n\":48}",
                "{\"n\":4}", "{\"n\":40}", "{\"n\":44}");
    }

    @Test
    void badParametersAreRefusedWithAJsonError() {
        fixture = new ConsoleFixture(1);
        fixture.start();

        for (String query : List.of("/api/records?limit=0", "/api/records?limit=x", "/api/records?from=yesterday",
                "/api/records?signature=zz", "/api/records?nope=1", "/api/records?reason=a&reason=b",
                "/api/records?header=novalue", "/api/records?before=1.2", "/api/records?from=5&until=4",
                "/api/signatures?x=1", "/api/records?text=" + enc("a\u0001b"), "/api/records?text=" + "a".repeat(301))) {
            HttpResponse<String> response = fixture.get(query);
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(fixture.json(response).get("error").asText()).as(query).isNotBlank();
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        }
        assertThat(fixture.get("/api/records/0/999").statusCode()).isEqualTo(404);
        assertThat(fixture.get("/api/records/7/0").statusCode()).isEqualTo(404);
        assertThat(fixture.get("/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void theViewerMarksTheErrorWhereItIs() {
        fixture = new ConsoleFixture(2);
        writeMixedDlq();
        fixture.start();

        JsonNode schema = fixture.json(fixture.get("/api/records/0/0"));
        assertThat(schema.at("/view/kind").asText()).isEqualTo("json");
        assertThat(marked(schema.get("view"), 0)).isEqualTo("\"<ip>\""); // masked by default
        assertThat(schema.at("/view/notes/0/keyword").asText()).isEqualTo("format");
        assertThat(schema.get("message").asText()).isEqualTo("bad event from <ip>");

        JsonNode inArray = fixture.json(fixture.get("/api/records/1/1"));
        assertThat(marked(inArray.get("view"), 0)).isEqualTo("\"x\"");

        JsonNode notJson = fixture.json(fixture.get("/api/records/1/2"));
        assertThat(notJson.at("/view/kind").asText()).isEqualTo("text");
        assertThat(notJson.at("/view/position").asInt()).isEqualTo(11);
        assertThat(notJson.at("/view/position_source").asText()).isEqualTo("error.position");
        JsonNode nope = fixture.json(fixture.get("/api/records/0/3"));
        assertThat(nope.at("/view/position_source").asText()).isEqualTo("console");
        assertThat(nope.at("/view/position").asInt()).isBetween(0, 4);

        JsonNode binary = fixture.json(fixture.get("/api/records/1/3"));
        assertThat(binary.at("/view/kind").asText()).isEqualTo("hex");
        assertThat(binary.at("/view/bad").toString()).isEqualTo("[2,5]");
        assertThat(binary.at("/view/bytes").asText()).isEqualTo("7b22c32822ff7d");

        JsonNode truncated = fixture.json(fixture.get("/api/records/0/4"));
        assertThat(truncated.get("truncated").asBoolean()).isTrue();
        assertThat(truncated.get("original_size").asLong()).isEqualTo(2_000_000);
        assertThat(truncated.get("size").asLong()).isEqualTo(13);
        assertThat(truncated.at("/redrive/available").asBoolean()).isFalse();
    }

    /** The viewer's bounds: at most 100,000 characters of text, and hex 4 KB around the first bad byte. */
    @Test
    void theViewerCutsLongPayloadsToItsBounds() {
        fixture = new ConsoleFixture(1);
        byte[] binary = "a".repeat(20_000).getBytes(StandardCharsets.US_ASCII);
        binary[8_000] = (byte) 0xff;
        fixture.write(List.of(fixture.record(0, "x".repeat(150_000), contract("not-json", 1_000)),
                fixture.record(0, "k", binary, contract("not-utf8", 2_000))));
        fixture.start();

        JsonNode text = fixture.json(fixture.get("/api/records/0/0")).get("view");
        assertThat(text.get("segments").findValuesAsText("text").stream().mapToInt(String::length).sum())
                .isEqualTo(PayloadView.MAX_TEXT_CHARS);
        assertThat(text.get("cut_chars").asInt()).isEqualTo(50_000);
        JsonNode hex = fixture.json(fixture.get("/api/records/0/1")).get("view");
        assertThat(hex.get("start").asInt()).isEqualTo(6_976); // a quarter of the window before the bad byte
        assertThat(hex.get("bytes").asText()).hasSize(2 * PayloadView.HEX_WINDOW);
        assertThat(hex.get("bad").toString()).isEqualTo("[8000]");
    }

    @Test
    void valuesAreShownInTheClearOnlyWhenTheOperatorSaysSo() {
        fixture = new ConsoleFixture(2);
        writeMixedDlq();
        fixture.start("CONSOLE_SHOW_VALUES", "true");

        JsonNode schema = fixture.json(fixture.get("/api/records/0/0"));
        assertThat(marked(schema.get("view"), 0)).isEqualTo("\"999.1.1.1\"");
        assertThat(schema.get("message").asText()).isEqualTo("bad event from 203.0.113.9");
    }

    @Test
    void bytesThatAreNotUtf8AreMaskedInTheHexViewToo() {
        fixture = new ConsoleFixture(1);
        byte[] value = "ip 203.0.113.9 \u00ff".getBytes(StandardCharsets.ISO_8859_1);
        fixture.write(List.of(fixture.record(0, "k", value, contract("not-utf8", 1_000))));
        fixture.start();

        JsonNode view = fixture.json(fixture.get("/api/records/0/0")).get("view");

        assertThat(view.get("bytes").asText()).isEqualTo("6970202a2a2a2a2a2a2a2a2a2a2a20ff"); // "ip ***********" 0xff
        assertThat(view.get("masked")).hasSize(11);
        assertThat(view.get("bad").toString()).isEqualTo("[15]");
    }

    @Test
    void aDryRunPredictsWithTheCurrentSchemaAndWritesNothing() {
        fixture = new ConsoleFixture(1);
        fixture.write(List.of(
                fixture.record(0, VALID, contract("schema", 1_000, DlqHeaders.ERROR_DETAILS, details("/x", "type", "m"))),
                fixture.record(0, VALID.replace("10.0.0.1", "999.0.0.1"), contract("schema", 2_000,
                        DlqHeaders.ERROR_DETAILS, details("/x", "type", "m"))),
                fixture.record(0, "{\"user_id\":", contract("schema", 3_000, DlqHeaders.ERROR_DETAILS,
                        details("/x", "type", "m"), DlqHeaders.PAYLOAD_TRUNCATED, "true")),
                fixture.record(0, "nope", contract("not-json", 4_000))));
        fixture.start();
        String schema = signatureId("schema /x type");

        JsonNode result = fixture.json(fixture.postFromPage("/api/dry-run", "{\"signature\":\"" + schema + "\"}"));

        assertThat(result.get("selected").asInt()).isEqualTo(3);
        assertThat(result.get("would_pass").asInt()).isEqualTo(1);
        assertThat(result.get("would_fail").asInt()).isEqualTo(1);
        assertThat(result.get("truncated").asInt()).isEqualTo(1);
        assertThat(result.at("/remaining/0/label").asText()).isEqualTo("schema /ip format");
        assertThat(result.at("/remaining/0/count").asInt()).isEqualTo(1);
        JsonNode all = fixture.json(fixture.postFromPage("/api/dry-run", "{}"));
        assertThat(all.get("selected").asInt()).isEqualTo(4);
        assertThat(all.get("remaining").findValuesAsText("label")).containsExactlyInAnyOrder("schema /ip format",
                "not-json");
        assertThat(fixture.json(fixture.get("/api/summary")).get("total").asInt()).isEqualTo(4);
        assertThat(fixture.postFromPage("/api/dry-run", "{\"signature\":5}").statusCode()).isEqualTo(400);
        assertThat(fixture.postFromPage("/api/dry-run", "{\"limit\":\"5\"}").statusCode()).isEqualTo(400);
        assertThat(fixture.get("/api/dry-run").statusCode()).isEqualTo(405); // a POST route
    }

    @Test
    void everyPostNeedsTheConsolesOwnPage() {
        fixture = new ConsoleFixture(1);
        fixture.start();

        assertThat(fixture.post("/api/dry-run", "{}", "Content-Type", "application/json").statusCode()).isEqualTo(403);
        assertThat(fixture.post("/api/dry-run", "{}", Guard.CSRF_HEADER, "1", "Content-Type", "text/plain")
                .statusCode()).isEqualTo(403);
        assertThat(fixture.post("/api/dry-run", "{}", Guard.CSRF_HEADER, "1", "Content-Type", "application/json",
                "Origin", "http://evil.example").statusCode()).isEqualTo(403);
        assertThat(fixture.post("/api/dry-run", "{}", Guard.CSRF_HEADER, "1", "Content-Type", "application/json",
                "Sec-Fetch-Site", "cross-site").statusCode()).isEqualTo(403);
        assertThat(fixture.post("/api/dry-run", "{}", Guard.CSRF_HEADER, "1", "Content-Type", "application/json",
                "Origin", fixture.url("")).statusCode()).isEqualTo(200);
    }

    @Test
    void everyAnswerCarriesAStrictContentSecurityPolicyAndNoCors() {
        fixture = new ConsoleFixture(1);
        fixture.start();

        for (String path : List.of("/", "/app.js", "/api/signatures", "/api/records?nope=1", "/login")) {
            HttpResponse<String> response = fixture.get(path, "Origin", "http://evil.example");
            assertThat(response.headers().map()).as(path).containsAllEntriesOf(Map.of(
                    "content-security-policy", List.of(ConsoleServer.CSP), "x-content-type-options", List.of("nosniff"),
                    "x-frame-options", List.of("DENY"), "referrer-policy", List.of("no-referrer"),
                    "cache-control", List.of("no-store")));
            assertThat(response.headers().map().keySet()).as(path)
                    .noneMatch(h -> h.toLowerCase(java.util.Locale.ROOT).startsWith("access-control-"));
        }
        assertThat(ConsoleServer.CSP).contains("script-src 'self'").doesNotContain("unsafe");
        assertThat(fixture.get("/").body()).contains("<script type=\"module\" src=\"/app.js\">");
    }

    @Test
    void withATokenEveryRequestButTheLoginPageNeedsIt() throws Exception {
        fixture = new ConsoleFixture(1);
        fixture.start("CONSOLE_TOKEN", "s3cret token; with=odd chars, 32+");

        assertThat(fixture.get("/api/signatures").statusCode()).isEqualTo(401);
        assertThat(fixture.get("/app.js").statusCode()).isEqualTo(401);
        assertThat(fixture.get("/").statusCode()).isEqualTo(303);
        assertThat(fixture.get("/login").statusCode()).isEqualTo(200);
        assertThat(fixture.get("/api/signatures", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(fixture.get("/api/signatures", "Authorization", "Bearer s3cret token; with=odd chars, 32+").statusCode()).isEqualTo(200);
        assertThat(fixture.get("/api/signatures", "Cookie", "console_session=%%%").statusCode()).isEqualTo(401);
        assertThat(fixture.postFromPage("/api/login", "{\"token\":\"nope\"}").statusCode()).isEqualTo(401);
        HttpResponse<String> login = fixture.postFromPage("/api/login", "{\"token\":\"s3cret token; with=odd chars, 32+\"}");
        assertThat(login.statusCode()).isEqualTo(204);
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        // A random session id, never the token itself.
        assertThat(cookie).matches("console_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict")
                .doesNotContain("s3cret");
        String session = cookie.substring(0, cookie.indexOf(';'));
        assertThat(fixture.json(fixture.get("/api/summary", "Cookie", session)).get("user").get("role").asText())
                .isEqualTo("script");
        assertThat(fixture.post("/api/login", "{\"token\":\"s3cret token; with=odd chars, 32+\"}", "Content-Type", "application/json")
                .statusCode()).isEqualTo(403);
        // The token does not excuse a POST from the console's own header.
        assertThat(fixture.post("/api/dry-run", "{}", "Content-Type", "application/json", "Authorization",
                "Bearer s3cret token; with=odd chars, 32+").statusCode()).isEqualTo(403);
    }

    @Test
    void onLoopbackItAnswersToLoopbackNamesOnly() throws Exception {
        fixture = new ConsoleFixture(1);
        fixture.start();
        int port = Integer.parseInt(fixture.url("").replaceAll(".*:", ""));

        assertThat(rawStatus(port, "localhost:" + port)).isEqualTo(200);
        assertThat(rawStatus(port, "attacker.example:" + port)).isEqualTo(403); // DNS rebinding
    }

    @Test
    void offLoopbackItRefusesToStartWithoutAToken() {
        fixture = new ConsoleFixture(1);

        assertThatThrownBy(() -> Console.start(fixture.config("CONSOLE_BIND", "0.0.0.0"), fixture.health,
                ReplayedRecords.NONE, new PrometheusRegistry())).isInstanceOf(ConfigException.class).hasMessageStartingWith("CONSOLE_USERS_FILE: accounts (or CONSOLE_TOKEN) are required");
    }

    @Test
    void theCommandExitsTwoWithOneLineNamingTheVariable() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "dev.loginpipe.dlq.console.ConsoleMain")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(Map.of("BOOTSTRAP_SERVERS", "127.0.0.1:1", "CONSOLE_BIND", "0.0.0.0",
                "CONSOLE_PORT", "0", "HTTP_PORT", "0"));
        Process refused = builder.start();
        String stderr = new String(refused.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(refused.waitFor()).isEqualTo(2);
        assertThat(stderr.lines().filter(l -> l.startsWith("dlq-console:")).toList()).singleElement()
                .satisfies(line -> assertThat(line).startsWith("dlq-console: CONSOLE_USERS_FILE: accounts (or CONSOLE_TOKEN) "
                        + "are required"));
    }

    private String signatureId(String label) {
        return find(fixture.json(fixture.get("/api/signatures")), label).get("id").asText();
    }

    private static JsonNode find(JsonNode signatures, String label) {
        for (JsonNode s : signatures) {
            if (s.get("label").asText().equals(label)) {
                return s;
            }
        }
        throw new AssertionError("no signature " + label + " in " + signatures);
    }

    /** The text of the segments marked with note k. */
    private static String marked(JsonNode view, int note) {
        StringBuilder text = new StringBuilder();
        view.get("segments").forEach(s -> {
            if (s.get("note").asInt() == note) {
                text.append(s.get("text").asText());
            }
        });
        return text.toString();
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** A GET with a Host header of our choice (the JDK's client will not send another). */
    private static int rawStatus(int port, String host) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/summary HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }
}
