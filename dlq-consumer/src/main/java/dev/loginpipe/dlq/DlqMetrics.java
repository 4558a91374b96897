package dev.loginpipe.dlq;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** What {@code watch} exports about the records arriving in the DLQ. */
final class DlqMetrics {
    private final Counter seen;
    private final Counter replayed;
    private final Counter skipped;
    private final int maxReplays;

    DlqMetrics(PrometheusRegistry registry, int maxReplays) {
        this.maxReplays = maxReplays;
        this.seen = Counter.builder().name("loginpipe_dlq_records_seen_total")
                .help("DLQ records seen by watch, by error.reason (unknown: a record without our headers).")
                .labelNames("reason").register(registry);
        this.replayed = Counter.builder().name("loginpipe_dlq_records_replayed_total")
                .help("DLQ records seen by watch that had been replayed before (replay.count >= 1): replays that "
                        + "failed again.").register(registry);
        this.skipped = Counter.builder().name("loginpipe_dlq_records_skipped_total")
                .help("DLQ records seen by watch that replay will skip: why=max-replays (replayed MAX_REPLAYS times) "
                        + "or why=truncated (value cut to fit the DLQ).")
                .labelNames("why").register(registry);
    }

    void seen(DlqRecord record) {
        seen.labelValues(record.reason()).inc();
        if (record.replayCount() > 0) {
            replayed.inc();
        }
        if (record.truncated()) {
            skipped.labelValues("truncated").inc();
        } else if (record.replayCount() >= maxReplays) {
            skipped.labelValues("max-replays").inc();
        }
    }
}
