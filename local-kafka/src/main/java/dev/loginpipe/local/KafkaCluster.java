package dev.loginpipe.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A real Kafka cluster of one or more combined broker/controller nodes in this JVM.
 * With three nodes it tolerates the loss of one (the controller quorum keeps a majority).
 */
public final class KafkaCluster implements AutoCloseable {
    private static final Duration CLOSE_APPROVAL_WAIT = Duration.ofSeconds(15);
    private final List<KafkaNode> nodes;

    private KafkaCluster(List<KafkaNode> nodes) {
        this.nodes = nodes;
    }

    /** A cluster of {@code size} nodes on the given broker ports (0 picks free ones) with data under {@code dataDir}. */
    public static KafkaCluster create(int size, Path dataDir, List<Integer> brokerPorts, List<Integer> controllerPorts,
                                      Map<String, String> overrides) {
        return create(size, dataDir, brokerPorts, controllerPorts, overrides, null);
    }

    /** As above; with {@code security} not null the client listener is SASL_SSL and ACLs are enforced. */
    public static KafkaCluster create(int size, Path dataDir, List<Integer> brokerPorts, List<Integer> controllerPorts,
                                      Map<String, String> overrides, SaslSslListener security) {
        return create(size, dataDir, brokerPorts, controllerPorts, overrides, security, false);
    }

    private static KafkaCluster create(int size, Path dataDir, List<Integer> brokerPorts, List<Integer> controllerPorts,
                                       Map<String, String> overrides, SaslSslListener security, boolean ownProcesses) {
        String clusterId = Uuid.randomUuid().toString();
        List<Integer> brokers = new ArrayList<>();
        List<Integer> controllers = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            brokers.add(portOrFree(brokerPorts, i));
            controllers.add(portOrFree(controllerPorts, i));
        }
        String voters = java.util.stream.IntStream.range(0, size)
                .mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllers.get(i))
                .collect(Collectors.joining(","));
        Map<String, String> settings = new HashMap<>();
        if (size >= 3) {
            settings.put("offsets.topic.replication.factor", "3");
            settings.put("transaction.state.log.replication.factor", "3");
            settings.put("transaction.state.log.min.isr", "2");
            settings.put("default.replication.factor", "3");
            settings.put("min.insync.replicas", "2");
        }
        settings.putAll(overrides);
        List<KafkaNode> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Path dir = size == 1 ? dataDir : dataDir.resolve("node-" + (i + 1));
            int internalPort = security == null ? 0 : portOrFree(List.of(), i);
            nodes.add(new KafkaNode(i + 1, brokers.get(i), controllers.get(i), internalPort, dir, voters, clusterId,
                    settings, security, ownProcesses));
        }
        return new KafkaCluster(List.copyOf(nodes));
    }

    /** A fresh cluster on free ports in a new temporary directory. */
    public static KafkaCluster createTemporary(int size, Map<String, String> overrides) {
        return createTemporary(size, overrides, null);
    }

    /** A fresh cluster on free ports in a new temporary directory, secured when {@code security} is not null. */
    public static KafkaCluster createTemporary(int size, Map<String, String> overrides, SaslSslListener security) {
        try {
            return create(size, Files.createTempDirectory("loginpipe-kafka-"), List.of(), List.of(), overrides,
                    security);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A fresh cluster on free ports in a new temporary directory, each node in a child JVM of its own so that a test
     * can {@link KafkaNode#kill() kill} one as a crash would; a node's output goes to {@code <its data dir>.log}.
     */
    public static KafkaCluster createTemporaryInChildProcesses(int size, Map<String, String> overrides) {
        try {
            return create(size, Files.createTempDirectory("loginpipe-kafka-"), List.of(), List.of(), overrides, null,
                    true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts every node (in parallel: a node waits for a quorum of controllers) and waits until the cluster serves. */
    public KafkaCluster start(Duration timeout) {
        onEveryNode(KafkaNode::start);
        awaitReady(timeout);
        return this;
    }

    public List<KafkaNode> nodes() {
        return nodes;
    }

    public KafkaNode node(int nodeId) {
        return nodes.get(nodeId - 1);
    }

    public String bootstrapServers() {
        return nodes.stream().map(KafkaNode::bootstrapServers).collect(Collectors.joining(","));
    }

    /**
     * The brokers' own plaintext listeners, where the unauthenticated principal is a super user; the same as
     * {@link #bootstrapServers()} unless the cluster is secured.
     */
    public String internalBootstrapServers() {
        return nodes.stream().map(KafkaNode::internalBootstrapServers).collect(Collectors.joining(","));
    }

    /**
     * Waits until every running node is in the cluster and both coordinators answer: a just-started broker
     * accepts connections before it can serve consumer groups or transactions.
     */
    public void awaitReady(Duration timeout) {
        awaitServing(() -> nodes.stream().filter(KafkaNode::isRunning).map(KafkaNode::internalBootstrapServers)
                .collect(Collectors.joining(",")), () -> nodes.stream().filter(KafkaNode::isRunning).count(), timeout);
    }

    /** As {@link #awaitReady}, for any Kafka (e.g. on a container) that should have {@code nodes} brokers. */
    public static void awaitServing(String bootstrap, int nodes, Duration timeout) {
        awaitServing(() -> bootstrap, () -> (long) nodes, timeout);
    }

    private static void awaitServing(Supplier<String> bootstrap, Supplier<Long> running, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                probe(bootstrap.get(), running.get());
                return;
            } catch (RuntimeException e) {
                last = e;
                sleep(200);
            }
        }
        throw new IllegalStateException("Kafka did not become ready within " + timeout, last);
    }

    private static void probe(String bootstrap, long running) {
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        try (Admin admin = Admin.create(adminProps)) {
            int seen = admin.describeCluster().nodes().get().size();
            if (seen < running) {
                throw new IllegalStateException(seen + " of " + running + " nodes registered");
            }
            admin.listConsumerGroupOffsets("loginpipe-readiness-probe").partitionsToOffsetAndMetadata().get();
        } catch (Exception e) {
            throw new IllegalStateException("group coordinator not ready", e);
        }
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "loginpipe-readiness-probe");
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
        }
    }

    /**
     * Stops every node at once (one by one, the last ones would wait for a controller quorum that is gone), each
     * waiting at most 15 s for its controlled shutdown's approval: under load one node can still ask too late.
     */
    @Override
    public void close() {
        onEveryNode(node -> node.stop(CLOSE_APPROVAL_WAIT));
    }

    private void onEveryNode(java.util.function.Consumer<KafkaNode> action) {
        List<Thread> threads = nodes.stream().map(node -> new Thread(() -> action.accept(node), "kafka-node-" + node.nodeId()))
                .toList();
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static int portOrFree(List<Integer> ports, int index) {
        if (index < ports.size() && ports.get(index) != 0) {
            return ports.get(index);
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
