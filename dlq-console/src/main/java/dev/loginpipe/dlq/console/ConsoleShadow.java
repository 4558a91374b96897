package dev.loginpipe.dlq.console;

import java.time.Instant;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.dlq.backtest.BacktestResult;
import dev.loginpipe.dlq.backtest.CandidateSchema;

/**
 * The console's shadow: one candidate at a time watching live traffic on a thread of its own until stopped; the page
 * polls {@link #state()}. What it saw stays on the page after it stops, until the next one starts.
 */
final class ConsoleShadow implements AutoCloseable {
    private final Config config;
    private final ObjectMapper json;

    /** What the page sees, replaced whole. */
    private record Watch(Shadow shadow, String state, String startedBy, Instant since, String error) {
    }

    private volatile Watch watch = new Watch(null, "idle", null, null, null);

    ConsoleShadow(Config config, ObjectMapper json) {
        this.config = config;
        this.json = json;
    }

    /** Starts one once {@code recordFirst} has recorded it (else nothing runs); false when one is watching already. */
    synchronized boolean start(CandidateSchema candidate, String who, Runnable recordFirst) {
        if (watch.state().equals("watching")) {
            return false;
        }
        recordFirst.run();
        Shadow shadow = new Shadow(config, candidate);
        Watch started = new Watch(shadow, "watching", who, Instant.now(), null);
        watch = started;
        Thread thread = new Thread(() -> {
            try {
                shadow.run();
                watch = new Watch(shadow, "stopped", who, started.since(), null);
            } catch (RuntimeException e) {
                watch = new Watch(shadow, "failed", who, started.since(), ErrorText.of(e));
            }
        }, "console-shadow");
        thread.setDaemon(true);
        thread.start();
        return true;
    }

    /** The candidate of the shadow watching or last watched, if it has this version and has listed this record. */
    CandidateSchema listing(String version, int partition, long offset) {
        Shadow shadow = watch.shadow();
        return shadow != null && shadow.candidate().version().equals(version)
                && shadow.result().listsRejected(partition, offset) ? shadow.candidate() : null;
    }

    /** Stops the one watching once {@code recordFirst} has recorded its version; nothing when none is watching. */
    synchronized void stop(Consumer<String> recordFirst) {
        Watch now = watch;
        if (!now.state().equals("watching")) {
            return;
        }
        recordFirst.accept(now.shadow().candidate().version());
        now.shadow().stop();
    }

    /** Stops the one watching, unrecorded: the console is closing. */
    private synchronized String stop() {
        Watch now = watch;
        if (!now.state().equals("watching")) {
            return null;
        }
        now.shadow().stop();
        return now.shadow().candidate().version();
    }

    ObjectNode state() {
        Watch now = watch;
        ObjectNode out = json.createObjectNode().put("state", now.state()).put("started_by", now.startedBy())
                .put("since", now.since() == null ? null : now.since().toString()).put("error", now.error());
        if (now.shadow() != null) {
            out.put("version", now.shadow().candidate().version()).put("started", now.shadow().started());
            BacktestResult seen = now.shadow().result();
            out.set("result", seen.json());
        }
        return out;
    }

    @Override
    public void close() {
        stop();
    }
}
