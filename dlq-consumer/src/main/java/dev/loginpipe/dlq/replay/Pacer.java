package dev.loginpipe.dlq.replay;

import org.apache.kafka.common.errors.InterruptException;

/**
 * Keeps a replay under its rate: transactions of about 200 ms worth of records, each started only once the
 * previous one's records are paid for at the rate. A pause earns no credit, so no burst follows it.
 */
final class Pacer {
    private static final double TRANSACTIONS_PER_SECOND = 5;

    private final double perSecond;
    private long notBeforeNanos = Long.MIN_VALUE;

    Pacer(double perSecond) {
        this.perSecond = perSecond;
    }

    /** Most records to publish in the next transaction. */
    int budget() {
        return perSecond > 0 ? (int) Math.max(1, Math.ceil(perSecond / TRANSACTIONS_PER_SECOND)) : Integer.MAX_VALUE;
    }

    /** Waits until {@code records} more may be published. */
    void await(int records) {
        if (perSecond <= 0) {
            return;
        }
        long now = System.nanoTime();
        if (notBeforeNanos != Long.MIN_VALUE && notBeforeNanos - now > 0) {
            try {
                Thread.sleep((notBeforeNanos - now) / 1_000_000, (int) ((notBeforeNanos - now) % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptException(e);
            }
            now = notBeforeNanos;
        }
        notBeforeNanos = now + (long) (records / perSecond * 1e9);
    }
}
