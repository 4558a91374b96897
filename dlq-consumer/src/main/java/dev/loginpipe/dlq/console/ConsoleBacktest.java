package dev.loginpipe.dlq.console;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.dlq.backtest.Backtest;
import dev.loginpipe.dlq.backtest.BacktestResult;
import dev.loginpipe.dlq.backtest.CandidateSchema;

/**
 * The console's backtest: one at a time, on a thread of its own, with its progress, its result and a cancel; the
 * page polls {@link #state()}. The same engine as {@code dlq-consumer.jar backtest}.
 */
final class ConsoleBacktest implements AutoCloseable {
    private final Config config;
    private final ObjectMapper json;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "console-backtest");
        t.setDaemon(true);
        return t;
    });
    private volatile Backtest running;
    private volatile boolean cancel;
    private volatile String state = "idle";
    private volatile String startedBy;
    private volatile String version;
    private volatile BacktestResult result;
    private volatile String error;

    ConsoleBacktest(Config config, ObjectMapper json) {
        this.config = config;
        this.json = json;
    }

    /** Starts one; false when one is running already. */
    synchronized boolean start(CandidateSchema candidate, long outputRecords, String who) {
        if (running != null) {
            return false;
        }
        Backtest backtest = new Backtest(config, candidate);
        running = backtest;
        cancel = false;
        state = "running";
        startedBy = who;
        version = candidate.version();
        result = null;
        error = null;
        thread.execute(() -> {
            try {
                result = backtest.run(outputRecords, () -> cancel);
                state = "done";
            } catch (Backtest.Cancelled e) {
                state = "cancelled";
            } catch (RuntimeException e) {
                error = ErrorText.of(e);
                state = "failed";
            } finally {
                running = null;
            }
        });
        return true;
    }

    void cancel() {
        cancel = true;
    }

    ObjectNode state() {
        Backtest backtest = running;
        BacktestResult done = result;
        ObjectNode out = json.createObjectNode().put("state", state).put("started_by", startedBy).put("version", version)
                .put("read", backtest != null ? backtest.read() : done != null ? done.outputRead() + done.dlqRead() : 0)
                .put("error", error);
        if (done != null) {
            out.set("result", done.json());
        }
        return out;
    }

    @Override
    public void close() {
        cancel = true;
        thread.shutdownNow();
    }
}
