package dev.loginpipe.dlq.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.dlq.console.access.Accounts;
import dev.loginpipe.dlq.console.access.Principal;
import dev.loginpipe.dlq.redrive.Caller;
import dev.loginpipe.dlq.redrive.RedriveApi;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's HTTP side (the JDK's server): the page and its files from the jar, the JSON API, and server-sent
 * events for live arrivals. Every answer carries a strict Content-Security-Policy (scripts and styles from the jar
 * only, nothing inline) and nosniff; every request passes the {@link Guard} first.
 */
final class ConsoleServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("dlq-console");
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final String STATIC = "dev/loginpipe/dlq/console/static/";
    /** What a browser may load without the token: the login page and what it needs. */
    private static final Set<String> PUBLIC = Set.of("/login", "/login.js", "/style.css");
    private static final Map<String, String> FILES = Map.of("/", "index.html", "/login", "login.html",
            "/app.js", "app.js", "/dom.js", "dom.js", "/views.js", "views.js", "/plans.js", "plans.js",
            "/backtest.js", "backtest.js", "/login.js", "login.js", "/style.css", "style.css");
    private static final Pattern RECORD = Pattern.compile("/api/records/(\\d{1,9})/(\\d{1,18})");
    /** An output record a candidate schema of this version would reject: {@code /api/examples/<version>/<p>/<o>}. */
    private static final Pattern EXAMPLE = Pattern.compile("/api/examples/([0-9a-f]{12}|\\d{1,9})/(\\d{1,9})/(\\d{1,18})");
    private static final int MAX_BODY = 16 * 1024;
    private static final int MAX_STREAMS = 8;
    /**
     * Requests that read Kafka at once (pages of records, a record, dry runs); more are refused at once, so brokers
     * that are slow or away hold a few of the MAX_STREAMS+8 threads, never all of them.
     */
    static final int MAX_SCANS = 4;
    private static final Pattern READS_KAFKA =
            Pattern.compile("/api/records(/\\d{1,9}/\\d{1,18})?|/api/(plans/)?dry-run|/api/examples/.*");
    /** Seconds a client has to send a request, headers and body: one that stalls is cut off, freeing its thread. */
    static final int MAX_REQUEST_SECONDS = 10;
    private static final long EVENT_INTERVAL_MS = 1000;
    private static final long HEARTBEAT_MS = 15_000;

    static {
        // The JDK's server writes headers and body apart; with Nagle's algorithm and delayed ACKs each answer
        // would wait about 40 ms. Read once, when the first server is made.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final Guard guard;
    private final ConsoleApi api;
    private final RedriveApi redrive;
    private final DlqIndex index;
    private final Health health;
    private final ObjectMapper json;
    private final Semaphore streams = new Semaphore(MAX_STREAMS);
    private final boolean https;
    private final Semaphore scans = new Semaphore(MAX_SCANS);
    private volatile boolean stopping;

    /** {@code tls}: null serves HTTP. */
    ConsoleServer(InetSocketAddress address, SSLContext tls, Guard guard, ConsoleApi api, RedriveApi redrive,
                  DlqIndex index, Health health, ObjectMapper json) throws IOException {
        this.guard = guard;
        this.api = api;
        this.redrive = redrive;
        this.index = index;
        this.health = health;
        this.json = json;
        this.https = tls != null;
        if (tls == null) {
            this.server = HttpServer.create(address, 64);
        } else {
            HttpsServer secure = HttpsServer.create(address, 64);
            secure.setHttpsConfigurator(new HttpsConfigurator(tls));
            this.server = secure;
        }
        this.threads = Executors.newFixedThreadPool(MAX_STREAMS + 8, r -> {
            Thread t = new Thread(r, "console-http");
            t.setDaemon(true);
            return t;
        });
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        stopping = true;
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        boolean scanning = false;
        try {
            var h = exchange.getResponseHeaders();
            h.set("Content-Security-Policy", CSP);
            h.set("X-Content-Type-Options", "nosniff");
            h.set("X-Frame-Options", "DENY");
            h.set("Referrer-Policy", "no-referrer");
            h.set("Cache-Control", "no-store");
            if (READS_KAFKA.matcher(exchange.getRequestURI().getRawPath()).matches()) {
                if (!scans.tryAcquire()) {
                    h.set("Retry-After", "2");
                    error(exchange, 503, "the console is reading Kafka for " + MAX_SCANS + " requests already (the "
                            + "brokers may be slow); try again in a moment");
                    return;
                }
                scanning = true;
            }
            route(exchange);
        } catch (BadRequest e) {
            error(exchange, 400, e.getMessage());
        } catch (Accounts.Throttled e) {
            error(exchange, 429, e.getMessage());
        } catch (ConsoleApi.NotFound e) {
            error(exchange, 404, e.getMessage());
        } catch (IllegalStateException | KafkaException e) {
            error(exchange, 503, "Kafka: " + ErrorText.of(e));
        } catch (IOException e) {
            // the client went away
        } catch (RuntimeException e) {
            LOG.error("console request {} failed", exchange.getRequestURI().getPath(), e);
            error(exchange, 500, "internal error");
        } finally {
            if (scanning) {
                scans.release();
            }
            exchange.close(); // after the error answers: a try-with-resources would close before them
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String method = exchange.getRequestMethod();
        String hostProblem = guard.hostProblem(exchange.getRequestHeaders());
        if (hostProblem != null) {
            error(exchange, 403, hostProblem);
            return;
        }
        if (method.equals("POST")) {
            String csrf = guard.csrfProblem(exchange.getRequestHeaders());
            if (csrf != null) {
                error(exchange, 403, csrf);
                return;
            }
        }
        if (path.equals("/api/login") && method.equals("POST")) {
            login(exchange);
            return;
        }
        if (path.equals("/api/logout") && method.equals("POST")) {
            logout(exchange);
            return;
        }
        Principal principal = PUBLIC.contains(path) ? null : guard.principal(exchange);
        if (!PUBLIC.contains(path) && principal == null) {
            if (path.equals("/") && method.equals("GET")) {
                exchange.getResponseHeaders().set("Location", "/login");
                exchange.sendResponseHeaders(303, -1);
            } else {
                error(exchange, 401, "sign in first (on /login, or Authorization: Bearer with the console's token)");
            }
            return;
        }
        if (method.equals("POST") && principal != null && !principal.role().mayOperate()) {
            error(exchange, 403, principal.name() + " is a " + principal.role().label()
                    + ": dry runs and plans need the role operator or admin");
            return;
        }
        String query = exchange.getRequestURI().getRawQuery();
        Matcher record = RECORD.matcher(path);
        Matcher example = EXAMPLE.matcher(path);
        if (FILES.containsKey(path)) {
            requireMethod(method, "GET");
            Params.ofQuery(path.equals("/") ? null : query, Set.of()); // the page reads its own query
            file(exchange, FILES.get(path));
        } else if (path.equals("/api/summary")) {
            requireMethod(method, "GET");
            Params.ofQuery(query, Set.of());
            send(exchange, 200, api.summary(principal));
        } else if (path.equals("/api/signatures")) {
            requireMethod(method, "GET");
            Params.ofQuery(query, Set.of());
            send(exchange, 200, api.signatures());
        } else if (path.equals("/api/records")) {
            requireMethod(method, "GET");
            send(exchange, 200, api.records(Params.ofQuery(query, RecordPages.PARAMS), principal));
        } else if (record.matches()) {
            requireMethod(method, "GET");
            Params.ofQuery(query, Set.of());
            ObjectNode detail = api.record(Integer.parseInt(record.group(1)), Long.parseLong(record.group(2)),
                    principal);
            if (detail == null) {
                error(exchange, 404, "no record at " + record.group(1) + ":" + record.group(2));
            } else {
                send(exchange, 200, detail);
            }
        } else if (path.equals("/api/dry-run")) {
            requireMethod(method, "POST");
            Map<String, String> fields = body(exchange);
            if (trailRefuses(exchange)) {
                return;
            }
            ObjectNode result = api.dryRun(Params.ofFields(fields, Selection.PARAMS), principal);
            if (result == null) {
                error(exchange, 429, "a dry run is already running; try again when it is done");
            } else {
                redrive.recordDryRun(fields, result, new Caller(principal, from(exchange)));
                send(exchange, 200, result);
            }
        } else if (path.equals("/api/backtest") && method.equals("GET")) {
            Params.ofQuery(query, Set.of());
            send(exchange, 200, api.backtest());
        } else if (path.equals("/api/backtest")) {
            requireMethod(method, "POST");
            Map<String, String> fields = body(exchange);
            if (trailRefuses(exchange)) {
                return;
            }
            ObjectNode started = api.startBacktest(fields, principal);
            if (started == null) {
                error(exchange, 409, "a backtest is running; cancel it or wait for it to finish");
            } else {
                redrive.recordBacktest(started.path("version").asText(), fields.getOrDefault("output_records",
                        Long.toString(ConsoleApi.DEFAULT_BACKTEST_RECORDS)), new Caller(principal, from(exchange)));
                send(exchange, 202, started);
            }
        } else if (path.equals("/api/backtest/cancel")) {
            requireMethod(method, "POST");
            api.cancelBacktest();
            send(exchange, 200, api.backtest());
        } else if (path.equals("/api/shadow") && method.equals("GET")) {
            Params.ofQuery(query, Set.of());
            send(exchange, 200, api.shadow());
        } else if (path.equals("/api/shadow")) {
            requireMethod(method, "POST");
            Map<String, String> fields = body(exchange);
            if (trailRefuses(exchange)) {
                return;
            }
            ObjectNode started = api.startShadow(fields, principal);
            if (started == null) {
                error(exchange, 409, "a shadow is watching; stop it first");
            } else {
                redrive.recordShadow("shadow-started", started.path("version").asText(),
                        new Caller(principal, from(exchange)));
                send(exchange, 202, started);
            }
        } else if (path.equals("/api/shadow/stop")) {
            requireMethod(method, "POST");
            String stopped = api.stopShadow();
            if (stopped != null) {
                redrive.recordShadow("shadow-stopped", stopped, new Caller(principal, from(exchange)));
            }
            send(exchange, 200, api.shadow());
        } else if (example.matches()) {
            requireMethod(method, "GET");
            Params.ofQuery(query, Set.of());
            ObjectNode found = api.example(example.group(1), Integer.parseInt(example.group(2)),
                    Long.parseLong(example.group(3)), principal);
            if (found == null) {
                error(exchange, 404, "no output record at " + example.group(2) + ":" + example.group(3));
            } else {
                send(exchange, 200, found);
            }
        } else if (path.equals("/api/events")) {
            requireMethod(method, "GET");
            Params.ofQuery(query, Set.of());
            events(exchange, principal);
        } else if (RedriveApi.handles(path)) {
            Params.ofQuery(query, Set.of());
            RedriveApi.Answer answer = redrive.answer(method, path,
                    method.equals("POST") ? body(exchange) : Map.of(), new Caller(principal, from(exchange)));
            send(exchange, answer.status(), answer.body());
        } else {
            error(exchange, 404, "no such page");
        }
    }

    /**
     * Answers 503 or 403 when the audit trail cannot record what is asked (not read yet, or read-only): dry runs and
     * backtests are recorded there. True when it answered.
     */
    private boolean trailRefuses(HttpExchange exchange) throws IOException {
        String unavailable = redrive.unavailable();
        if (unavailable != null) {
            error(exchange, 503, unavailable);
            return true;
        }
        String readOnly = redrive.readOnly();
        if (readOnly != null) {
            error(exchange, 403, readOnly);
            return true;
        }
        return false;
    }

    /** Where a request came from, for the audit trail. */
    private static String from(HttpExchange exchange) {
        return exchange.getRemoteAddress().getAddress().getHostAddress();
    }

    /** Signs in with {@code name} and {@code password}, or with {@code token} alone; the cookie holds a session id. */
    private void login(HttpExchange exchange) throws IOException {
        Map<String, String> fields = body(exchange);
        String name = fields.getOrDefault("name", "").strip();
        String secret = name.isEmpty() ? fields.getOrDefault("token", "") : fields.getOrDefault("password", "");
        Accounts.SignIn signIn;
        try {
            signIn = guard.accounts().signIn(name, secret, from(exchange));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("stopping");
        }
        if (signIn.sessionId() == null) {
            error(exchange, signIn.status(), signIn.refusal());
            return;
        }
        exchange.getResponseHeaders().add("Set-Cookie", Guard.COOKIE + "=" + signIn.sessionId()
                + "; Path=/; HttpOnly; SameSite=Strict" + (https ? "; Secure" : ""));
        exchange.sendResponseHeaders(204, -1);
    }

    private void logout(HttpExchange exchange) throws IOException {
        guard.accounts().signOut(Guard.sessionId(exchange.getRequestHeaders()));
        exchange.getResponseHeaders().add("Set-Cookie", Guard.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
                + (https ? "; Secure" : ""));
        exchange.sendResponseHeaders(204, -1);
    }

    /**
     * Sends the index's size whenever it changes, and a comment now and then so proxies keep the stream open. Ends
     * when the request would no longer be {@code principal}'s as it is (signed out, removed, another role).
     */
    private void events(HttpExchange exchange, Principal principal) throws IOException {
        if (!streams.tryAcquire()) {
            error(exchange, 503, "too many open event streams");
            return;
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            String last = null;
            String lastPlans = null;
            long lastWrite = 0;
            while (!stopping && stillFor(principal, exchange)) {
                String event = json.createObjectNode().put("total", index.size()).put("ready", health.isReady())
                        .put("added", index.added()).toString();
                // The plans' progress and outcomes, whenever they change.
                JsonNode planState = redrive.plans();
                String plans = planState == null
                        ? json.createObjectNode().put("error", redrive.unavailable()).toString() : planState.toString();
                long now = System.currentTimeMillis();
                boolean wrote = false;
                if (!plans.equals(lastPlans)) {
                    out.write(("event: plans\ndata: " + plans + "\n\n").getBytes(StandardCharsets.UTF_8));
                    lastPlans = plans;
                    wrote = true;
                }
                if (!event.equals(last)) {
                    out.write(("event: index\ndata: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
                    last = event;
                    wrote = true;
                } else if (now - lastWrite >= HEARTBEAT_MS) {
                    out.write(": still here\n\n".getBytes(StandardCharsets.UTF_8));
                    wrote = true;
                }
                if (wrote) {
                    out.flush();
                    lastWrite = now;
                }
                sleep();
            }
        } finally {
            streams.release();
        }
    }

    /** Whether the request is still {@code principal}'s as it was: signed in, not removed, the same role. */
    private boolean stillFor(Principal principal, HttpExchange exchange) {
        try {
            return principal.equals(guard.principal(exchange));
        } catch (Accounts.Throttled e) {
            return false;
        }
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(EVENT_INTERVAL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("stopping");
        }
    }

    private Map<String, String> body(HttpExchange exchange) throws IOException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY + 1);
        }
        if (bytes.length > MAX_BODY) {
            throw new BadRequest("the body is larger than " + MAX_BODY + " bytes");
        }
        Map<String, String> fields = new HashMap<>();
        try {
            JsonNode node = bytes.length == 0 ? json.createObjectNode() : json.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new BadRequest("the body must be a JSON object");
            }
            for (var field : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
                if (!field.getValue().isTextual()) {
                    throw new BadRequest("every field of the body must be a string");
                }
                fields.put(field.getKey(), field.getValue().asText());
            }
        } catch (JsonProcessingException e) {
            throw new BadRequest("the body is not JSON");
        }
        return fields;
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new BadRequest("use " + expected);
        }
    }

    private void file(HttpExchange exchange, String name) throws IOException {
        byte[] bytes;
        try (InputStream in = ConsoleServer.class.getClassLoader().getResourceAsStream(STATIC + name)) {
            if (in == null) {
                throw new IllegalArgumentException("missing resource " + name);
            }
            bytes = in.readAllBytes();
        }
        String type = name.endsWith(".js") ? "text/javascript" : name.endsWith(".css") ? "text/css" : "text/html";
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private void error(HttpExchange exchange, int status, String message) throws IOException {
        send(exchange, status, json.createObjectNode().put("error", message));
    }
}
