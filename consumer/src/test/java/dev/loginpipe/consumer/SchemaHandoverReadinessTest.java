package dev.loginpipe.consumer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.local.TestKafka;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Partitions last committed by a version this instance has not run wait while the schema source does not answer:
 * readiness and {@code loginpipe_schema_handover_waiting} name them meanwhile. Once the source answers, even with
 * nothing usable, they resume judged by the running version, every record routed once.
 */
class SchemaHandoverReadinessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Pipeline pipeline = new Pipeline(TestKafka.shared().bootstrapServers(), 2);
    private final AtomicInteger requests = new AtomicInteger();
    /** After the first request (version 1): 503, the registry restarting, until it answers 404. */
    private volatile boolean answers;
    private HttpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void partitionsWaitingForASourceThatDoesNotAnswerAreNamedUntilItAnswers() throws Exception {
        // An instance on version 2 committed both partitions before this one started.
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int p = 0; p < 2; p++) {
            offsets.put(new TopicPartition(pipeline.input, p), new OffsetAndMetadata(0, "1>2"));
        }
        try (Admin admin = TestKafka.admin(pipeline.bootstrap)) {
            admin.alterConsumerGroupOffsets(pipeline.group, offsets).all().get();
        }
        pipeline.send(LiveSchemaTest.events(0, 20));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/", this::answer);
        server.start();
        Map<String, String> env = Map.of("SCHEMA_REGISTRY_URL", "http://127.0.0.1:" + server.getAddress().getPort(),
                "SCHEMA_REGISTRY_SUBJECT", "s", "SCHEMA_REFRESH_MS", "500");

        try (Pipeline.InProcess consumer = pipeline.start("waiting", env)) {
            await().atMost(WAIT).until(() -> waiting(consumer).size() == 2 && consumer.health.notReadyReason() != null
                    && consumer.health.notReadyReason().contains("wait for a schema version newer"));
            assertThat(consumer.health.notReadyReason()).contains(pipeline.input + "-0", pipeline.input + "-1",
                    "(unreachable)", "HTTP 503");
            assertThat(consumer.metrics.consumed.get()).isZero();

            answers = true;
            await().atMost(WAIT).until(() -> consumer.metrics.consumed.get() >= 20);
            pipeline.assertExactlyOnce(20);
            assertThat(pipeline.readOutput(0)).hasSize(20)
                    .allSatisfy(r -> assertThat(Pipeline.header(r, DlqHeaders.SCHEMA_VERSION)).isEqualTo("1"));
            await().atMost(WAIT).until(consumer.health::isReady);
            assertThat(waiting(consumer)).isEmpty();
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        int n = requests.incrementAndGet();
        int status = n == 1 ? 200 : answers ? 404 : 503;
        byte[] body = (n == 1 ? RegistryAnswersTest.GOOD : "{\"message\":\"status " + status + "\"}").getBytes(UTF_8);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** The partitions whose {@code loginpipe_schema_handover_waiting} is 1. */
    private static List<String> waiting(Pipeline.InProcess consumer) {
        for (MetricSnapshot metric : consumer.registry.scrape()) {
            if (metric.getMetadata().getName().equals("loginpipe_schema_handover_waiting")) {
                return ((GaugeSnapshot) metric).getDataPoints().stream().filter(p -> p.getValue() == 1)
                        .map(p -> p.getLabels().get("partition")).toList();
            }
        }
        throw new AssertionError("no loginpipe_schema_handover_waiting");
    }
}
