package dev.loginpipe.consumer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import dev.loginpipe.local.KafkaCluster;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 31 §4: on three brokers, the node leading an instance's transaction coordinator and later the node leading the
 * group coordinator crash (SIGKILL: no controlled shutdown; the controller fences the node only after
 * broker.session.timeout.ms, 9 s, without heartbeats) and come back, while three instances drain a steady mixed stream. Every record is routed exactly once, no instance exits,
 * and the test prints how long each instance's commits paused around each crash.
 */
@Tag("slow") // about 2 min: three broker JVMs, two crashes; CI runs it with -Pslow-tests
class CoordinatorFailoverTest {
    private static final List<String> INSTANCES = List.of("a", "b", "c");
    private static final Duration RECOVERY = Duration.ofSeconds(90);

    @Test
    void crashingTheTransactionAndGroupCoordinatorsNodesLosesNothingAndStopsNoInstance() throws Exception {
        try (KafkaCluster cluster = TestKafka.clusterInChildProcesses(3);
             Admin admin = TestKafka.admin(cluster.bootstrapServers())) {
            Pipeline pipeline = new Pipeline(cluster.bootstrapServers());
            Map<String, String> replicated = Map.of("min.insync.replicas", "2");
            TestKafka.createTopic(pipeline.bootstrap, pipeline.input, 6, 3, replicated);
            TestKafka.createTopic(pipeline.bootstrap, pipeline.output, 6, 3, replicated);
            TestKafka.createTopic(pipeline.bootstrap, pipeline.dlq, 1, 3, replicated);
            List<String> topics = List.of(pipeline.input, pipeline.output, pipeline.dlq, "__transaction_state",
                    "__consumer_offsets");

            SteadyStream stream = new SteadyStream(pipeline);
            Map<String, Pipeline.InProcess> instances = new ConcurrentHashMap<>();
            CommitTimeline timeline = new CommitTimeline(instances);
            long began = System.nanoTime();
            try {
                stream.start();
                INSTANCES.forEach(id -> instances.put(id, pipeline.start(id)));
                timeline.start();
                await().atMost(RECOVERY).until(() -> INSTANCES.stream()
                        .allMatch(id -> instances.get(id).metrics.consumed.get() > 500));
                assertReplicatedThreeTimesWithMinIsrTwo(admin, topics);

                int groupCoordinator = groupCoordinator(admin, pipeline.group);
                Map<String, Integer> transactionCoordinators = transactionCoordinators(admin, pipeline.group);
                // The instance whose transaction coordinator is not also the group coordinator, where there is one.
                String instance = INSTANCES.stream().filter(id -> transactionCoordinators.get(id) != groupCoordinator)
                        .findFirst().orElse(INSTANCES.get(0));
                crashAndRestart(cluster, admin, topics, timeline, transactionCoordinators.get(instance),
                        "transaction coordinator of instance " + instance + " (coordinators " + transactionCoordinators
                                + ", group's " + groupCoordinator + ")");

                int newGroupCoordinator = groupCoordinator(admin, pipeline.group);
                crashAndRestart(cluster, admin, topics, timeline, newGroupCoordinator,
                        "group coordinator (transaction coordinators now " + transactionCoordinators(admin, pipeline.group)
                                + ")");

                int total = stream.finish();
                await().atMost(RECOVERY).until(() -> INSTANCES.stream()
                        .mapToDouble(id -> instances.get(id).metrics.consumed.get()).sum() >= total);
                instances.forEach((id, in) -> assertThat(in.status).as("instance " + id + " still running").isNotDone());
                assertThat(stream.failed.get()).as("sends the producer could not deliver").isZero();
                timeline.stopSampling();
                instances.forEach((id, in) -> report("instance %s: %.0f records, %.0f transactions committed,"
                        + " %.0f aborted, %.0f rebalances; median time between commits %.2f s", id, in.metrics.consumed.get(),
                        in.metrics.committed.get(), in.metrics.aborted.get(), in.metrics.rebalances.get(),
                        timeline.medianGap(id)));
                instances.forEach((id, in) -> assertThat(in.stop()).as("instance " + id + " exit status").isZero());
                pipeline.assertExactlyOnce(total);
                report("%d records exactly once; %.0f s from the first record on", total,
                        (System.nanoTime() - began) / 1e9);
            } finally {
                stream.finish();
                timeline.stopSampling();
                instances.values().forEach(in -> {
                    if (!in.status.isDone()) {
                        in.stop();
                    }
                });
            }
        }
    }

