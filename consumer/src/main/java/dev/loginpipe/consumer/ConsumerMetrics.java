package dev.loginpipe.consumer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.loginpipe.common.schema.SchemaVersion;
import dev.loginpipe.common.schema.UnusableSchema;
import dev.loginpipe.common.validation.Reason;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import org.apache.kafka.common.TopicPartition;

/** The validating consumer's Prometheus series; labels stay low-cardinality (reason, topic, partition). */
final class ConsumerMetrics {
    final Counter consumed;
    final Counter output;
    final Counter dlq;
    final Counter committed;
    final Counter aborted;
    final Counter rebalances;
    final Histogram batchRecords;
    final Histogram batchSeconds;
    final Histogram endToEndSeconds;
    final Counter shadowRecords;
    final Counter shadowDisagreements;
    private final Gauge lag;
    private final Info schema;
    private final Counter schemaSwitches;
    private final Gauge schemaRefreshError;
    private final Gauge handoverWaiting;
    private final Map<TopicPartition, Long> lagByPartition = new ConcurrentHashMap<>();

    ConsumerMetrics(PrometheusRegistry registry) {
        consumed = Counter.builder().name("loginpipe_records_consumed_total")
                .help("Input records read and routed (committed or not yet).").register(registry);
        output = Counter.builder().name("loginpipe_output_records_total")
                .help("Valid events forwarded to the output topic in committed transactions.").register(registry);
        dlq = Counter.builder().name("loginpipe_dlq_records_total")
                .help("Records routed to the dead letter queue in committed transactions, by reason.")
                .labelNames("reason").register(registry);
        for (Reason reason : Reason.values()) {
            dlq.labelValues(reason.label()); // every reason shows from the start, at 0
        }
        committed = Counter.builder().name("loginpipe_transactions_committed_total")
                .help("Kafka transactions committed (each holds one batch and its offsets).").register(registry);
        aborted = Counter.builder().name("loginpipe_transactions_aborted_total")
                .help("Kafka transactions aborted after an error; their batches are retried.").register(registry);
        rebalances = Counter.builder().name("loginpipe_rebalances_total")
                .help("Partition assignments received from the consumer group.").register(registry);
        batchRecords = Histogram.builder().name("loginpipe_batch_records")
                .help("Records per committed transaction.")
                .classicUpperBounds(1, 10, 50, 100, 250, 500, 1000, 2000, 5000, 10000).register(registry);
        batchSeconds = Histogram.builder().name("loginpipe_batch_duration_seconds").unit(Unit.SECONDS)
                .help("Time to route one batch and commit its transaction.")
                .classicUpperBounds(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10).register(registry);
        endToEndSeconds = Histogram.builder().name("loginpipe_end_to_end_latency_seconds").unit(Unit.SECONDS)
                .help("Commit time of a routed record minus its input timestamp.")
                .classicUpperBounds(.005, .01, .025, .05, .1, .2, .5, 1, 2.5, 5, 10, 30, 60)
                // Observed once per record: exemplar sampling cost about 3% of the routing thread, and the native
                // histogram kept beside the classic buckets (which the dashboards read) doubled observe (60 -> 27 ns).
                .classicOnly()
                .withoutExemplars()
                .register(registry);
        lag = Gauge.builder().name("loginpipe_consumer_lag_records")
                .help("Records in an assigned input partition not yet consumed by this instance.")
                .labelNames("topic", "partition").register(registry);
        schema = Info.builder().name("loginpipe_schema_info")
                .help("The schema version that judges this instance's transactions from the next one on; id is "
                        + "empty for a file.").labelNames("version", "id").register(registry);
        schemaSwitches = Counter.builder().name("loginpipe_schema_switches_total")
                .help("New schema versions taken up while running (the first one loaded is not counted).")
                .register(registry);
        schemaRefreshError = Gauge.builder().name("loginpipe_schema_refresh_error")
                .help("1 for the reason the last schema refresh found no usable candidate; all 0 when it succeeded.")
                .labelNames("reason").register(registry);
        schemaRefreshed();
        handoverWaiting = Gauge.builder().name("loginpipe_schema_handover_waiting")
                .help("1 for an assigned input partition paused until the schema source answers: its last records were "
                        + "judged by a version this instance has not run (the reason: loginpipe_schema_refresh_error).")
                .labelNames("topic", "partition").register(registry);
        shadowRecords = Counter.builder().name("loginpipe_shadow_records_total")
                .help("Records judged by the candidate schema (SCHEMA_CANDIDATE) beside the active one; 0 without one.")
                .register(registry);
        shadowDisagreements = Counter.builder().name("loginpipe_shadow_disagreements_total")
                .help("Records the candidate schema judges otherwise than the active one: would_reject (valid now) "
                        + "by the candidate's signature, would_accept (dead-lettered now) by the active one's.")
                .labelNames("direction", "signature", "label").register(registry);
    }

    void schemaActive(SchemaVersion version, boolean switched) {
        schema.setLabelValues(version.version(), version.id() == null ? "" : version.id());
        if (switched) {
            schemaSwitches.inc();
        }
    }

    void schemaRefreshed() {
        for (UnusableSchema.Reason reason : UnusableSchema.Reason.values()) {
            schemaRefreshError.labelValues(reason.label).set(0);
        }
    }

    void schemaRefreshFailed(UnusableSchema.Reason failure) {
        for (UnusableSchema.Reason reason : UnusableSchema.Reason.values()) {
            schemaRefreshError.labelValues(reason.label).set(reason == failure ? 1 : 0);
        }
    }

    void waitsForSchema(TopicPartition tp, boolean waits) {
        if (waits) {
            handoverWaiting.labelValues(tp.topic(), Integer.toString(tp.partition())).set(1);
        } else {
            handoverWaiting.remove(tp.topic(), Integer.toString(tp.partition()));
        }
    }

    void lag(TopicPartition tp, long records) {
        lagByPartition.put(tp, records);
        lag.labelValues(tp.topic(), Integer.toString(tp.partition())).set(records);
    }

    void unassigned(TopicPartition tp) {
        lagByPartition.remove(tp);
        lag.remove(tp.topic(), Integer.toString(tp.partition()));
    }

    long totalLag() {
        return lagByPartition.values().stream().mapToLong(Long::longValue).sum();
    }
}
