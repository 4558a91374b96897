package dev.loginpipe.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import kafka.server.BrokerServer;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;

/**
 * One Apache Kafka process role set (broker and controller combined, KRaft), running inside this JVM or, for a test
 * that kills it, in a JVM of its own ({@link NodeProcess}).
 * The node keeps its ports and data directory across {@link #stop()} and {@link #start()}, like a restarted server.
 */
public final class KafkaNode {
    private final int nodeId;
    private final int brokerPort;
    private final int controllerPort;
    private final int internalPort;
    private final Path dataDir;
    private final String quorumVoters;
    private final String clusterId;
    private final Map<String, String> overrides;
    private final SaslSslListener security;
    /** Whether the node runs in a child JVM, which {@link #kill()} can end as a crash would. */
    private final boolean ownProcess;
    /** Kafka's own wait for a controlled shutdown's approval ({@code KafkaBroker.shutdown()}). */
    private static final Duration KAFKA_APPROVAL_WAIT = Duration.ofMinutes(5);
    private KafkaRaftServer server;
    private NodeProcess process;

    /** {@code security} null: one PLAINTEXT listener for clients and brokers alike ({@code internalPort} unused). */
    KafkaNode(int nodeId, int brokerPort, int controllerPort, int internalPort, Path dataDir, String quorumVoters,
              String clusterId, Map<String, String> overrides, SaslSslListener security, boolean ownProcess) {
        this.nodeId = nodeId;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.internalPort = internalPort;
        this.dataDir = dataDir;
        this.quorumVoters = quorumVoters;
        this.clusterId = clusterId;
        this.overrides = Map.copyOf(overrides);
        this.security = security;
        this.ownProcess = ownProcess;
        if (ownProcess && security != null) {
            throw new IllegalArgumentException("a node in its own process has no secured listener");
        }
    }

    public int nodeId() {
        return nodeId;
    }

    public int brokerPort() {
        return brokerPort;
    }

    Path dataDir() {
        return dataDir;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** The plaintext listener the brokers use among themselves; the client listener unless the node is secured. */
    public String internalBootstrapServers() {
        return security == null ? bootstrapServers() : "127.0.0.1:" + internalPort;
    }

    public synchronized boolean isRunning() {
        return server != null || (process != null && process.isAlive());
    }

    /** Formats the storage on first start (a formatted directory is kept as it is), then starts the node. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        Properties props = serverProperties();
        if (ownProcess) {
            process = NodeProcess.start(nodeId, props, dataDir, clusterId);
            return;
        }
        format(props, dataDir, clusterId, security);
        server = startServer(props);
    }

    /** A controlled shutdown: the node hands over its leaderships and closes its logs cleanly. */
    public synchronized void stop() {
        stop(KAFKA_APPROVAL_WAIT);
    }

    /**
     * A controlled shutdown that waits at most {@code approval} for the controller to approve it (Kafka's own wait is
     * 5 minutes). When a whole cluster stops, a node late to ask finds the controller quorum gone and would wait
     * out those 5 minutes for nothing; its logs are closed cleanly all the same.
     */
    synchronized void stop(Duration approval) {
        if (process != null) {
            process.stop();
            process = null;
        }
        if (server == null) {
            return;
        }
        brokerOf(server).ifPresent(broker -> broker.shutdown(approval));
        server.shutdown();
        server.awaitShutdown();
        server = null;
    }

    /** The broker half of a combined node: KafkaRaftServer keeps it private and offers no shutdown with a bound. */
    private static Optional<BrokerServer> brokerOf(KafkaRaftServer server) {
        try {
            Field field = KafkaRaftServer.class.getDeclaredField("broker");
            field.setAccessible(true);
            scala.Option<?> broker = (scala.Option<?>) field.get(server);
            return broker.isDefined() ? Optional.of((BrokerServer) broker.get()) : Optional.empty();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Optional.empty(); // another Kafka version: its own wait then
        }
    }

    /**
     * A crash: SIGKILL to the node's JVM, so it neither hands over its leaderships nor closes its logs; the
     * controller fences it only once its heartbeats have been missing for {@code broker.session.timeout.ms}.
     * Only a node in a process of its own can be killed.
     */
    public synchronized void kill() {
        if (!ownProcess) {
            throw new UnsupportedOperationException("a node in this JVM only stops cleanly: kill needs a cluster "
                    + "from KafkaCluster.createTemporaryInChildProcesses");
        }
        if (process != null) {
            process.kill();
            process = null;
        }
    }

    static KafkaRaftServer startServer(Properties props) {
        KafkaRaftServer started = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        started.startup();
        return started;
    }

    Properties serverProperties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(nodeId));
        p.put("controller.quorum.voters", quorumVoters);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.toAbsolutePath().toString());
        p.put("auto.create.topics.enable", "false");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Fewer internal partitions than the 50 of a production broker: a laptop broker starts faster.
        p.put("offsets.topic.num.partitions", "10");
        p.put("transaction.state.log.num.partitions", "10");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        if (security != null) {
            p.putAll(security.brokerSettings(brokerPort, internalPort, controllerPort));
        }
        p.putAll(overrides);
        return p;
    }

    static void format(Properties props, Path dataDir, String clusterId, SaslSslListener security) {
        if (Files.exists(dataDir.resolve("meta.properties"))) {
            return; // formatted before, with the cluster id it keeps for life
        }
        try {
            Files.createDirectories(dataDir);
            // Outside the log directory: the broker would take a stray file there for damage.
            Path configFile = Files.createTempFile("loginpipe-server-", ".properties");
            try (OutputStream out = Files.newOutputStream(configFile)) {
                props.store(out, "written by loginpipe local-kafka for the storage formatter");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            List<String> arguments = new ArrayList<>(List.of("format", "--config", configFile.toString(),
                    "--cluster-id", clusterId, "--ignore-formatted"));
            if (security != null) {
                arguments.addAll(security.formatArguments());
            }
            int status = StorageTool.execute(arguments.toArray(String[]::new),
                    new PrintStream(output, true, StandardCharsets.UTF_8));
            if (status != 0) {
                throw new IllegalStateException("formatting " + dataDir + " failed: " + output.toString(StandardCharsets.UTF_8));
            }
            Files.deleteIfExists(configFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the data directory " + dataDir, e);
        }
    }
}