    /**
     * Kills the node, waits until its leaderships have moved and every instance has committed since, then restarts it
     * and waits until it is back in every ISR (a second crash before that would be a double fault, not this test's).
     */
    private static void crashAndRestart(KafkaCluster cluster, Admin admin, List<String> topics, CommitTimeline timeline,
                                        int node, String role) throws Exception {
        awaitFullyReplicated(admin, topics);
        long led = partitions(admin, topics.subList(0, 3)).stream().filter(p -> p.leader().id() == node).count();
        long killedAt = System.nanoTime();
        cluster.node(node).kill();
        await().atMost(RECOVERY).until(() -> ledNowhere(admin, topics, node));
        long leadersMoved = System.nanoTime();
        await().atMost(RECOVERY).until(() -> timeline.everyInstanceCommittedAfter(leadersMoved));
        report("crash of node %d, %s, leader of %d of the pipeline's 13 partitions: leaderships moved after"
                        + " %.1f s; longest commit pause per instance %s", node, role, led,
                (leadersMoved - killedAt) / 1e9, timeline.longestPauses(killedAt, System.nanoTime()));

        long restartedAt = System.nanoTime();
        cluster.node(node).start();
        long serving = System.nanoTime();
        awaitFullyReplicated(admin, topics);
        await().atMost(RECOVERY).until(() -> timeline.everyInstanceCommittedAfter(System.nanoTime() - 1_000_000_000L));
        report("restart of node %d: serving after %.1f s, back in every ISR after %.1f s; longest commit "
                        + "pause per instance %s", node, (serving - restartedAt) / 1e9,
                (System.nanoTime() - restartedAt) / 1e9, timeline.longestPauses(restartedAt, System.nanoTime()));
    }

    /** One write per line: the clients' warnings go to the same report file and would split a printf. */
    private static void report(String format, Object... args) {
        System.out.println(String.format(format, args));
    }

    private static void assertReplicatedThreeTimesWithMinIsrTwo(Admin admin, List<String> topics) throws Exception {
        for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get().values()) {
            assertThat(topic.partitions()).as(topic.name()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
        }
        List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        for (Map.Entry<ConfigResource, Config> config : admin.describeConfigs(resources).all().get().entrySet()) {
            assertThat(config.getValue().get("min.insync.replicas").value()).as(config.getKey().name()).isEqualTo("2");
        }
    }

    private static void awaitFullyReplicated(Admin admin, List<String> topics) {
        await().atMost(RECOVERY).until(() -> partitions(admin, topics).stream().allMatch(p -> p.isr().size() == 3));
    }

    private static boolean ledNowhere(Admin admin, List<String> topics, int node) throws Exception {
        return partitions(admin, topics).stream().allMatch(p -> p.leader() != null && p.leader().id() != node);
    }

    private static List<TopicPartitionInfo> partitions(Admin admin, List<String> topics) throws Exception {
        return admin.describeTopics(topics).allTopicNames().get().values().stream()
                .flatMap(t -> t.partitions().stream()).toList();
    }

    private static int groupCoordinator(Admin admin, String group) throws Exception {
        Node coordinator = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get().coordinator();
        return coordinator.id();
    }

