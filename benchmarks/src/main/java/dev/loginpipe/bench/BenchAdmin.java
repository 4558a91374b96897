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

/** The harness's view of the broker: creates topics and watches a group's committed offsets catch up. */
final class BenchAdmin implements AutoCloseable {
    static final int PARTITIONS = 3;
    private static final long WATCH_INTERVAL_MS = 20;

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
            Thread.sleep(WATCH_INTERVAL_MS);
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

    /**
     * When the group committed its first offsets and when its commits covered {@code end}: the routing rate is
     * measured between the two, leaving out JVM start and group join.
     */
    record Progress(long startedNanos, long firstCommitNanos, long committedAtFirst, long doneNanos, long total) {
        double recordsPerSecond() {
            if (doneNanos == firstCommitNanos) {
                return total / secondsFromStart(); // all of it in the first commit we saw: no window to time
            }
            return (total - committedAtFirst) / ((doneNanos - firstCommitNanos) / 1e9);
        }

        double secondsFromStart() {
            return (doneNanos - startedNanos) / 1e9;
        }
    }

    Progress awaitCommitted(String group, Map<TopicPartition, Long> end, long startedNanos, Duration timeout)
            throws ExecutionException, InterruptedException {
        long total = end.values().stream().mapToLong(Long::longValue).sum();
        long deadline = System.nanoTime() + timeout.toNanos();
        long firstCommitNanos = -1;
        long committedAtFirst = 0;
        while (System.nanoTime() < deadline) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            long now = System.nanoTime();
            long sum = 0;
            boolean covered = true;
            for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                OffsetAndMetadata offset = committed.get(e.getKey());
                long at = offset == null ? 0 : offset.offset();
                sum += at;
                covered &= at >= e.getValue();
            }
            if (sum > 0 && firstCommitNanos < 0) {
                firstCommitNanos = now;
                committedAtFirst = sum;
            }
            if (covered) {
                return new Progress(startedNanos, firstCommitNanos, committedAtFirst, now, total);
            }
            Thread.sleep(WATCH_INTERVAL_MS);
        }
        throw new IllegalStateException("group " + group + " did not commit all " + total + " records within " + timeout);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
