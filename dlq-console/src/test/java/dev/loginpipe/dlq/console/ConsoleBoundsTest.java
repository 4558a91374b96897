package dev.loginpipe.dlq.console;

import static dev.loginpipe.dlq.console.ConsoleFixture.contract;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loginpipe.local.KafkaCluster;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The console under a hostile or huge DLQ and hostile clients, on real brokers: its index stays bounded, brokers that
 * are away hold no page, and slow or greedy clients cannot take every thread.
 */
class ConsoleBoundsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** A generous bound for "answers at once", so that a loaded machine does not fail it. */
    private static final long AT_ONCE_MS = 1_000;

    private ConsoleFixture fixture;
    /** Clients that wait at the same time (the common pool may have one thread). */
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        clients.shutdownNow();
        if (fixture != null) {
            fixture.close();
        }
    }

    private void writeRecords(int partition, int count) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(fixture.record(partition, "v-" + i, contract("not-json", 1_000 + i)));
        }
        fixture.write(records);
    }

    /**
     * Pages are bounded in bytes, not records (issue 32, M7): a page of 200, or a search scanning its chunks of 250,
     * read megabyte records one poll at a time into previews. Before, each request held every record it read: 200
     * or 250 of them, more than this console's whole heap.
     */
    @Test
    void aDlqOfMegabyteRecordsFitsAConsoleOf256MiB() throws Exception {
        fixture = new ConsoleFixture(1);
        String big = "{\"user_id\":\"" + "x".repeat(900_000) + "\"}";
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            records.add(fixture.record(0, i % 100 == 0 ? big.replaceFirst("xxxxxx", "needle") : big, contract("schema", 1_000 + i)));
            if (records.size() == 20) { // at most 18 MB in the producer's buffer at once
                fixture.write(records);
                records.clear();
            }
        }
        fixture.startInChildJvm("256m");
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1))
                .until(() -> fixture.json(fixture.get("/api/summary")).get("total").asInt() == 300);
        JsonNode page = fixture.json(fixture.get("/api/records?limit=200"));
        assertThat(page.get("records")).hasSize(200);
        JsonNode found = fixture.json(fixture.get("/api/records?limit=200&text=needle"));
        assertThat(found.get("records")).hasSize(3);
        assertThat(found.get("scanned").asInt()).isEqualTo(300);
        assertThat(found.get("records").get(0).get("preview").asText()).hasSizeLessThan(300);
        assertThat(fixture.childAlive()).as("the console is still up (no OutOfMemoryError)").isTrue();
    }

    private List<Long> indexedOffsets() {
        List<Long> offsets = new ArrayList<>();
        fixture.json(fixture.get("/api/records?limit=200&from=0")).get("records")
                .forEach(r -> offsets.add(r.get("offset").asLong()));
        return offsets;
    }

    @Test
    void recordsDeletedByRetentionLeaveTheIndex() throws Exception {
        fixture = new ConsoleFixture(1);
        writeRecords(0, 6);
        fixture.start();
        assertThat(fixture.json(fixture.get("/api/summary")).get("total").asLong()).isEqualTo(6);

        try (Admin admin = TestKafka.admin(fixture.bootstrap)) {
            admin.deleteRecords(Map.of(new TopicPartition(fixture.dlq, 0), RecordsToDelete.beforeOffset(4))).all()
                    .get();
        }

        await().atMost(Duration.ofMillis(IndexReader.LOG_START_CHECK_MS * 3))
                .until(() -> fixture.json(fixture.get("/api/summary")).get("total").asLong() == 2);
        JsonNode summary = fixture.json(fixture.get("/api/summary"));
        assertThat(summary.get("dlq_records").asLong()).isEqualTo(2);
        assertThat(summary.get("index_note").isNull()).isTrue();
        assertThat(indexedOffsets()).containsExactly(5L, 4L);
    }

    @Test
    void atItsCapTheIndexKeepsTheNewestAndSaysHowManyTheDlqHolds() {
        fixture = new ConsoleFixture(1);
        writeRecords(0, 15);
        fixture.start("CONSOLE_INDEX_MAX_RECORDS", "10");

        JsonNode summary = fixture.json(fixture.get("/api/summary"));
        assertThat(summary.get("total").asLong()).isEqualTo(10);
        assertThat(summary.get("dlq_records").asLong()).isEqualTo(15);
        assertThat(summary.get("index_note").asText()).isEqualTo("The DLQ holds about 15 records; the console "
                + "indexes the newest 10 (CONSOLE_INDEX_MAX_RECORDS=10): the 5 older ones are left out of its lists, "
                + "counts and dry runs. A redrive plan reads the DLQ itself and selects them too.");
        assertThat(indexedOffsets()).containsExactly(14L, 13L, 12L, 11L, 10L, 9L, 8L, 7L, 6L, 5L);
        assertThat(fixture.json(fixture.get("/api/signatures")).get(0).get("count").asLong()).isEqualTo(10);
        // A redrive plan reads the DLQ itself: it selects the records left out too.
        assertThat(fixture.json(fixture.postFromPage("/api/plans/dry-run", "{\"max\":\"100\",\"rate\":\"10\","
                + "\"since\":\"1970-01-01T00:00:00Z\"}")).get("would_publish").asLong()).isEqualTo(15);

        // A record arrives: the oldest indexed one makes way, and the note counts it.
        fixture.write(List.of(fixture.record(0, "v-15", contract("not-json", 2_000))));
        await().atMost(WAIT).until(() -> fixture.json(fixture.get("/api/summary")).get("dlq_records").asLong() == 16);
        assertThat(indexedOffsets()).containsExactly(15L, 14L, 13L, 12L, 11L, 10L, 9L, 8L, 7L, 6L);
    }

    @Test
    void withTheBrokerStoppedDuringAnActionEveryPageAndTheEventStreamAnswerAtOnce() throws Exception {
        try (KafkaCluster cluster = TestKafka.cluster(1)) {
            fixture = new ConsoleFixture(cluster.bootstrapServers(), 1);
            writeRecords(0, 3);
            // Short client timeouts, so that the requests held by the stopped broker end within seconds.
            fixture.start("KAFKA_CLIENT_DEFAULT_API_TIMEOUT_MS", "3000", "KAFKA_CLIENT_REQUEST_TIMEOUT_MS", "3000");
            await().atMost(WAIT).until(() -> fixture.get("/api/plans").statusCode() == 200);
            HttpResponse<String> created = fixture.postFromPage("/api/plans", "{\"max\":\"1\",\"rate\":\"10\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String planId = fixture.json(created).get("id").asText();

            cluster.node(1).stop();
            // An action that waits for the audit trail (the brokers are away), holding what actions take.
            CompletableFuture<HttpResponse<String>> pending = CompletableFuture.supplyAsync(
                    () -> fixture.postFromPage("/api/plans", "{\"max\":\"2\",\"rate\":\"10\"}"),
                    clients);
            Thread.sleep(500);
            assertThat(pending).isNotDone();

            for (String path : List.of("/api/summary", "/api/plans", "/api/signatures", "/api/audit",
                    "/api/records/0/0/history")) {
                HttpResponse<String> answer = timed(path, () -> fixture.get(path));
                assertThat(answer.statusCode()).as(path + ": " + answer.body()).isEqualTo(200);
            }
            assertThat(fixture.json(fixture.get("/api/plans")).get("plans")).hasSize(1);
            try (EventStream events = new EventStream(fixture.url("/api/events"))) {
                String first = timed("the event stream", events::nextEvent);
                assertThat(first).startsWith("event: plans\ndata: {\"plans\":[{\"id\":\"" + planId + "\"");
            }
            // Another action is refused at once rather than queued behind the first.
            HttpResponse<String> cancel = timed("a second action",
                    () -> fixture.postFromPage("/api/plans/" + planId + "/cancel", "{}"));
            assertThat(cancel.statusCode()).isEqualTo(503);
            assertThat(fixture.json(cancel).get("error").asText()).startsWith("the audit trail is not answering");
            // Issue 32 (L5): a backtest is recorded before it runs; with the trail not answering it is refused and
            // never starts.
            HttpResponse<String> backtest = timed("a backtest", () -> fixture.postFromPage("/api/backtest",
                    "{\"schema\":\"{\\\"type\\\":\\\"object\\\"}\"}"));
            assertThat(backtest.statusCode()).as(backtest.body()).isEqualTo(503);
            assertThat(fixture.json(fixture.get("/api/backtest")).get("state").asText()).isEqualTo("idle");

            // Requests that read Kafka, as many as it allows, held by the stopped broker (3 s each, one at a time):
            // more are refused at once.
            List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
            for (int i = 0; i < ConsoleServer.MAX_SCANS; i++) {
                String path = "/api/records/0/" + i;
                held.add(CompletableFuture.supplyAsync(() -> fixture.get(path), clients));
            }
            Thread.sleep(1_000);
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> refused = timed("a read over the limit", () -> fixture.get("/api/records/0/9"));
                assertThat(refused.statusCode()).isEqualTo(503);
                assertThat(fixture.json(refused).get("error").asText()).isEqualTo("the console is reading Kafka for 4 "
                        + "requests already (the brokers may be slow); try again in a moment");
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("2");
            }
            for (CompletableFuture<HttpResponse<String>> read : held) {
                assertThat(fixture.json(read.get()).get("error").asText()).startsWith("Kafka: TimeoutException");
            }

            // The pending action failed with the trail out of reach: it was not taken.
            HttpResponse<String> failed = pending.get();
            assertThat(failed.statusCode()).as(failed.body()).isEqualTo(503);
            assertThat(fixture.json(fixture.get("/api/plans")).get("plans")).hasSize(1);

            cluster.node(1).start();
            cluster.awaitReady(WAIT);
            await().atMost(WAIT).until(() -> fixture.postFromPage("/api/plans", "{\"max\":\"2\",\"rate\":\"10\"}").statusCode() == 201);
            assertThat(fixture.json(fixture.get("/api/plans")).get("plans")).hasSize(2);
        }
    }

    @Test
    void aClientThatStallsItsBodyIsCutOffAndAnOversizedBodyIsRefused() throws Exception {
        fixture = new ConsoleFixture(1);
        fixture.start();
        int port = URI.create(fixture.url("/")).getPort();
        // Each sends its headers, then 1 of 100 bytes, then nothing: Jetty waits for the rest on no thread, and the
        // idle timeout ends the connection.
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout((int) ConsoleServer.IDLE_TIMEOUT_MS + 10_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /api/plans HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json"
                        + "\r\nX-Console-Request: 1\r\nContent-Length: 100\r\n\r\n{").getBytes(StandardCharsets.UTF_8));
                out.flush();
                stalled.add(socket);
            }
            long start = System.nanoTime();
            for (Socket socket : stalled) {
                assertThat(ended(socket)).doesNotContain("HTTP/1.1 2");
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(ms).isLessThanOrEqualTo(ConsoleServer.IDLE_TIMEOUT_MS + 2_000);
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
        HttpResponse<String> summary = timed("the summary after", () -> fixture.get("/api/summary"));
        assertThat(summary.statusCode()).isEqualTo(200);

        HttpResponse<String> large = fixture.postFromPage("/api/plans", "{\"reason\":\"" + "x".repeat(20_000) + "\"}");
        assertThat(large.statusCode()).isEqualTo(413);
        assertThat(fixture.json(large).get("error").asText()).isEqualTo("the body is larger than 16384 bytes");
    }

    /**
     * Event streams are capped per session and in all (Bounds), so one signed-in client cannot hold the console's
     * connections with live updates; a stream holds no thread, and a refused one says which cap it met.
     */
    @Test
    void eventStreamsAreCappedPerSessionAndInAll() throws Exception {
        fixture = new ConsoleFixture(1);
        String token = "events-token-0123456789abcdefghijkl";
        fixture.start("CONSOLE_TOKEN", token);
        HttpClient http = HttpClient.newHttpClient();
        List<HttpResponse<InputStream>> open = new ArrayList<>();
        try {
            for (int session = 0; session < EventStreams.IN_ALL / EventStreams.PER_SESSION; session++) {
                HttpResponse<String> login = fixture.postFromPage("/api/login", "{\"token\":\"" + token + "\"}");
                String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
                for (int i = 0; i < EventStreams.PER_SESSION; i++) {
                    open.add(events(http, cookie));
                    assertThat(open.get(open.size() - 1).statusCode()).isEqualTo(200);
                }
                if (session == 0) {
                    HttpResponse<InputStream> over = events(http, cookie);
                    assertThat(over.statusCode()).isEqualTo(503);
                    assertThat(new String(over.body().readAllBytes(), StandardCharsets.UTF_8)).contains(
                            "too many open event streams for this session (" + EventStreams.PER_SESSION + ")");
                }
            }
            HttpResponse<InputStream> beyond = events(http, "console_session=none", "Authorization", "Bearer " + token);
            assertThat(beyond.statusCode()).isEqualTo(503);
            assertThat(new String(beyond.body().readAllBytes(), StandardCharsets.UTF_8))
                    .contains("too many open event streams (" + EventStreams.IN_ALL + " in all)");
            // The page still answers at once while they all stream.
            assertThat(timed("the summary", () -> fixture.get("/api/summary", "Authorization", "Bearer " + token))
                    .statusCode()).isEqualTo(200);
        } finally {
            for (HttpResponse<InputStream> stream : open) {
                stream.body().close();
            }
        }
    }

    /** A stream that is read outlives the idle timeout: it writes at least every 5 s, a comment when nothing changed. */
    @Test
    void anEventStreamThatIsReadOutlivesTheIdleTimeout() throws Exception {
        fixture = new ConsoleFixture(1);
        fixture.start();
        int port = URI.create(fixture.url("/")).getPort();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) ConsoleServer.IDLE_TIMEOUT_MS);
            socket.getOutputStream().write(("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            StringBuilder got = new StringBuilder();
            byte[] buffer = new byte[4096];
            long end = System.nanoTime() + (ConsoleServer.IDLE_TIMEOUT_MS + 3_000) * 1_000_000;
            while (System.nanoTime() < end) {
                int read = socket.getInputStream().read(buffer);
                assertThat(read).as("the stream ended after %s", got).isPositive();
                got.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
            }
            assertThat(got.toString()).startsWith("HTTP/1.1 200");
            assertThat(got.toString().split(": still here", -1)).as(got.toString()).hasSizeGreaterThan(2);
        }
    }

    private HttpResponse<InputStream> events(HttpClient http, String cookie, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fixture.url("/api/events")))
                .header("Cookie", cookie).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    /**
     * The connection cap and the idle timeout (Bounds): with 512 connections open and silent, the next one is not
     * served until the idle timeout closes them; headers larger than 8 KB are a 431.
     */
    @Test
    void connectionsAreCappedAndSilentOnesClosed() throws Exception {
        fixture = new ConsoleFixture(1);
        fixture.start();
        int port = URI.create(fixture.url("/")).getPort();
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < ConsoleServer.MAX_CONNECTIONS; i++) {
                silent.add(new Socket("127.0.0.1", port));
            }
            CompletableFuture<HttpResponse<String>> next = CompletableFuture.supplyAsync(() -> fixture.get("/login"));
            Thread.sleep(2_000);
            assertThat(next).as("served beyond the cap").isNotDone();
            assertThat(next.get(ConsoleServer.IDLE_TIMEOUT_MS + 20_000, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .statusCode()).isEqualTo(200);
        } finally {
            for (Socket socket : silent) {
                socket.close();
            }
        }
        HttpResponse<String> huge = fixture.get("/login", "X-Padding", "x".repeat(ConsoleServer.MAX_HEADERS));
        assertThat(huge.statusCode()).isEqualTo(431);
    }

    /** What the server sent before it closed the connection (a reset, where it had not read all we sent, ends it too). */
    private static String ended(Socket socket) throws IOException {
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        try {
            socket.getInputStream().transferTo(got);
        } catch (SocketException e) {
            assertThat(e.getMessage()).isEqualTo("Connection reset");
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    /** What {@code call} answered, once it is sure it answered within {@link #AT_ONCE_MS}. */
    private static <T> T timed(String what, Supplier<T> call) {
        long start = System.nanoTime();
        T answer = call.get();
        assertThat((System.nanoTime() - start) / 1_000_000).as(what + " answered within ms").isLessThan(AT_ONCE_MS);
        return answer;
    }

    /** The console's event stream, read event by event. */
    private static final class EventStream implements AutoCloseable {
        private final CompletableFuture<HttpResponse<InputStream>> response;
        private BufferedReader lines;

        EventStream(String url) {
            response = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        }

        /** The next event's lines (a heartbeat comment is passed over). */
        String nextEvent() {
            try {
                if (lines == null) {
                    lines = new BufferedReader(new InputStreamReader(response.get().body(), StandardCharsets.UTF_8));
                }
                StringBuilder event = new StringBuilder();
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.isEmpty() && !event.isEmpty()) {
                        return event.toString().strip();
                    }
                    if (!line.startsWith(":")) {
                        event.append(line).append('\n');
                    }
                }
                return event.toString();
            } catch (IOException | InterruptedException | ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws Exception {
            response.get().body().close();
        }
    }
}