    /** Each instance's transaction coordinator; the consumer's transactional id is {@code <group>-<instance>}. */
    private static Map<String, Integer> transactionCoordinators(Admin admin, String group) throws Exception {
        List<String> ids = INSTANCES.stream().map(id -> group + "-" + id).toList();
        var descriptions = admin.describeTransactions(ids).all().get();
        return INSTANCES.stream().collect(Collectors.toMap(id -> id,
                id -> descriptions.get(group + "-" + id).coordinatorId(), (x, y) -> x, java.util.TreeMap::new));
    }

    /** Mixed input (every tenth record not JSON) at about 500 records a second until {@link #finish()}. */
    private static final class SteadyStream extends Thread {
        private final Pipeline pipeline;
        private final AtomicBoolean finishing = new AtomicBoolean();
        private final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();

        SteadyStream(Pipeline pipeline) {
            super("steady-stream");
            this.pipeline = pipeline;
        }

        @Override
        public void run() {
            try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(pipeline.bootstrap,
                    Map.of("enable.idempotence", "true", "delivery.timeout.ms", "120000"))) {
                for (int i = 0; !finishing.get(); i++) {
                    String value = i % 10 == 0 ? "not json " + i : Pipeline.validEvent("user-" + i);
                    producer.send(new ProducerRecord<>(pipeline.input, ("user-" + i).getBytes(UTF_8),
                            value.getBytes(UTF_8)), (md, e) -> {
                        if (e != null) {
                            failed.incrementAndGet();
                        }
                    });
                    sent.incrementAndGet();
                    if (i % 100 == 99) {
                        Thread.sleep(200); // a stream, not a backlog: every crash meets records arriving
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Stops sending; returns how many records were sent, once the producer has delivered them. */
        int finish() throws InterruptedException {
            finishing.set(true);
            join(150_000);
            return sent.get();
        }
    }

    /** When each instance's count of committed records grew, sampled every 5 ms. */
    private static final class CommitTimeline extends Thread {
        private final Map<String, Pipeline.InProcess> instances;
        private final Map<String, List<Long>> growth = new ConcurrentHashMap<>();
        private volatile boolean stopped;

        CommitTimeline(Map<String, Pipeline.InProcess> instances) {
            super("commit-timeline");
            setDaemon(true);
            this.instances = instances;
            INSTANCES.forEach(id -> growth.put(id, new CopyOnWriteArrayList<>()));
        }

        @Override
        public void run() {
            Map<String, Double> last = new ConcurrentHashMap<>();
            while (!stopped) {
                long now = System.nanoTime();
                instances.forEach((id, in) -> {
                    double count = in.metrics.consumed.get();
                    if (count > last.getOrDefault(id, 0.0)) {
                        last.put(id, count);
                        growth.get(id).add(now);
                    }
                });
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stopSampling() {
            stopped = true;
        }

        boolean everyInstanceCommittedAfter(long nanos) {
            return INSTANCES.stream().allMatch(id -> {
                List<Long> times = growth.get(id);
                return !times.isEmpty() && times.get(times.size() - 1) > nanos;
            });
        }

        /** The usual time between an instance's commits, to read the pauses against, in seconds. */
        double medianGap(String id) {
            List<Long> times = new ArrayList<>(growth.get(id));
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < times.size(); i++) {
                gaps.add(times.get(i) - times.get(i - 1));
            }
            gaps.sort(null);
            return gaps.isEmpty() ? 0 : gaps.get(gaps.size() / 2) / 1e9;
        }

        /** Per instance, the longest time without a commit among the gaps that overlap [from, to], in seconds. */
        String longestPauses(long from, long to) {
            List<String> pauses = new ArrayList<>();
            for (String id : INSTANCES) {
                List<Long> times = new ArrayList<>(growth.get(id));
                long longest = 0;
                for (int i = 1; i < times.size(); i++) {
                    if (times.get(i) > from && times.get(i - 1) < to) {
                        longest = Math.max(longest, times.get(i) - times.get(i - 1));
                    }
                }
                pauses.add(String.format("%s=%.2f s", id, longest / 1e9));
            }
            return String.join(", ", pauses);
        }
    }
}
