package dev.loginpipe.common.observability;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;

/** One INFO line every {@code LOG_SUMMARY_SECONDS}, for people without Prometheus. */
public final class PeriodicSummary implements AutoCloseable {
    private final ScheduledExecutorService scheduler;

    private PeriodicSummary(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /** Logs {@code line.get()} every {@code seconds}; 0 logs nothing. */
    public static PeriodicSummary start(Logger log, int seconds, Supplier<String> line) {
        if (seconds <= 0) {
            return new PeriodicSummary(null);
        }
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "summary");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleAtFixedRate(() -> {
            try {
                log.info(line.get());
            } catch (RuntimeException e) {
                log.debug("summary failed", e);
            }
        }, seconds, seconds, TimeUnit.SECONDS);
        return new PeriodicSummary(scheduler);
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
