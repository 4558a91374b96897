package dev.loginpipe.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Assumptions;

/**
 * Real Kafka for tests. {@link #shared()} is one single-node broker per test JVM (tests use their own topic
 * names); {@link #cluster(int)} starts a fresh cluster that the test closes, for tests that stop brokers, and
 * {@link #clusterInChildProcesses(int)} one whose brokers can be killed.
 * <p>
 * The shared broker runs in this JVM, or with {@code -Dloginpipe.broker=container} on an Apache Kafka container
 * (Testcontainers; the tests are skipped, with the reason, where no Docker engine answers). Clusters stay in this
 * JVM: tests that stop and restart their nodes are skipped in a container run.
 */
public final class TestKafka {
    /** The system property that chooses the shared broker: {@value #IN_JVM} (the default) or {@value #CONTAINER}. */
    public static final String BROKER_PROPERTY = "loginpipe.broker";
    static final String IN_JVM = "in-jvm";
    static final String CONTAINER = "container";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static Broker shared;

    private TestKafka() {
    }

    public static synchronized Broker shared() {
        if (shared == null) {
            shared = onContainer() ? KafkaContainerBroker.start(START_TIMEOUT) : inJvm();
        }
        return shared;
    }

    private static Broker inJvm() {
        KafkaCluster cluster = KafkaCluster.createTemporary(1, Map.of()).start(START_TIMEOUT);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
        return cluster::bootstrapServers;
    }

    public static KafkaCluster cluster(int size) {
        return cluster(size, Map.of());
    }

    public static KafkaCluster cluster(int size, Map<String, String> brokerSettings) {
        assumeInJvm();
        return KafkaCluster.createTemporary(size, brokerSettings).start(START_TIMEOUT);
    }

    /** A fresh cluster, each node in a child JVM so that the test can {@link KafkaNode#kill()} one; the test closes it. */
    public static KafkaCluster clusterInChildProcesses(int size) {
        assumeInJvm();
        return KafkaCluster.createTemporaryInChildProcesses(size, Map.of()).start(START_TIMEOUT);
    }

    /** A fresh single-node broker with a SASL_SSL client listener and ACLs enforced, that the test closes. */
    public static KafkaCluster secured(SaslSslListener security) {
        assumeInJvm();
        return KafkaCluster.createTemporary(1, Map.of(), security).start(START_TIMEOUT);
    }

    /** Whether the shared broker is a container; a misspelt choice fails rather than silently testing in-JVM. */
    static boolean onContainer() {
        String choice = System.getProperty(BROKER_PROPERTY, IN_JVM);
        if (!choice.equals(IN_JVM) && !choice.equals(CONTAINER)) {
            throw new IllegalArgumentException(BROKER_PROPERTY + "=" + choice + ": expected " + IN_JVM + " or "
                    + CONTAINER);
        }
        if (choice.equals(CONTAINER) && !onClasspath("org.testcontainers.kafka.KafkaContainer")) {
            Assumptions.abort(BROKER_PROPERTY + "=" + CONTAINER + " needs Testcontainers on the test classpath: "
                    + "run the container tests with mvn -B verify -Pdocker (module docker-tests)");
        }
        return choice.equals(CONTAINER);
    }

    /** Tests with brokers of their own stop and restart them: that is done in this JVM only. */
    private static void assumeInJvm() {
        if (onContainer()) {
            Assumptions.abort("starts, stops or secures brokers of its own: runs on the in-JVM broker only "
                    + "(mvn -B verify, without -D" + BROKER_PROPERTY + "=" + CONTAINER + ")");
        }
    }

    private static boolean onClasspath(String className) {
        try {
            Class.forName(className, false, TestKafka.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** A topic name no other test uses. */
    /** A port free at the time of asking, for a server a test starts. */
    public static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static Admin admin(String bootstrapServers) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return Admin.create(props);
    }

    public static void createTopic(String bootstrapServers, String topic, int partitions, int replicationFactor,
                                   Map<String, String> configs) {
        try (Admin admin = admin(bootstrapServers)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) replicationFactor).configs(configs)))
                    .all().get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot create topic " + topic, e);
        }
    }

    public static void createTopic(String bootstrapServers, String topic, int partitions) {
        createTopic(bootstrapServers, topic, partitions, 1, Map.of());
    }

    public static KafkaProducer<byte[], byte[]> producer(String bootstrapServers, Map<String, Object> extra) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putAll(extra);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Reads a whole topic under {@code read_committed}, from the beginning to the end offsets it has once
     * {@code expected} records are there (or the timeout passes), so a test sees exactly what was committed.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readCommitted(String bootstrapServers, String topic,
                                                                    int expected, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 * 1024 * 1024));
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                if (records.size() >= expected && caughtUp(consumer, Set.copyOf(partitions))) {
                    break;
                }
            }
            return records;
        }
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Set<TopicPartition> partitions) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        return partitions.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp));
    }
}
