package dev.loginpipe.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.Test;

/**
 * Issue 31's first defect on a real broker: the coordinator commits a transaction, but the client is answered with an
 * error its EndTxn handler does not map (here {@link EndTxnFaultProxy} turns the answer into UNKNOWN_SERVER_ERROR, as
 * an unexpected coordinator error would). The producer is then fatal but not fenced, cannot abort, and is replaced;
 * the commit stands. The loop that rewound to its memory routed the whole transaction again.
 */
class UnknownCommitOutcomeTest {
    private static final EndTxnFaultProxy proxy = EndTxnFaultProxy.shared();
    private static final String bootstrap = proxy.bootstrapServers();

    @Test
    void aCommitTheClientSawFailButTheCoordinatorAppliedIsNotRoutedAgain() throws Exception {
        Pipeline pipeline = new Pipeline(bootstrap, 3);
        pipeline.sendMixed(6_000);
        int rewritten = proxy.rewritten();
        try (Pipeline.InProcess consumer = pipeline.start("unknown-1",
                Map.of("BATCH_MAX_RECORDS", "500", "COMMIT_INTERVAL_MS", "1000"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> consumer.metrics.committed.get() >= 1);
            proxy.failNextEndTxn(1);
            await().atMost(Duration.ofSeconds(120)).until(pipeline::groupCaughtUp);
            assertThat(consumer.stop()).isZero();
            assertThat(consumer.metrics.aborted.get()).as("transactions taken for failed").isEqualTo(1);
        }
        assertThat(proxy.rewritten()).isEqualTo(rewritten + 1);
        pipeline.assertExactlyOnce(6_000);
    }

    /**
     * The same error in the revoke callback of a cooperative rebalance, which leaves the instance the partitions it
     * keeps: a second instance joins while the first holds records in an open transaction (of up to 10 s).
     */
    @Test
    void aCommitInACooperativeRevokeThatTheClientSawFailIsNotRoutedAgain() throws Exception {
        Pipeline pipeline = new Pipeline(bootstrap, 3);
        pipeline.sendMixed(3_000);
        Map<String, String> cooperative = Map.of(
                "KAFKA_CLIENT_PARTITION_ASSIGNMENT_STRATEGY", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
                "BATCH_MAX_RECORDS", "100000", "COMMIT_INTERVAL_MS", "10000");
        try (Pipeline.InProcess first = pipeline.start("cooperative-1", cooperative)) {
            await().atMost(Duration.ofSeconds(60)).until(pipeline::groupCaughtUp);
            double commitsBefore = first.metrics.committed.get();
            pipeline.sendMixed(600);
            // lag is sampled once a second: the new records have been read into a transaction that stays open
            await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30))
                    .until(() -> lagReported(first) == 3 && first.metrics.totalLag() == 0);
            int rewritten = proxy.rewritten();
            proxy.failNextEndTxn(1);
            try (Pipeline.InProcess second = pipeline.start("cooperative-2", cooperative)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> proxy.rewritten() == rewritten + 1);
                assertThat(first.metrics.committed.get()).as("the failed commit was the revoke's").isEqualTo(commitsBefore);
                pipeline.sendMixed(400);
                await().atMost(Duration.ofSeconds(60)).until(pipeline::groupCaughtUp);
                assertThat(second.stop()).isZero();
            }
            assertThat(first.stop()).isZero();
        }
        pipeline.assertExactlyOnce(4_000);
    }

    /** Partitions whose lag the instance has reported. */
    private static long lagReported(Pipeline.InProcess instance) {
        for (MetricSnapshot metric : instance.registry.scrape()) {
            if (metric instanceof GaugeSnapshot gauge && metric.getMetadata().getName().equals("loginpipe_consumer_lag_records")) {
                return gauge.getDataPoints().size();
            }
        }
        return 0;
    }
}
