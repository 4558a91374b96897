package dev.loginpipe.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.loginpipe.local.KafkaCluster;
import dev.loginpipe.local.TestKafka;
import org.junit.jupiter.api.Test;

/** Every input record lands exactly once in output ∪ DLQ, whatever happens to consumers and brokers. */
class ExactlyOnceTest {

    @Test
    void threeInstancesJoiningAndLeavingMidStreamRouteEveryRecordOnce() {
        Pipeline pipeline = new Pipeline(TestKafka.shared().bootstrapServers(), 3);
        pipeline.sendMixed(30_000);
        try (Pipeline.InProcess first = pipeline.start("c-1")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> first.metrics.consumed.get() > 3_000);
            try (Pipeline.InProcess second = pipeline.start("c-2"); Pipeline.InProcess third = pipeline.start("c-3")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> third.metrics.consumed.get() > 0
                        || first.metrics.consumed.get() + second.metrics.consumed.get() >= 30_000);
                assertThat(second.stop()).isZero(); // a rebalance mid-stream
                await().atMost(Duration.ofSeconds(120)).until(() ->
                        first.metrics.consumed.get() + second.metrics.consumed.get() + third.metrics.consumed.get() >= 30_000);
            }
        }
        pipeline.assertExactlyOnce(30_000);
        assertThat(pipeline.readDlq(3_000)).hasSize(3_000);
    }

    @Test
    void aConsumerKilledMidBatchIsRestartedWithoutLossOrDuplicates() throws Exception {
        Pipeline pipeline = new Pipeline(TestKafka.shared().bootstrapServers(), 3);
        pipeline.sendMixed(60_000);
        Process victim = pipeline.startProcess("killed", Pipeline.QUICK_SESSION);
        await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.routed() > 5_500);
        victim.destroyForcibly(); // SIGKILL: its open transaction is left for the broker to abort
        assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(victim.exitValue()).isEqualTo(137);

        Process restarted = pipeline.startProcess("killed", Pipeline.QUICK_SESSION);
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> pipeline.routed() >= 60_000);
        } finally {
            restarted.destroy();
            restarted.waitFor(20, TimeUnit.SECONDS);
        }
        pipeline.assertExactlyOnce(60_000);
    }

    @Test
    void aBrokerRestartMidStreamCostsRetriesButNoRecordAndNothingIsDeadLettered() {
        try (KafkaCluster cluster = TestKafka.cluster(1)) {
            Pipeline pipeline = new Pipeline(cluster.bootstrapServers(), 3);
            pipeline.sendMixed(40_000);
            try (Pipeline.InProcess consumer = pipeline.start("survivor")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> consumer.metrics.consumed.get() > 5_000);
                cluster.node(1).stop();
                await().atMost(Duration.ofSeconds(30)).until(() -> !consumer.health.isReady());
                cluster.node(1).start();
                cluster.awaitReady(Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(180)).until(() -> consumer.metrics.consumed.get() >= 40_000);
                await().atMost(Duration.ofSeconds(30)).until(consumer.health::isReady);
            }
            pipeline.assertExactlyOnce(40_000);
            assertThat(pipeline.readDlq(4_000)).as("only the invalid tenth is dead-lettered").hasSize(4_000);
        }
    }

    @Test
    void sigtermFinishesTheBatchInHandAndExitsZero() throws Exception {
        Pipeline pipeline = new Pipeline(TestKafka.shared().bootstrapServers(), 3);
        pipeline.sendMixed(50_000);
        Process consumer = pipeline.startProcess("terminated", Map.of());
        await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.routed() > 2_200);
        long before = System.nanoTime();
        consumer.destroy(); // SIGTERM
        assertThat(consumer.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(consumer.exitValue()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));

        try (Pipeline.InProcess rest = pipeline.start("after")) {
            await().atMost(Duration.ofSeconds(120)).until(() -> pipeline.routed() >= 50_000);
        }
        pipeline.assertExactlyOnce(50_000);
    }
}
