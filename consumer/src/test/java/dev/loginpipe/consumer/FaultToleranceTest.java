package dev.loginpipe.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import dev.loginpipe.local.KafkaCluster;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Issue 8's faults: exactly once must hold through each of them, record by record, under read_committed. */
class FaultToleranceTest {

    @Test
    void losingTheLeaderOfAnInputPartitionInAThreeBrokerClusterLosesNothing() throws Exception {
        try (KafkaCluster cluster = TestKafka.cluster(3)) {
            Pipeline pipeline = new Pipeline(cluster.bootstrapServers());
            Map<String, String> replicated = Map.of("min.insync.replicas", "2");
            TestKafka.createTopic(cluster.bootstrapServers(), pipeline.input, 3, 3, replicated);
            TestKafka.createTopic(cluster.bootstrapServers(), pipeline.output, 3, 3, replicated);
            TestKafka.createTopic(cluster.bootstrapServers(), pipeline.dlq, 1, 3, replicated);

            int total = 30_000;
            AtomicInteger failed = new AtomicInteger();
            Thread producer = new Thread(() -> produceSteadily(cluster.bootstrapServers(), pipeline.input, total, failed));
            try (Pipeline.InProcess consumer = pipeline.start("cluster-1")) {
                producer.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> consumer.metrics.consumed.get() > 3_000);
                int leader;
                try (Admin admin = TestKafka.admin(cluster.bootstrapServers())) {
                    leader = admin.describeTopics(List.of(pipeline.input)).allTopicNames().get()
                            .get(pipeline.input).partitions().get(0).leader().id();
                }
                cluster.node(leader).stop();
                await().atMost(Duration.ofSeconds(60)).until(() -> consumer.metrics.consumed.get() > 12_000);
                cluster.node(leader).start();
                producer.join(120_000);
                assertThat(failed.get()).as("sends the producer could not deliver").isZero();
                await().atMost(Duration.ofSeconds(120)).until(() -> consumer.metrics.consumed.get() >= total);
            }
            pipeline.assertExactlyOnce(total);
        }
    }

    @Test
    void aZombieConsumerIsFencedWhenItWakesUp() throws Exception {
        Pipeline pipeline = new Pipeline(TestKafka.shared().bootstrapServers(), 3);
        pipeline.sendMixed(80_000);
        Process zombie = pipeline.startProcess("zombie", Pipeline.QUICK_SESSION);
        Process survivor = pipeline.startProcess("survivor", Pipeline.QUICK_SESSION);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.routed() > 9_000);
            signal(zombie, "STOP"); // mid-batch, most likely with a transaction open
            // past the session timeout: the survivor takes every partition
            await().atMost(Duration.ofSeconds(120)).until(() -> members(pipeline).equals(Map.of("survivor", 3)));
            signal(zombie, "CONT");
            await().atMost(Duration.ofSeconds(180)).until(() -> pipeline.routed() >= 80_000);
        } finally {
            zombie.destroy();
            survivor.destroy();
            zombie.waitFor(20, TimeUnit.SECONDS);
            survivor.waitFor(20, TimeUnit.SECONDS);
        }
        pipeline.assertExactlyOnce(80_000);
    }

    @Test
    void aTwinStartedWithTheSameInstanceIdOutlivesTheZombieItReplaced() throws Exception {
        Pipeline pipeline = new Pipeline(TestKafka.shared().bootstrapServers(), 3);
        pipeline.sendMixed(60_000);
        Process zombie = pipeline.startProcess("twin", Pipeline.QUICK_SESSION);
        Process twin = null;
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.routed() > 5_500);
            signal(zombie, "STOP"); // most likely with a transaction open
            Thread.sleep(8_000);    // past the session timeout; a supervisor starts a replacement under the same id
            twin = pipeline.startProcess("twin", Pipeline.QUICK_SESSION);
            pipeline.sendMixed(20_000); // only the twin can route these
            await().atMost(Duration.ofSeconds(120)).until(() -> pipeline.routed() >= 80_000);
            signal(zombie, "CONT");
            assertThat(zombie.waitFor(60, TimeUnit.SECONDS)).as("the zombie stops once it learns it is fenced").isTrue();
            assertThat(zombie.exitValue()).isEqualTo(1);
            assertThat(twin.isAlive()).as("the twin is never fenced by the zombie").isTrue();
        } finally {
            zombie.destroyForcibly();
            if (twin != null) {
                twin.destroy();
                twin.waitFor(20, TimeUnit.SECONDS);
            }
        }
        pipeline.assertExactlyOnce(80_000);
    }

    @Test
    void aBrokerAwayLongerThanMaxBlockMsCostsRetriesNotTheProcess() {
        try (KafkaCluster cluster = TestKafka.cluster(1)) {
            Pipeline pipeline = new Pipeline(cluster.bootstrapServers(), 3);
            int total = 20_000;
            AtomicInteger failed = new AtomicInteger();
            Thread producer = new Thread(() -> produceSteadily(cluster.bootstrapServers(), pipeline.input, total, failed));
            try (Pipeline.InProcess consumer = pipeline.start("patient", Map.of("KAFKA_CLIENT_MAX_BLOCK_MS", "2000"))) {
                producer.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> consumer.metrics.consumed.get() > 3_000);
                cluster.node(1).stop();
                await().atMost(Duration.ofSeconds(30)).until(() -> !consumer.health.isReady());
                Thread.sleep(8_000); // four times max.block.ms: sends, commits and offset reads time out meanwhile
                assertThat(consumer.status).isNotDone();
                cluster.node(1).start();
                cluster.awaitReady(Duration.ofSeconds(60));
                producer.join(180_000);
                await().atMost(Duration.ofSeconds(180)).until(() -> consumer.metrics.consumed.get() >= total);
                await().atMost(Duration.ofSeconds(30)).until(consumer.health::isReady);
                assertThat(consumer.status).isNotDone();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertThat(failed.get()).as("sends the producer could not deliver").isZero();
            pipeline.assertExactlyOnce(total);
        }
    }

    @Test
    void aMissingOutputTopicMakesTheConsumerWaitNotLose() {
        Pipeline pipeline = new Pipeline(TestKafka.shared().bootstrapServers());
        TestKafka.createTopic(pipeline.bootstrap, pipeline.input, 1);
        TestKafka.createTopic(pipeline.bootstrap, pipeline.dlq, 1);
        pipeline.sendMixed(500);
        try (Pipeline.InProcess consumer = pipeline.start("waiting", Map.of("KAFKA_CLIENT_MAX_BLOCK_MS", "2000"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> consumer.metrics.aborted.get() > 0);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(consumer.health.notReadyReason())
                    .isEqualTo("topic " + pipeline.output + " does not exist (create it, e.g. with create-topics.sh)"));
            assertThat(consumer.metrics.consumed.get()).isZero();

            TestKafka.createTopic(pipeline.bootstrap, pipeline.output, 1);
            await().atMost(Duration.ofSeconds(60)).until(() -> consumer.metrics.consumed.get() >= 500);
            await().atMost(Duration.ofSeconds(10)).until(consumer.health::isReady);
        }
        pipeline.assertExactlyOnce(500);
    }

    @Test
    @Tag("slow")
    void chaosKillingARandomConsumerEveryFewSecondsLosesNothing() throws Exception {
        Pipeline pipeline = new Pipeline(TestKafka.shared().bootstrapServers(), 3);
        int chunk = 10_000;
        int total = 10 * chunk;
        pipeline.sendMixed(chunk);
        List<Process> consumers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            consumers.add(pipeline.startProcess("chaos-" + i, Pipeline.QUICK_SESSION));
        }
        Random random = new Random(7);
        int kills = 0;
        try {
            // A chunk arrives before each kill, so every kill meets records in flight however fast routing is.
            for (int sent = chunk; sent < total; sent += chunk) {
                Thread.sleep(3_000 + random.nextInt(2_000));
                pipeline.sendMixed(chunk);
                int victim = random.nextInt(3);
                consumers.get(victim).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                consumers.set(victim, pipeline.startProcess("chaos-" + victim, Pipeline.QUICK_SESSION));
                kills++;
            }
            await().atMost(Duration.ofSeconds(180)).until(() -> pipeline.routed() >= total);
        } finally {
            for (Process p : consumers) {
                p.destroy();
                p.waitFor(20, TimeUnit.SECONDS);
            }
        }
        assertThat(kills).as("consumers killed").isGreaterThanOrEqualTo(3);
        pipeline.assertExactlyOnce(total);
    }

    private static void produceSteadily(String bootstrap, String topic, int total, AtomicInteger failed) {
        try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(bootstrap,
                Map.of("enable.idempotence", "true", "delivery.timeout.ms", "120000"))) {
            for (int i = 0; i < total; i++) {
                String value = i % 10 == 0 ? "not json " + i : Pipeline.validEvent("user-" + i);
                producer.send(new ProducerRecord<>(topic, ("user-" + i).getBytes(), value.getBytes()), (md, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                    }
                });
                if (i % 1_000 == 999) {
                    Thread.sleep(250); // a steady stream, so the broker dies mid-stream
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The group's members by client id (the consumer's INSTANCE_ID), with how many partitions each holds. */
    private static Map<String, Integer> members(Pipeline pipeline) throws Exception {
        try (Admin admin = TestKafka.admin(pipeline.bootstrap)) {
            return admin.describeConsumerGroups(List.of(pipeline.group)).all().get().get(pipeline.group).members()
                    .stream().collect(Collectors.toMap(MemberDescription::clientId,
                            m -> m.assignment().topicPartitions().size(), Integer::sum));
        }
    }

    private static void signal(Process process, String signal) throws IOException, InterruptedException {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor()).isZero();
    }
}
