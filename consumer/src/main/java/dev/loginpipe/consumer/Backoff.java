package dev.loginpipe.consumer;

import java.util.function.BooleanSupplier;

/** Waiting after failures in a row: 0.1 s doubling to at most {@code maxMs}, cut short by a stop. */
final class Backoff {
    private final LoopClock clock;
    private final long maxMs;
    private int failuresInARow;

    Backoff(LoopClock clock, long maxMs) {
        this.clock = clock;
        this.maxMs = maxMs;
    }

    /** Counts a failure and waits for it. */
    void pause(BooleanSupplier stopping) {
        long millis = Math.min(maxMs, 100L << Math.min(failuresInARow++, 6));
        long until = clock.nanoTime() + millis * 1_000_000L;
        while (!stopping.getAsBoolean() && clock.nanoTime() < until) {
            try {
                clock.sleep(Math.min(100, millis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    void succeeded() {
        failuresInARow = 0;
    }

    boolean failing() {
        return failuresInARow > 0;
    }
}
