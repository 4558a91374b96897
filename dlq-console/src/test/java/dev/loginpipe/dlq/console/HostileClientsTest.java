package dev.loginpipe.dlq.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 32's proof against a running console on a real broker, all at once: 200 connections that send a byte a
 * second, 50 event streams from one session, a flood of wrong tokens, and sign-ins for the admin's name from 20
 * loopback addresses (127.0.0.x as source), against a console in a JVM of its own with a heap of 256 MiB. Meanwhile
 * a signed-in admin's page and summary answer within a second, and the console lives through it.
 */
@Tag("slow") // about a minute: the slow clients must outlast several idle timeouts' worth of drip
class HostileClientsTest {
    private static final String TOKEN = "hostile-token-0123456789abcdefghijk";
    private static final int SLOW = 200;
    private static final int STREAMS = 50;
    /** The console's own heap: its JVM ends on an OutOfMemoryError, so living through the attack is the proof. */
    private static final String HEAP = "256m";
    private ConsoleFixture fixture;
    private final ExecutorService attackers = Executors.newCachedThreadPool();
    private final ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        drip.shutdownNow();
        attackers.shutdownNow();
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aSignedInAdminIsAnsweredWithinASecondWhileClientsAttack() throws Exception {
        fixture = new ConsoleFixture(1);
        fixture.startInChildJvm(HEAP, "CONSOLE_USERS_FILE", AccountsFixture.users(Map.of("ada", "admin")).toString(),
                "CONSOLE_TOKEN", TOKEN);
        HttpResponse<String> login = fixture.postFromPage("/api/login",
                "{\"name\":\"ada\",\"password\":\"" + AccountsFixture.password("ada") + "\"}");
        assertThat(login.statusCode()).isEqualTo(204);
        String ada = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        int port = URI.create(fixture.url("/")).getPort();

        // 200 slow clients: a request a byte a second, never finished.
        byte[] request = ("GET /api/summary HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Padding: "
                + "x".repeat(400) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < SLOW; i++) {
            slow.add(new Socket("127.0.0.1", port));
        }
        AtomicInteger sent = new AtomicInteger();
        drip.scheduleAtFixedRate(() -> {
            int at = sent.getAndIncrement() % request.length;
            for (Socket socket : slow) {
                try {
                    socket.getOutputStream().write(request[at]);
                } catch (IOException e) {
                    // cut off by the console: what it should do with a client this slow
                }
            }
        }, 0, 1, TimeUnit.SECONDS);

        // 50 event streams from the admin's own session: 4 are served, the rest refused.
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<InputStream>>> streams = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            streams.add(http.sendAsync(HttpRequest.newBuilder(URI.create(fixture.url("/api/events")))
                    .header("Cookie", ada).build(), HttpResponse.BodyHandlers.ofInputStream()));
        }
        // A flood of wrong tokens, and guesses at ada's password from 20 addresses.
        AtomicInteger tokenRefusals = new AtomicInteger();
        for (int t = 0; t < 4; t++) {
            attackers.execute(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    int status = ConsoleFixture.rawStatus("127.0.0.1", port, "GET /api/summary HTTP/1.1\r\nHost: 127.0.0.1:" + port
                            + "\r\nAuthorization: Bearer wrong-token-wrong-token-wrong-token\r\nConnection: close\r\n\r\n");
                    if (status == 401 || status == 429) {
                        tokenRefusals.incrementAndGet();
                    }
                }
            });
        }
        AtomicInteger guesses = new AtomicInteger();
        for (int a = 10; a < 30; a++) {
            String from = "127.0.0." + a;
            attackers.execute(() -> {
                String body = "{\"name\":\"ada\",\"password\":\"guess-guess-guess\"}";
                while (!Thread.currentThread().isInterrupted()) {
                    int status = ConsoleFixture.rawStatus(from, port, "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1:" + port
                            + "\r\nContent-Type: application/json\r\nX-Console-Request: 1\r\nContent-Length: "
                            + body.length() + "\r\nConnection: close\r\n\r\n" + body);
                    if (status == 401 || status == 429) {
                        guesses.incrementAndGet();
                    }
                }
            });
        }

        int served = 0;
        for (CompletableFuture<HttpResponse<InputStream>> stream : streams) {
            HttpResponse<InputStream> response = stream.get(60, TimeUnit.SECONDS);
            served += response.statusCode() == 200 ? 1 : 0;
            assertThat(response.statusCode()).isIn(200, 503);
        }
        assertThat(served).isEqualTo(EventStreams.PER_SESSION);

        long maxMs = 0;
        double maxHeapUsed = 0;
        for (int probe = 0; probe < 15; probe++) {
            long start = System.nanoTime();
            assertThat(fixture.get("/", "Cookie", ada).statusCode()).isEqualTo(200);
            assertThat(fixture.get("/api/summary", "Cookie", ada).statusCode()).isEqualTo(200);
            maxMs = Math.max(maxMs, (System.nanoTime() - start) / 1_000_000);
            maxHeapUsed = Math.max(maxHeapUsed, heapUsed());
            Thread.sleep(1_000);
        }
        assertThat(maxMs).as("slowest answer to the admin, ms").isLessThan(1_000);
        assertThat(tokenRefusals.get()).as("wrong tokens refused").isGreaterThan(0);
        assertThat(guesses.get()).as("guesses refused").isGreaterThan(0);
        assertThat(fixture.childAlive()).as("the console is still up (no OutOfMemoryError)").isTrue();
        System.out.printf("hostile clients: slowest admin answer %d ms; %d wrong tokens and %d guesses refused; "
                + "most heap in use %.0f MiB of %s%n", maxMs, tokenRefusals.get(), guesses.get(), maxHeapUsed / (1 << 20),
                HEAP);
        for (CompletableFuture<HttpResponse<InputStream>> stream : streams) {
            stream.get().body().close();
        }
        for (Socket socket : slow) {
            socket.close();
        }
    }

    /** The console's heap in use, from its own /metrics (the JVM's collectors), in bytes. */
    private double heapUsed() {
        return fixture.childHttp("/metrics").body().lines()
                .filter(line -> line.startsWith("jvm_memory_used_bytes{area=\"heap\"}"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow();
    }
}
