package dev.loginpipe.dlq.console;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.ErrorText;
import dev.loginpipe.dlq.console.access.Accounts;
import dev.loginpipe.dlq.console.access.Principal;
import dev.loginpipe.dlq.redrive.AuditTrail;
import dev.loginpipe.dlq.redrive.Redrive;
import org.apache.kafka.common.KafkaException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's HTTP side, on Jetty (its core handlers, no servlets): the limits every request meets, set once on the
 * server, then the checks of {@link Routes} (Host, CSRF for a POST, who asks and the role the route needs) before
 * any endpoint runs. Jetty reads requests without a thread (a client that sends its headers or body slowly holds a
 * connection, never a thread), and every answer carries a strict Content-Security-Policy (scripts and styles from
 * the jar only, nothing inline) and nosniff.
 */
final class ConsoleServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("dlq-console");
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    /** Largest request body (the POSTs' JSON); a larger one is a 413 before it is read. */
    static final int MAX_BODY = 16 * 1024;
    /** Largest request line and headers together. */
    static final int MAX_HEADERS = 8 * 1024;
    /** Largest answer: a backstop under the pages' own byte budgets. */
    static final long MAX_RESPONSE = 16L * 1024 * 1024;
    /** Open connections at most, slow or not; more wait in the system's backlog. */
    static final int MAX_CONNECTIONS = 512;
    /** A connection that sends and takes nothing for this long is closed (the event streams write more often). */
    static final long IDLE_TIMEOUT_MS = 10_000;
    /** Threads that run endpoints; reading and writing wait on none of them. */
    static final int MAX_THREADS = 32;
    /**
     * Requests that read Kafka at once (pages of records, a record, dry runs, an example); more are refused at once,
     * so brokers that are slow or away hold a few of the threads, never all of them.
     */
    static final int MAX_SCANS = 4;
    private static final Set<String> READS_KAFKA = Set.of("GET /api/records", "GET /api/records/{partition}/{offset}",
            "POST /api/dry-run", "POST /api/plans/dry-run", "GET /api/examples/{version}/{partition}/{offset}");

    private final Server server;
    private final ServerConnector connector;
    private final QueuedThreadPool threads;
    private final Guard guard;
    private final Endpoints endpoints;
    private final EventStreams events;
    private final ObjectMapper json;
    private final Semaphore scans = new Semaphore(MAX_SCANS);

    /** {@code tls}: null serves HTTP. */
    ConsoleServer(InetSocketAddress address, SSLContext tls, Guard guard, Endpoints endpoints, EventStreams events,
                  ObjectMapper json) throws IOException {
        this.guard = guard;
        this.endpoints = endpoints;
        this.events = events;
        this.json = json;
        this.threads = new QueuedThreadPool(MAX_THREADS, 4);
        threads.setName("console-http");
        threads.setDaemon(true);
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(MAX_HEADERS);
        http.setIdleTimeout(IDLE_TIMEOUT_MS);
        HttpConnectionFactory plain = new HttpConnectionFactory(http);
        if (tls == null) {
            this.connector = new ServerConnector(server, 1, 1, plain);
        } else {
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false); // which names the certificate holds is the operator's choice
            http.addCustomizer(secure);
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setSslContext(tls);
            this.connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(ssl, "http/1.1"), plain);
        }
        connector.setHost(address.getAddress().getHostAddress());
        connector.setPort(address.getPort());
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, connector));
        server.setHandler(new SizeLimitHandler(MAX_BODY, MAX_RESPONSE) {
            {
                setHandler(new Dispatch());
            }
        });
        server.setErrorHandler(new JsonErrors());
        try {
            server.start();
        } catch (IOException e) {
            close();
            throw e;
        } catch (Exception e) {
            close();
            throw new IOException(e.getMessage(), e);
        }
    }

    int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        events.close();
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the console's server: {}", ErrorText.of(e));
        }
    }

    private static void secure(HttpFields.Mutable h) {
        h.put("Content-Security-Policy", CSP);
        h.put("X-Content-Type-Options", "nosniff");
        h.put("X-Frame-Options", "DENY");
        h.put("Referrer-Policy", "no-referrer");
        h.put("Cache-Control", "no-store");
    }

    /** The route table's checks, then the endpoint; a POST's body is read without a thread first. */
    private final class Dispatch extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            secure(response.getHeaders());
            Call early = new Call(request, response, callback, null, null, Map.of(), json);
            try {
                String method = request.getMethod();
                String path = request.getHttpURI().getPath();
                Routes.Match match = Routes.find(method, path);
                if (match == null) {
                    if (Routes.knows(path)) {
                        response.getHeaders().put(HttpHeader.ALLOW, Routes.methods(path));
                        early.error(405, "use " + Routes.methods(path));
                    } else {
                        early.error(404, "no such page");
                    }
                    return true;
                }
                String refused = guard.hostProblem(request.getHeaders());
                if (refused == null && method.equals("POST")) {
                    refused = guard.csrfProblem(request.getHeaders());
                }
                if (refused != null) {
                    early.error(403, refused);
                    return true;
                }
                Route route = match.route();
                Principal principal = null;
                if (route.access() != Route.Access.ANYONE) {
                    principal = guard.principal(request);
                    if (principal == null && path.equals("/")) {
                        response.getHeaders().put(HttpHeader.LOCATION, "/login");
                        early.empty(303);
                        return true;
                    }
                    if (principal == null) {
                        early.error(401, "sign in first (on /login, or Authorization: Bearer with the console's "
                                + "token)");
                        return true;
                    }
                    if (route.access() == Route.Access.OPERATOR && !principal.role().mayOperate()) {
                        early.error(403, principal.name() + " is a " + principal.role().label()
                                + ": dry runs, backtests, shadows and plans need the role operator or admin");
                        return true;
                    }
                }
                Principal who = principal;
                if (!method.equals("POST")) {
                    run(route, new Call(request, response, callback, who, match.parts(), Map.of(), json));
                    return true;
                }
                Content.Source.asByteArrayAsync(request, MAX_BODY).whenComplete((bytes, failure) ->
                        threads.execute(() -> {
                            if (failure != null) { // too large (413), or it stopped coming (the idle timeout)
                                fail(early, failure instanceof HttpException http ? http.getCode() : 408,
                                        failure instanceof HttpException ? "the body is larger than " + MAX_BODY
                                                + " bytes" : "the body did not arrive: " + ErrorText.of(failure));
                                return;
                            }
                            Map<String, String> fields;
                            try {
                                fields = fields(bytes);
                            } catch (BadRequest e) {
                                fail(early, 400, e.getMessage());
                                return;
                            }
                            run(route, new Call(request, response, callback, who, match.parts(), fields, json));
                        }));
            } catch (Accounts.Throttled e) {
                fail(early, 429, e.getMessage());
            } catch (IOException | RuntimeException e) {
                LOG.error("console request {} failed", request.getHttpURI().getPath(), e);
                callback.failed(e);
            }
            return true;
        }
    }

    /** Runs an endpoint; what it throws becomes an answer with the status it means. */
    private void run(Route route, Call call) {
        boolean scanning = READS_KAFKA.contains(route.name());
        if (scanning && !scans.tryAcquire()) {
            call.response.getHeaders().put(HttpHeader.RETRY_AFTER, "2");
            fail(call, 503, "the console is reading Kafka for " + MAX_SCANS + " requests already (the brokers may "
                    + "be slow); try again in a moment");
            return;
        }
        try {
            route.endpoint().answer(endpoints, call);
        } catch (BadRequest e) {
            fail(call, 400, e.getMessage());
        } catch (Accounts.Throttled e) {
            fail(call, 429, e.getMessage());
        } catch (ConsoleApi.NotFound e) {
            fail(call, 404, e.getMessage());
        } catch (Redrive.TrailBusy e) {
            fail(call, 503, e.getMessage());
        } catch (AuditTrail.ReadOnly e) {
            fail(call, 403, e.getMessage());
        } catch (IllegalStateException | KafkaException e) {
            fail(call, 503, "Kafka: " + ErrorText.of(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.callback.failed(e);
        } catch (Exception e) {
            LOG.error("console request {} failed", call.request.getHttpURI().getPath(), e);
            fail(call, 500, "internal error");
        } finally {
            if (scanning) {
                scans.release();
            }
        }
    }

    private static void fail(Call call, int status, String message) {
        try {
            call.error(status, message);
        } catch (IOException | IllegalStateException e) {
            call.callback.failed(e); // the answer had begun: the connection ends instead
        }
    }

    /** A POST body: a JSON object whose values are strings. */
    private Map<String, String> fields(byte[] bytes) {
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
        } catch (IOException e) {
            throw new BadRequest("the body cannot be read");
        }
        return fields;
    }

    /** What Jetty itself refuses (a request too large, a malformed one) is answered as the console answers. */
    private final class JsonErrors extends ErrorHandler {
        @Override
        protected void generateResponse(Request request, Response response, int code, String message,
                                        Throwable cause, Callback callback) {
            secure(response.getHeaders());
            String text = code == 413 ? "the body is larger than " + MAX_BODY + " bytes"
                    : message == null ? "bad request" : message;
            byte[] body = json.createObjectNode().put("error", text).toString().getBytes(StandardCharsets.UTF_8);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }
}
