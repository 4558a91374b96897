package dev.loginpipe.consumer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.loginpipe.common.schema.RegistryClient;
import dev.loginpipe.common.schema.RegistrySchemas;
import dev.loginpipe.common.schema.SchemaVersion;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A registry that answers whatever the test says (garbage, huge, slow, errors, then nothing at all): no answer of it
 * replaces the running version, and each says why. Refreshes are called one by one: no timing.
 */
class RegistryAnswersTest {
    private static final String TOKEN = "s3cret-token-never-shown";
    static final String GOOD = "{\"subject\":\"s\",\"version\":1,\"id\":7,\"schemaType\":\"JSON\","
            + "\"schema\":\"{\\\"type\\\":\\\"object\\\",\\\"required\\\":[\\\"user_id\\\"]}\"}";

    private HttpServer server;
    private volatile Answer answer;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final PrometheusRegistry prometheus = new PrometheusRegistry();
    private LiveSchema live;

    private record Answer(int status, byte[] body, long delayMs) {
        static Answer of(int status, String body) {
            return new Answer(status, body.getBytes(UTF_8), 0);
        }
    }

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/", this::answer);
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/apis/ccompat/v7";
        // 3 s for an answer from this JVM's own server: a loaded machine (load average 60) took more than 1 s.
        RegistryClient client = new RegistryClient(url, Duration.ofMillis(3000), 64 * 1024, "Bearer " + TOKEN);
        // An hour between scheduled refreshes: the test calls refresh() itself.
        answer = Answer.of(503, "{\"message\":\"starting\"}");
        live = LiveSchema.start(new RegistrySchemas(client, "s", "latest", 64), url, 3_600_000,
                new ConsumerMetrics(prometheus));
    }

    @AfterEach
    void stop() {
        live.close();
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
        // Subject "gone" never exists: a reference to it cannot be resolved.
        Answer a = exchange.getRequestURI().getPath().contains("/subjects/gone/")
                ? Answer.of(404, "{\"error_code\":40401,\"message\":\"Subject 'gone' not found.\"}") : answer;
        try {
            Thread.sleep(a.delayMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exchange.sendResponseHeaders(a.status(), a.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            for (int at = 0; at < a.body().length; at += 65_536) { // as a registry streams a large answer
                out.write(a.body(), at, Math.min(65_536, a.body().length - at));
                out.flush();
            }
        } catch (IOException e) {
            // the client hung up on a huge or slow answer
        }
    }

    @Test
    void noAnswerReplacesTheRunningVersionAndEachSaysWhy() {
        assertThat(live.current()).as("a registry starting up gives no schema").isNull();
        assertThat(live.notReadyReason()).contains("no usable schema yet").contains("HTTP 503");
        assertThat(refreshError()).isEqualTo("unreachable");

        answer = Answer.of(200, GOOD);
        live.refresh();
        SchemaVersion good = live.current();
        assertThat(good.label()).isEqualTo("registry id 7, version 1");
        assertThat(live.notReadyReason()).isNull();
        assertThat(live.warning()).isNull();
        assertThat(refreshError()).isNull();

        expectKeptOut(Answer.of(200, "<html>proxy error</html>"), "bad-answer", "not JSON: '<html>proxy error</html>'");
        expectKeptOut(Answer.of(200, "[1,2]"), "bad-answer", "not a JSON object");
        expectKeptOut(Answer.of(200, GOOD.replace("\"id\":7", "\"id\":\"7\"")), "bad-answer", "no id that is an integer");
        expectKeptOut(Answer.of(200, GOOD.replace("\"version\":1", "\"version\":1e99")), "bad-answer", "no version");
        expectKeptOut(Answer.of(200, "{\"id\":8,\"version\":2,\"schema\":\"x".repeat(30_000) + "\"}"),
                "bad-answer", "larger than 65536 bytes");
        expectKeptOut(Answer.of(200, GOOD.replace("\"id\":7", "\"id\":8").replace("JSON", "AVRO")),
                "not-a-schema", "schemaType AVRO");
        expectKeptOut(Answer.of(200, GOOD.replace("\"id\":7", "\"id\":8").replace("\\\"object\\\"", "\\\"record\\\"")),
                "not-a-schema", "not a valid draft-07 JSON Schema");
        expectKeptOut(Answer.of(200, GOOD.replace("\"id\":7", "\"id\":8").replace("{\\\"type", "{\\\"type\\\":")),
                "not-json", "registry id 8, version 1 is not JSON");
        expectKeptOut(Answer.of(200, GOOD.replace("\"id\":7", "\"id\":8")
                        .replace("\\\"required", "\\\"properties\\\":{\\\"a\\\":{\\\"$ref\\\":\\\"other.json\\\"}},\\\"required")),
                "unresolvable-ref", "unresolvable $ref https://loginpipe.invalid/schemas/other.json");
        expectKeptOut(Answer.of(200, GOOD.replace("\"id\":7", "\"id\":8").replace("}\"}",
                "}\",\"references\":[{\"name\":\"other.json\",\"subject\":\"gone\",\"version\":1}]}")),
                "unresolvable-ref", "reference other.json");
        expectKeptOut(Answer.of(404, "{\"error_code\":40401,\"message\":\"Subject 's' not found.\"}"),
                "bad-answer", "HTTP 404");
        expectKeptOut(Answer.of(500, "\u0000\n\r boom"), "unreachable", "HTTP 500 '?\n?".replace("\n", "?"));
        expectKeptOut(new Answer(200, GOOD.getBytes(UTF_8), 4_000), "unreachable", "no complete answer within 3000 ms");
        server.stop(0);
        expectKeptOut(Answer.of(200, GOOD), "unreachable", "cannot connect to http://127.0.0.1:");

        assertThat(live.current()).isSameAs(good);
        assertThat(authorizations).isNotEmpty().allSatisfy(a -> assertThat(a).isEqualTo("Bearer " + TOKEN));
    }

    @Test
    void aSixtyFourMebibyteAnswerIsCutAtTheBound() {
        answer = Answer.of(200, GOOD);
        live.refresh();
        // Alone in its test: the server's one thread may stay blocked writing to a client that stopped reading.
        expectKeptOut(new Answer(200, new byte[64 * 1024 * 1024], 0), "bad-answer", "larger than 65536 bytes");
    }

    private void expectKeptOut(Answer bad, String reason, String shown) {
        SchemaVersion before = live.current();
        answer = bad;
        live.refresh();
        assertThat(live.current()).isSameAs(before);
        assertThat(live.warning()).startsWith("schema refresh failed (" + reason + "): ").contains(shown)
                .endsWith("still judging by registry id 7, version 1").doesNotContain(TOKEN).doesNotContain("\n");
        assertThat(refreshError()).isEqualTo(reason);
    }

    /** The reason whose {@code loginpipe_schema_refresh_error} is 1, or null when all are 0. */
    private String refreshError() {
        for (MetricSnapshot metric : prometheus.scrape()) {
            if (metric.getMetadata().getName().equals("loginpipe_schema_refresh_error")) {
                return ((GaugeSnapshot) metric).getDataPoints().stream().filter(p -> p.getValue() == 1)
                        .map(p -> p.getLabels().get("reason")).findFirst().orElse(null);
            }
        }
        throw new AssertionError("no loginpipe_schema_refresh_error");
    }
}
