package dev.loginpipe.consumer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.schema.SchemaCandidate;
import dev.loginpipe.local.KafkaCluster;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The consumer's HTTP face: exact metric values after a known input, and readiness that follows the broker. */
class ObservabilityTest {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();


    static int status(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static String metrics(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static double value(String exposition, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    @Test
    void metricsCountExactlyWhatWasRouted() throws Exception {
        Pipeline pipeline = new Pipeline(TestKafka.shared().bootstrapServers(), 3);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            records.add(Pipeline.record(null, Pipeline.validEvent("u" + i).getBytes(UTF_8)));
        }
        for (int i = 0; i < 40; i++) {
            records.add(Pipeline.record(null, "nope".getBytes(UTF_8)));
        }
        for (int i = 0; i < 30; i++) {
            records.add(Pipeline.record(null, "{\"user_id\":\"x\"}".getBytes(UTF_8)));
        }
        for (int i = 0; i < 20; i++) {
            records.add(Pipeline.record(null, new byte[] {(byte) 0xFE}));
        }
        for (int i = 0; i < 10; i++) {
            records.add(Pipeline.record(null, new byte[0]));
        }
        pipeline.send(records);
        int port = TestKafka.freePort();
        Process consumer = pipeline.startProcess("metrics", Map.of("HTTP_PORT", Integer.toString(port)));
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> status(port, "/metrics") == 200
                    && value(metrics(port), "loginpipe_records_consumed_total") == 1100);
            String m = metrics(port);
            assertThat(value(m, "loginpipe_output_records_total")).isEqualTo(1000);
            assertThat(value(m, "loginpipe_dlq_records_total{reason=\"not-json\"}")).isEqualTo(40);
            assertThat(value(m, "loginpipe_dlq_records_total{reason=\"schema\"}")).isEqualTo(30);
            assertThat(value(m, "loginpipe_dlq_records_total{reason=\"not-utf8\"}")).isEqualTo(20);
            assertThat(value(m, "loginpipe_dlq_records_total{reason=\"empty\"}")).isEqualTo(10);
            assertThat(value(m, "loginpipe_transactions_aborted_total")).isZero();
            assertThat(value(m, "loginpipe_transactions_committed_total")).isPositive();
            assertThat(value(m, "loginpipe_batch_records_sum")).isEqualTo(1100);
            assertThat(value(m, "loginpipe_end_to_end_latency_seconds_count")).isEqualTo(1100);
            assertThat(value(m, "loginpipe_rebalances_total")).isGreaterThanOrEqualTo(1);
            assertThat(m).contains("jvm_memory_used_bytes");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(metrics(port).lines()
                    .filter(l -> l.startsWith("loginpipe_consumer_lag_records{")).toList())
                    .containsExactlyInAnyOrder(
                            "loginpipe_consumer_lag_records{partition=\"0\",topic=\"" + pipeline.input + "\"} 0.0",
                            "loginpipe_consumer_lag_records{partition=\"1\",topic=\"" + pipeline.input + "\"} 0.0",
                            "loginpipe_consumer_lag_records{partition=\"2\",topic=\"" + pipeline.input + "\"} 0.0"));
        } finally {
            consumer.destroy();
            assertThat(consumer.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void readinessFollowsTheGroupAndTheBroker() throws Exception {
        try (KafkaCluster cluster = TestKafka.cluster(1)) {
            Pipeline pipeline = new Pipeline(cluster.bootstrapServers(), 3);
            int port = TestKafka.freePort();
            Process consumer = pipeline.startProcess("ready", Map.of("HTTP_PORT", Integer.toString(port)));
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> status(port, "/health/live") == 200);
                assertThat(status(port, "/health/ready")).as("before joining the group").isEqualTo(503);
                await().atMost(Duration.ofSeconds(60)).until(() -> status(port, "/health/ready") == 200);

                cluster.node(1).stop();
                long stopped = System.nanoTime();
                await().atMost(Duration.ofSeconds(15)).until(() -> status(port, "/health/ready") == 503);
                assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(Duration.ofSeconds(10));
                assertThat(status(port, "/health/live")).isEqualTo(200);

                cluster.node(1).start();
                await().atMost(Duration.ofSeconds(90)).until(() -> status(port, "/health/ready") == 200);
            } finally {
                consumer.destroy();
                assertThat(consumer.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    /** A schema file changed under a running consumer process, as its HTTP face shows it. */
    @Test
    void schemaVersionsAndRefreshFailuresShowOnHealthAndMetrics(@TempDir Path dir) throws Exception {
        Pipeline pipeline = new Pipeline(TestKafka.shared().bootstrapServers(), 1);
        Path schema = dir.resolve("schema.json");
        Files.writeString(schema, LiveSchemaTest.V1);
        String v1 = SchemaCandidate.fingerprint(new ObjectMapper().readTree(LiveSchemaTest.V1));
        String v2 = SchemaCandidate.fingerprint(new ObjectMapper().readTree(LiveSchemaTest.V2));
        int port = TestKafka.freePort();
        Process consumer = pipeline.startProcess("schemas", Map.of("HTTP_PORT", Integer.toString(port),
                "SCHEMA_PATH", schema.toString(), "SCHEMA_REFRESH_MS", "200"));
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> status(port, "/health/ready") == 200);
            assertThat(value(metrics(port), "loginpipe_schema_info{id=\"\",version=\"" + v1 + "\"}")).isEqualTo(1);

            Files.writeString(schema, "{\"type\": ");
            await().atMost(Duration.ofSeconds(30)).until(() -> body(port, "/health/ready").contains("warning"));
            assertThat(body(port, "/health/ready")).as("still ready: the last good version judges").startsWith(
                    "{\"status\":\"ready\",\"warning\":\"schema refresh failed (not-json): " + schema + " is not JSON")
                    .endsWith("still judging by fingerprint " + v1 + "\"}");
            String failing = metrics(port);
            assertThat(value(failing, "loginpipe_schema_refresh_error{reason=\"not-json\"}")).isEqualTo(1);
            assertThat(value(failing, "loginpipe_schema_refresh_error{reason=\"unreachable\"}")).isZero();

            Files.writeString(schema, LiveSchemaTest.V2);
            await().atMost(Duration.ofSeconds(30)).until(() -> value(metrics(port),
                    "loginpipe_schema_info{id=\"\",version=\"" + v2 + "\"}") == 1);
            String switched = metrics(port);
            assertThat(value(switched, "loginpipe_schema_switches_total")).isEqualTo(1);
            assertThat(value(switched, "loginpipe_schema_refresh_error{reason=\"not-json\"}")).isZero();
            assertThat(switched).doesNotContain(v1);
            assertThat(body(port, "/health/ready")).isEqualTo("{\"status\":\"ready\"}");
        } finally {
            consumer.destroy();
            assertThat(consumer.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    static String body(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void portZeroServesNothingAndAPortInUseExitsTwo() throws Exception {
        Pipeline pipeline = new Pipeline(TestKafka.shared().bootstrapServers(), 1);
        try (ServerSocket taken = new ServerSocket(0)) {
            Process consumer = pipeline.startProcess("port-in-use",
                    Map.of("HTTP_PORT", Integer.toString(taken.getLocalPort())));
            assertThat(consumer.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(consumer.exitValue()).isEqualTo(2);
            assertThat(consumer.info().commandLine()).isNotNull();
        }
        int port = TestKafka.freePort();
        Process consumer = pipeline.startProcess("no-http", Map.of("HTTP_PORT", "0"));
        try {
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(consumer::isAlive);
            assertThat(status(port, "/health/live")).isEqualTo(-1);
        } finally {
            consumer.destroy();
            consumer.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
