package dev.loginpipe.dlq.console;

import java.util.function.Consumer;

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
    /** What the page sees, replaced whole so that a reader never mixes two moments of one run. */
    private record Run(Backtest backtest, String state, String startedBy, CandidateSchema candidate,
                       BacktestResult result, String error, long readAtEnd) {
        Run ended(String endState, BacktestResult done, String why) {
            return new Run(null, endState, startedBy, candidate, done, why, backtest.read());
        }
    }

    private volatile Run run = new Run(null, "idle", null, null, null, null, 0);
    private volatile boolean cancel;

    ConsoleBacktest(Config config, ObjectMapper json) {
        this.config = config;
        this.json = json;
    }

    /**
     * Starts one once {@code recordFirst} has recorded it (what it throws, it throws, and nothing runs); false when
     * one is running already.
     */
    synchronized boolean start(CandidateSchema candidate, long outputRecords, String who, Runnable recordFirst) {
        if (run.backtest() != null) {
            return false;
        }
        recordFirst.run();
        Backtest backtest = new Backtest(config, candidate);
        Run started = new Run(backtest, "running", who, candidate, null, null, 0);
        cancel = false;
        run = started;
        thread.execute(() -> {
            try {
                run = started.ended("done", backtest.run(outputRecords, () -> cancel), null);
            } catch (Backtest.Cancelled e) {
                run = started.ended("cancelled", null, null);
            } catch (RuntimeException e) {
                run = started.ended("failed", null, ErrorText.of(e));
            }
        });
        return true;
    }

    /** The candidate of the last backtest, if it has this version and its result lists this output record. */
    CandidateSchema listing(String version, int partition, long offset) {
        Run now = run;
        CandidateSchema candidate = now.candidate();
        return candidate != null && candidate.version().equals(version) && now.result() != null
                && now.result().listsRejected(partition, offset) ? candidate : null;
    }

    /** Cancels the one running, once {@code recordFirst} has recorded its version; nothing when none runs. */
    synchronized void cancel(Consumer<String> recordFirst) {
        if (run.backtest() != null && run.state().equals("running")) {
            recordFirst.accept(run.candidate().version());
            cancel = true;
        }
    }

    ObjectNode state() {
        Run now = run;
        BacktestResult done = now.result();
        long read = now.backtest() != null ? now.backtest().read() : now.readAtEnd();
        ObjectNode out = json.createObjectNode().put("state", now.state()).put("started_by", now.startedBy())
                .put("version", now.candidate() == null ? null : now.candidate().version()).put("read", read)
                .put("error", now.error());
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
