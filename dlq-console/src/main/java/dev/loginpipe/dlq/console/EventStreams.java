package dev.loginpipe.dlq.console;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.dlq.console.access.Principal;
import dev.loginpipe.dlq.redrive.RedriveApi;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;

/**
 * The live updates of {@code /api/events} (server-sent events): the index's size whenever it changes, the plans
 * whenever they change, and a comment now and then so proxies keep the stream open. One timer thread writes every
 * stream without blocking, so an open stream holds no thread, and a client that does not read is skipped until its
 * last write is taken. At most {@link #PER_SESSION} streams a session (or token, or proxy user) and {@link #IN_ALL}
 * in all; a stream ends when its request would no longer be its principal's as it is (signed out, removed, another
 * role).
 */
final class EventStreams implements AutoCloseable {
    static final int PER_SESSION = 4;
    static final int IN_ALL = 32;
    private static final long INTERVAL_MS = 1000;
    /** Below the server's idle timeout, so that a stream that is read is never idle. */
    private static final long HEARTBEAT_MS = 5_000;

    private final DlqIndex index;
    private final Health health;
    private final RedriveApi redrive;
    private final ObjectMapper json;
    /** Whether a request is still its principal's as it was. */
    private final Predicate<Stream> stillFor;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "console-events");
        t.setDaemon(true);
        return t;
    });
    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> perSession = new ConcurrentHashMap<>();

    EventStreams(DlqIndex index, Health health, RedriveApi redrive, ObjectMapper json, Predicate<Stream> stillFor) {
        this.index = index;
        this.health = health;
        this.redrive = redrive;
        this.json = json;
        this.stillFor = stillFor;
    }

    /** A stream and who opened it. */
    final class Stream {
        final Request request;
        final Principal principal;
        private final Call call;
        private final String session;
        private final AtomicBoolean writing = new AtomicBoolean();
        private final AtomicBoolean ended = new AtomicBoolean();
        private ScheduledFuture<?> ticks;
        private String lastIndex;
        private String lastPlans;
        private long lastWrite;

        private Stream(Call call, String session) {
            this.call = call;
            this.request = call.request;
            this.principal = call.principal;
            this.session = session;
        }

        private void tick() {
            if (ended.get()) {
                ticks.cancel(false);
                return;
            }
            if (!stillFor.test(this)) {
                end();
                return;
            }
            if (!writing.compareAndSet(false, true)) {
                return; // the client has not taken the last write yet
            }
            StringBuilder out = new StringBuilder();
            String event = json.createObjectNode().put("total", index.size()).put("ready", health.isReady())
                    .put("added", index.added()).toString();
            var planState = redrive.plans();
            String plans = planState == null ? json.createObjectNode().put("error", redrive.unavailable()).toString()
                    : planState.toString();
            long now = System.currentTimeMillis();
            if (!plans.equals(lastPlans)) {
                out.append("event: plans\ndata: ").append(plans).append("\n\n");
                lastPlans = plans;
            }
            if (!event.equals(lastIndex)) {
                out.append("event: index\ndata: ").append(event).append("\n\n");
                lastIndex = event;
            } else if (out.isEmpty() && now - lastWrite >= HEARTBEAT_MS) {
                out.append(": still here\n\n");
            }
            if (out.isEmpty()) {
                writing.set(false);
                return;
            }
            lastWrite = now;
            call.response.write(false, ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.UTF_8)),
                    Callback.from(() -> writing.set(false), failure -> end()));
        }

        private void end() {
            if (ended.compareAndSet(false, true)) {
                if (ticks != null) {
                    ticks.cancel(false);
                }
                open.remove(this);
                perSession.computeIfPresent(session, (k, n) -> n <= 1 ? null : n - 1);
                call.callback.succeeded();
            }
        }
    }

    /** Opens a stream for {@code call}, or answers 503 when its session or the console has as many as it may. */
    void open(Call call) throws IOException {
        String session = sessionKey(call);
        Stream stream;
        synchronized (this) {
            if (open.size() >= IN_ALL) {
                call.error(503, "too many open event streams (" + IN_ALL + " in all)");
                return;
            }
            if (perSession.getOrDefault(session, 0) >= PER_SESSION) {
                call.error(503, "too many open event streams for this session (" + PER_SESSION + ")");
                return;
            }
            perSession.merge(session, 1, Integer::sum);
            stream = new Stream(call, session);
            open.add(stream);
        }
        call.response.setStatus(200);
        call.response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        // The first tick writes both events at once, and with them the headers.
        stream.ticks = timer.scheduleWithFixedDelay(stream::tick, 0, INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /** The session cookie's id, or for the token and proxied users (no session) the principal's name. */
    private static String sessionKey(Call call) {
        String id = Guard.sessionId(call.request.getHeaders());
        return id != null ? "session " + id : "name " + call.principal.name();
    }

    @Override
    public void close() {
        open.forEach(Stream::end);
        timer.shutdownNow();
    }
}
