package dev.loginpipe.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Instances of the real consumer, each its own {@code java -Xmx.. -jar consumer.jar} process, in one group. */
final class ConsumerFleet implements AutoCloseable {
    private final List<ChildJvm> instances;
    private final List<Integer> httpPorts;

    private ConsumerFleet(List<ChildJvm> instances, List<Integer> httpPorts) {
        this.instances = instances;
        this.httpPorts = httpPorts;
    }

    static ConsumerFleet start(BenchOptions options, RunTopics run, int count) throws IOException, InterruptedException {
        List<ChildJvm> instances = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                int port = options.firstHttpPort() + i;
                String id = run.name() + "-" + (i + 1);
                List<String> jvmArgs = new ArrayList<>();
                for (String arg : options.consumerJvmArgs()) {
                    jvmArgs.add(arg.replace("{instance}", id)); // one profile file per instance
                }
                jvmArgs.addAll(List.of("-Xmx" + options.consumerHeap(), "-jar", options.consumerJar().toString()));
                Map<String, String> env = new HashMap<>(Map.of("BOOTSTRAP_SERVERS", options.bootstrap(),
                        "INPUT_TOPIC", run.input(),
                        "OUTPUT_TOPIC", run.output(),
                        "DLQ_TOPIC", run.dlq(),
                        "GROUP_ID", run.group(),
                        "INSTANCE_ID", id,
                        "HTTP_PORT", Integer.toString(port),
                        "LOG_SUMMARY_SECONDS", "0"));
                env.putAll(options.consumerEnv());
                instances.add(ChildJvm.start("consumer-" + id, options.workDir().resolve("logs"), jvmArgs, env));
                ports.add(port);
            }
        } catch (IOException | RuntimeException e) {
            for (ChildJvm started : instances) {
                started.close();
            }
            throw e;
        }
        return new ConsumerFleet(instances, ports);
    }

    /** Waits until every instance answers 200 on /health/ready (joined the group, brokers reachable). */
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
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("consumer on HTTP port " + port + " not ready within " + timeout);
                }
                Thread.sleep(100);
            }
        }
    }

    /** The largest peak RSS of any instance so far, in bytes. */
    long peakRssBytes() throws IOException {
        long peak = 0;
        for (ChildJvm instance : instances) {
            peak = Math.max(peak, instance.peakRssBytes());
        }
        return peak;
    }

    @Override
    public void close() throws InterruptedException {
        for (ChildJvm instance : instances) {
            instance.close();
        }
    }
}
