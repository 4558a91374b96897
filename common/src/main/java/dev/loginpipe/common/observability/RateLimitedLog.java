package dev.loginpipe.common.observability;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;

/**
 * Warnings that repeat while a condition lasts (an unreachable broker, a retried transaction) are logged at most once
 * per interval for each key, with the count of those left out, so a long outage is a few lines, not a flood.
 */
public final class RateLimitedLog {
    private final Logger log;
    private final long intervalNanos;
    private final Map<String, long[]> lastAndSuppressed = new ConcurrentHashMap<>();

    public RateLimitedLog(Logger log, long intervalMillis) {
        this.log = log;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    public void warn(String key, String message) {
        long now = System.nanoTime();
        long[] state = lastAndSuppressed.computeIfAbsent(key, k -> new long[] {now - intervalNanos, 0});
        synchronized (state) {
            if (now - state[0] < intervalNanos) {
                state[1]++;
                return;
            }
            long suppressed = state[1];
            state[0] = now;
            state[1] = 0;
            log.warn(suppressed == 0 ? message : message + " (" + suppressed + " similar warnings not shown)");
        }
    }
}
