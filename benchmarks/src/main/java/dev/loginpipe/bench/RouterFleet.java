package dev.loginpipe.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The processes that route one run's input, each with {@code -Xmx} of the options and the flags of one
 * {@link JvmFlags} setting, on the options' JDK with their {@link StartCache}: instances of the real consumer
 * ({@code java -jar consumer.jar}) in one group, or the Kafka Streams peer ({@link StreamsPeer}). A training fleet
 * writes the start cache when it stops.
 */
final class RouterFleet implements AutoCloseable {
    /** How long a stopping router may take; one that writes its start cache at exit takes longer. */
    private static final Duration STOP = Duration.ofSeconds(15);
    private static final Duration STOP_WRITING_CACHE = Duration.ofMinutes(5);

    private final List<ChildJvm> processes;
    private final List<Integer> httpPorts;
    private final boolean training;

    private RouterFleet(List<ChildJvm> processes, List<Integer> httpPorts, boolean training) {
        this.processes = processes;
        this.httpPorts = httpPorts;
        this.training = training;
    }

    /** {@code count} loginpipe consumer instances, each on a free HTTP port. */
    static RouterFleet loginpipe(BenchOptions options, RunTopics run, int count, JvmFlags flags, boolean training)
            throws IOException, InterruptedException {
        if (training && count != 1) {
            throw new IllegalArgumentException("one instance writes the start cache, not " + count);
        }
        List<ChildJvm> instances = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                int port = freePort();
                String id = run.name() + "-" + (i + 1);
                List<String> extra = options.consumerJvmArgs().stream()
                        .map(arg -> arg.replace("{instance}", id)) // one profile file per instance
                        .toList();
                List<String> jvmArgs = new ArrayList<>(flags.jvmArgs(options, extra));
                jvmArgs.addAll(options.startCache().jvmArgs(
                        options.startCache().file(options, "loginpipe", flags), training));
                jvmArgs.addAll(List.of("-jar", options.consumerJar().toString()));
                Map<String, String> env = new HashMap<>(Map.of("BOOTSTRAP_SERVERS", options.bootstrap(),
                        "INPUT_TOPIC", run.input(),
                        "OUTPUT_TOPIC", run.output(),
                        "DLQ_TOPIC", run.dlq(),
                        "GROUP_ID", run.group(),
                        "INSTANCE_ID", id,
                        "HTTP_PORT", Integer.toString(port),
                        "LOG_SUMMARY_SECONDS", "0"));
                env.putAll(options.consumerEnv());
                instances.add(ChildJvm.start("consumer-" + id, options.workDir().resolve("logs"), options.routerJava(),
                        jvmArgs, env));
                ports.add(port);
            }
        } catch (IOException | RuntimeException e) {
            for (ChildJvm started : instances) {
                started.close();
            }
            throw e;
        }
        return new RouterFleet(instances, ports, training);
    }

    /** The Kafka Streams peer, one process with one stream thread; {@code properties} are PROPERTY=VALUE overrides. */
    static RouterFleet streams(BenchOptions options, RunTopics run, List<String> properties, JvmFlags flags,
                               boolean training) throws IOException {
        List<String> jvmArgs = new ArrayList<>(flags.jvmArgs(options, options.streamsJvmArgs()));
        jvmArgs.addAll(options.startCache().jvmArgs(options.startCache().file(options, "streams", flags), training));
        jvmArgs.addAll(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", options.benchmarksJar().toString(), StreamsPeer.class.getName(),
                options.bootstrap(), run.input(), run.output(), run.dlq(), run.group(),
                options.workDir().resolve("streams-state").resolve(run.name()).toString()));
        jvmArgs.addAll(properties);
        return new RouterFleet(List.of(ChildJvm.start("streams-" + run.name(), options.workDir().resolve("logs"),
                options.routerJava(), jvmArgs, Map.of())), List.of(), training);
    }

    /** Waits until every consumer instance answers 200 on /health/ready (joined the group, brokers reachable). */
    void awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int port : httpPorts) {
            HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                    .timeout(Duration.ofSeconds(1)).build();
            while (true) {
                try {
                    if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        break;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                ensureRunning();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("consumer on HTTP port " + port + " not ready within " + timeout);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Fails if any process has exited: a router that died would otherwise show up only as a timeout. */
    void ensureRunning() {
        processes.forEach(ChildJvm::ensureRunning);
    }

    /** CPU time of all processes so far, in nanoseconds. */
    long cpuNanos() {
        return processes.stream().mapToLong(ChildJvm::cpuNanos).sum();
    }

    /** CPU time of the JIT's compiler threads of all processes so far, in nanoseconds. */
    long jitCpuNanos() throws IOException {
        long nanos = 0;
        for (ChildJvm process : processes) {
            nanos += process.jitCpuNanos();
        }
        return nanos;
    }

    /** The largest peak RSS of any process so far, in bytes. */
    long peakRssBytes() throws IOException {
        long peak = 0;
        for (ChildJvm process : processes) {
            peak = Math.max(peak, process.peakRssBytes());
        }
        return peak;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (ChildJvm process : processes) {
            process.stop(training ? STOP_WRITING_CACHE : STOP);
        }
    }
}
