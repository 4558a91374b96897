package dev.loginpipe.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaRaftServer;

/**
 * A {@link KafkaNode} in a child JVM, so that it can be killed (SIGKILL) as a crashed server is: in this JVM a node
 * can only be shut down cleanly. The child's output goes to {@code <data dir>.log}, kept across restarts.
 */
final class NodeProcess {
    private static final String READY = "loginpipe-node: serving";
    private static final long START_TIMEOUT_SECONDS = 120;
    private static final long STOP_TIMEOUT_SECONDS = 60;
    private final Process process;

    private NodeProcess(Process process) {
        this.process = process;
    }

    /** Starts the node's JVM and waits until its server has started. */
    static NodeProcess start(int nodeId, Properties props, Path dataDir, String clusterId) {
        Path base = dataDir.toAbsolutePath();
        Path config = base.resolveSibling(base.getFileName() + ".properties");
        Path log = base.resolveSibling(base.getFileName() + ".log");
        try {
            try (OutputStream out = Files.newOutputStream(config)) {
                props.store(out, "node " + nodeId + ", written by loginpipe local-kafka");
            }
            Process process = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    // A test broker, started and restarted on shared cores: a quick start beats peak throughput.
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"), NodeProcess.class.getName(),
                    config.toString(), base.toString(), clusterId))
                    .redirectErrorStream(true).start();
            CompletableFuture<Void> ready = new CompletableFuture<>();
            Thread pump = new Thread(() -> copyOutput(process, log, ready), "kafka-node-" + nodeId + "-output");
            pump.setDaemon(true);
            pump.start();
            try {
                ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                process.destroyForcibly();
                throw new IllegalStateException("node " + nodeId + " did not start: see " + log, e);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while node " + nodeId + " started", e);
            }
            return new NodeProcess(process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + nodeId, e);
        }
    }

    private static void copyOutput(Process process, Path log, CompletableFuture<Void> ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintStream out = new PrintStream(Files.newOutputStream(log, StandardOpenOption.CREATE,
                     StandardOpenOption.APPEND), true, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.println(line);
                if (line.equals(READY)) {
                    ready.complete(null);
                }
            }
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
        ready.completeExceptionally(new IllegalStateException("the node's JVM ended before it served"));
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * SIGTERM: the child's shutdown hook shuts the server down cleanly. Through the handle: Process.destroy() also
     * closes the child's stdin, and the child takes that for its parent's death and halts at once.
     */
    void stop() {
        process.toHandle().destroy();
        awaitExit(STOP_TIMEOUT_SECONDS);
    }

    /** SIGKILL: no controlled shutdown, no log closed. */
    void kill() {
        process.toHandle().destroyForcibly();
        awaitExit(STOP_TIMEOUT_SECONDS);
    }

    private void awaitExit(long seconds) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(seconds, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The child: {@code <server properties file> <data dir> <cluster id>}. */
    public static void main(String[] args) throws IOException {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(args[0]))) {
            props.load(in);
        }
        KafkaNode.format(props, Path.of(args[1]), args[2], null);
        KafkaRaftServer server = KafkaNode.startServer(props);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "kafka-node-shutdown"));
        // The parent holds our stdin open: when it ends, crashed or not, no broker is left running behind it.
        Thread orphanGuard = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // nothing is ever sent
                }
            } catch (IOException ignored) {
                // the same as the end of the stream
            }
            Runtime.getRuntime().halt(3);
        }, "parent-watch");
        orphanGuard.setDaemon(true);
        orphanGuard.start();
        System.out.println(READY);
        server.awaitShutdown();
    }
}
