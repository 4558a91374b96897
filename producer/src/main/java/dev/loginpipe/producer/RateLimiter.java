package dev.loginpipe.producer;

import java.util.concurrent.TimeUnit;

/**
 * Paces sends to a steady number per second. It keeps a schedule rather than sleeping a fixed gap, so time spent
 * sending is not added on top; after a stall it does not burst to catch up more than one second's worth.
 */
public final class RateLimiter {
    private final long intervalNanos;
    private long nextSlot = System.nanoTime();

    /** {@code perSecond} 0 means no limit. */
    public RateLimiter(int perSecond) {
        this.intervalNanos = perSecond == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / perSecond;
    }

    /** Waits until the next send is due. */
    public void acquire() throws InterruptedException {
        if (intervalNanos == 0) {
            return;
        }
        long now = System.nanoTime();
        nextSlot = Math.max(nextSlot, now - TimeUnit.SECONDS.toNanos(1)) + intervalNanos;
        long wait = nextSlot - now;
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
