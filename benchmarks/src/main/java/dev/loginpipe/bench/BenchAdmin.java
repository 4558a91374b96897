package dev.loginpipe.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** The harness's view of the broker: creates and deletes topics, reads end offsets and a group's committed offsets. */
final class BenchAdmin implements AutoCloseable {
    static final int PARTITIONS = 3;
    private static final long LEADER_WAIT_MS = 20;

    private final Admin admin;

    BenchAdmin(String bootstrap) {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    void create(String... topics) throws ExecutionException, InterruptedException {
        List<NewTopic> created = java.util.Arrays.stream(topics)
                .map(t -> new NewTopic(t, PARTITIONS, (short) 1)).toList();
        admin.createTopics(created).all().get();
        awaitLeaders(List.of(topics));
    }

    /** A just-created topic's partitions get their leader a moment later; writes before that are retried noisily. */
    private void awaitLeaders(List<String> topics) throws ExecutionException, InterruptedException {
        while (true) {
            try {
                boolean led = admin.describeTopics(topics).allTopicNames().get().values().stream()
                        .flatMap(t -> t.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (led) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            Thread.sleep(LEADER_WAIT_MS);
        }
    }

    Map<TopicPartition, Long> endOffsets(String topic) throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return admin.listOffsets(latest).all().get().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /** How many of the input's records the group's committed offsets cover (0 before its first commit). */
    long committedRecords(String group, Map<TopicPartition, Long> end) throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        long sum = 0;
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            OffsetAndMetadata offset = committed.get(e.getKey());
            sum += offset == null ? 0 : Math.min(offset.offset(), e.getValue());
        }
        return sum;
    }

    /** Deletes a run's topics once measured and checked, so a long bench does not fill the disk. */
    /** Deletes the topics and gives the broker a moment to remove their files before anything else is measured. */
    void delete(String... topics) throws ExecutionException, InterruptedException {
        admin.deleteTopics(List.of(topics)).all().get();
        Thread.sleep(2_000);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
