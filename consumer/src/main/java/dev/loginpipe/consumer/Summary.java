package dev.loginpipe.consumer;

import dev.loginpipe.common.validation.Reason;

/** The periodic log line: throughput, DLQ by reason, lag and aborts since the last line. */
final class Summary {
    private final ConsumerMetrics metrics;
    private long lastConsumed;
    private long lastAt = System.nanoTime();

    Summary(ConsumerMetrics metrics) {
        this.metrics = metrics;
    }

    synchronized String line() {
        long consumed = (long) metrics.consumed.get();
        long now = System.nanoTime();
        double rate = (consumed - lastConsumed) / Math.max(1e-9, (now - lastAt) / 1e9);
        lastConsumed = consumed;
        lastAt = now;
        StringBuilder dlq = new StringBuilder();
        long dlqTotal = 0;
        for (Reason reason : Reason.values()) {
            long n = (long) metrics.dlq.labelValues(reason.label()).get();
            dlqTotal += n;
            if (n > 0) {
                dlq.append(dlq.length() == 0 ? "" : ", ").append(reason.label()).append('=').append(n);
            }
        }
        return String.format("consumed %d (%.0f/s), output %d, DLQ %d {%s}, lag %d, transactions %d committed %d aborted",
                consumed, rate, (long) metrics.output.get(), dlqTotal, dlq, metrics.totalLag(),
                (long) metrics.committed.get(), (long) metrics.aborted.get());
    }
}
