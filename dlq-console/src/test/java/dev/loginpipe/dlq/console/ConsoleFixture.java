package dev.loginpipe.dlq.console;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Service;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.local.TestKafka;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A DLQ topic of a test's own (on the shared broker unless given another), records written as the consumer writes
 * them, and a console on it.
 */
final class ConsoleFixture implements AutoCloseable {
    static final String BOOTSTRAP = TestKafka.shared().bootstrapServers();
    static final ObjectMapper JSON = new ObjectMapper();

    final String bootstrap;
    final String dlq = TestKafka.uniqueName("dlq");
    final String input = TestKafka.uniqueName("user-login");
    final Health health = new Health();
    final PrometheusRegistry registry = new PrometheusRegistry();
    private final HttpClient http = HttpClient.newHttpClient();
    private Console console;
    private LedgerSnapshot ledger;
    /** A console started in a JVM of its own ({@link #startInChildJvm}), and its ports. */
    private Process child;
    private int childPort;
    int childHttpPort;

    ConsoleFixture(int partitions) {
        this(BOOTSTRAP, partitions);
    }

    ConsoleFixture(String bootstrap, int partitions) {
        this.bootstrap = bootstrap;
        TestKafka.createTopic(bootstrap, dlq, partitions);
        TestKafka.createTopic(bootstrap, input, 1);
    }

    /**
     * Starts the console with these settings (name, value pairs) on a free port and waits until it has indexed and
     * read its redrive trail (until then plan endpoints answer 503).
     */
    ConsoleFixture start(String... settings) {
        startNow(settings);
        await().atMost(Duration.ofSeconds(60)).until(health::isReady);
        await().atMost(Duration.ofSeconds(60)).until(() -> console.redriveAvailable());
        return this;
    }

    /** Starts the console without waiting for anything. */
    ConsoleFixture startNow(String... settings) {
        Config config = config(settings);
        ledger = LedgerSnapshot.follow(config, 1_000); // the console's "replayed" and history, read every second
        console = Console.start(config, health, ledger, registry);
        return this;
    }

    Config config(String... settings) {
        return Config.load(Service.DLQ_CONSOLE, env(settings));
    }

    private Map<String, String> env(String... settings) {
        Map<String, String> env = new HashMap<>(Map.of("BOOTSTRAP_SERVERS", bootstrap, "DLQ_TOPIC", dlq,
                "HTTP_PORT", "0", "INSTANCE_ID", "test", "CONSOLE_PORT", "0", "REDRIVE_AUDIT_KEY",
                dev.loginpipe.dlq.DlqFixture.AUDIT_KEY));
        // Redrive's topics and group of this test's own.
        env.putAll(Map.of("INPUT_TOPIC", input, "REDRIVE_AUDIT_TOPIC", dlq + "-audit", "REPLAY_LEDGER_TOPIC",
                dlq + "-replayed", "REPLAY_GROUP_ID", dlq + "-replay"));
        for (int i = 0; i < settings.length; i += 2) {
            env.put(settings[i], settings[i + 1]);
        }
        return env;
    }

    /**
     * Starts {@code dlq-console} as a process of its own with this maximum heap, so that what it holds is measured
     * against its own heap, not the test JVM's; an OutOfMemoryError ends it. Waits until its health says ready.
     */
    ConsoleFixture startInChildJvm(String maxHeap, String... settings) throws IOException {
        childPort = TestKafka.freePort();
        childHttpPort = TestKafka.freePort();
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx" + maxHeap, "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                ConsoleMain.class.getName()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(env(settings));
        builder.environment().putAll(Map.of("CONSOLE_PORT", Integer.toString(childPort),
                "HTTP_PORT", Integer.toString(childHttpPort)));
        child = builder.start();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> childHttp("/health/ready").statusCode() == 200);
        return this;
    }

    /** Whether the console started by {@link #startInChildJvm} is still running. */
    boolean childAlive() {
        return child.isAlive();
    }

    /** A GET from the health and metrics endpoint of the console started by {@link #startInChildJvm}. */
    HttpResponse<String> childHttp(String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + childHttpPort + path)).GET());
    }

    String url(String path) {
        return "http://127.0.0.1:" + (child != null ? childPort : console.port()) + path;
    }

    /** Contract headers as the consumer writes them, plus more as name, value pairs (which win). */
    static RecordHeaders contract(String reason, long at, String... extra) {
        Map<String, String> values = new LinkedHashMap<>(Map.of(DlqHeaders.SOURCE_TOPIC, "user-login",
                DlqHeaders.SOURCE_PARTITION, "0", DlqHeaders.SOURCE_OFFSET, "7", DlqHeaders.ERROR_REASON, reason,
                DlqHeaders.ERROR_MESSAGE, "bad event from 203.0.113.9", DlqHeaders.ERROR_AT, Long.toString(at)));
        for (int i = 0; i < extra.length; i += 2) {
            values.put(extra[i], extra[i + 1]);
        }
        RecordHeaders headers = new RecordHeaders();
        values.forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
        return headers;
    }

    static String details(String... pathKeywordMessage) {
        List<Map<String, String>> list = new ArrayList<>();
        for (int i = 0; i < pathKeywordMessage.length; i += 3) {
            list.add(Map.of("path", pathKeywordMessage[i], "keyword", pathKeywordMessage[i + 1],
                    "message", pathKeywordMessage[i + 2]));
        }
        try {
            return JSON.writeValueAsString(list);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    ProducerRecord<byte[], byte[]> record(int partition, String key, byte[] value, RecordHeaders headers) {
        return new ProducerRecord<>(dlq, partition, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value,
                headers);
    }

    ProducerRecord<byte[], byte[]> record(int partition, String value, RecordHeaders headers) {
        return record(partition, "k", value.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** Writes the records; one the broker did not take (a partition the topic lacks) fails the test here. */
    void write(List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(bootstrap,
                Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000))) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            records.forEach(r -> sent.add(producer.send(r)));
            for (Future<RecordMetadata> result : sent) {
                result.get();
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("the DLQ did not take every record", e);
        }
    }

    HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    /** A POST as the console's page sends it. */
    HttpResponse<String> postFromPage(String path, String body, String... headers) {
        String[] all = new String[headers.length + 4];
        System.arraycopy(new String[] {"Content-Type", "application/json", Guard.CSRF_HEADER, "1"}, 0, all, 0, 4);
        System.arraycopy(headers, 0, all, 4, headers.length);
        return post(path, body, all);
    }

    /** One raw request from a socket bound to {@code from} (127.0.0.x); the status, or 0 when the console cut it off. */
    static int rawStatus(String from, int port, String request) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            return status.startsWith("HTTP/1.1 ") ? Integer.parseInt(status.substring(9, 12)) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(response.body(), e);
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (child != null) {
            child.destroyForcibly();
        }
        if (console != null) {
            console.close();
        }
        if (ledger != null) {
            ledger.close();
        }
    }
}
