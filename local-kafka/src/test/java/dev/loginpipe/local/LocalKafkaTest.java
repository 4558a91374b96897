package dev.loginpipe.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class LocalKafkaTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void committedTransactionsAreVisibleAndAbortedOnesAreNot() throws Exception {
        String bootstrap = TestKafka.shared().bootstrapServers();
        String topic = TestKafka.uniqueName("roundtrip");
        TestKafka.createTopic(bootstrap, topic, 3);

        try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(bootstrap,
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TestKafka.uniqueName("tx")))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, bytes("k1"), bytes("committed-1")));
            producer.send(new ProducerRecord<>(topic, bytes("k2"), bytes("committed-2")));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, bytes("k3"), bytes("aborted"))).get();
            producer.abortTransaction();
        }

        List<ConsumerRecord<byte[], byte[]>> records =
                TestKafka.readCommitted(bootstrap, topic, 2, Duration.ofSeconds(30));
        assertThat(records).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("committed-1", "committed-2");
    }

    @Test
    void aStoppedNodeOfAThreeNodeClusterComesBackWithItsData() throws Exception {
        try (KafkaCluster cluster = TestKafka.cluster(3)) {
            String topic = TestKafka.uniqueName("replicated");
            TestKafka.createTopic(cluster.bootstrapServers(), topic, 1, 3, Map.of("min.insync.replicas", "2"));
            try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(cluster.bootstrapServers(), Map.of())) {
                producer.send(new ProducerRecord<>(topic, bytes("before"))).get();
                cluster.node(2).stop();
                producer.send(new ProducerRecord<>(topic, bytes("during"))).get();
                cluster.node(2).start();
                cluster.awaitReady(Duration.ofSeconds(60));
                cluster.node(1).stop();
                producer.send(new ProducerRecord<>(topic, bytes("after"))).get();
            }
            assertThat(TestKafka.readCommitted(cluster.bootstrapServers(), topic, 3, Duration.ofSeconds(30)))
                    .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactly("before", "during", "after");

            // The last node left has no controller quorum to approve its controlled shutdown: Kafka would wait 5
            // minutes for it (a test run once lost them so), the cluster's close gives it 15 s.
            cluster.node(3).stop();
            long start = System.nanoTime();
            cluster.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
        }
    }

    @Test
    void aKilledNodeLeavesItsLogsUncleanAndComesBackWithItsAcknowledgedRecords() throws Exception {
        // Kafka writes this marker only when it closes its logs in a clean shutdown, and removes it on start.
        String cleanShutdownMarker = ".kafka_cleanshutdown";
        try (KafkaCluster cluster = TestKafka.clusterInChildProcesses(1)) {
            KafkaNode node = cluster.node(1);
            String topic = TestKafka.uniqueName("killed");
            TestKafka.createTopic(cluster.bootstrapServers(), topic, 1);
            try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(cluster.bootstrapServers(), Map.of())) {
                producer.send(new ProducerRecord<>(topic, bytes("before the kill"))).get();
            }
            node.kill();
            assertThat(node.isRunning()).isFalse();
            assertThat(node.dataDir().resolve(cleanShutdownMarker)).doesNotExist();
            node.start();
            cluster.awaitReady(Duration.ofSeconds(60));
            assertThat(TestKafka.readCommitted(cluster.bootstrapServers(), topic, 1, Duration.ofSeconds(30)))
                    .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactly("before the kill");
            node.stop();
            assertThat(node.dataDir().resolve(cleanShutdownMarker)).exists();
        }
    }

    @Test
    void aBrokerStartedAgainOnItsDataDirectoryKeepsItsTopicsAndRecords(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String topic = TestKafka.uniqueName("kept");
        try (KafkaCluster first = KafkaCluster.create(1, dir, List.of(), List.of(), Map.of()).start(Duration.ofSeconds(120))) {
            TestKafka.createTopic(first.bootstrapServers(), topic, 1);
            try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(first.bootstrapServers(), Map.of())) {
                producer.send(new ProducerRecord<>(topic, bytes("survives a restart"))).get();
            }
        }
        // A new process, as `java -jar local-kafka.jar` run again: same directory, nothing else shared.
        try (KafkaCluster second = KafkaCluster.create(1, dir, List.of(), List.of(), Map.of()).start(Duration.ofSeconds(120))) {
            assertThat(TestKafka.readCommitted(second.bootstrapServers(), topic, 1, Duration.ofSeconds(30)))
                    .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactly("survives a restart");
        }
    }
}
