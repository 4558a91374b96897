package dev.loginpipe.system;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.dlq.DlqMain;
import dev.loginpipe.local.TestKafka;
import dev.loginpipe.producer.ProducerMain;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/** The producer's and the DLQ watcher's HTTP faces, and their clean stop on SIGTERM. */
class ServiceEndpointsTest {
    final String bootstrap = TestKafka.shared().bootstrapServers();
    final Pipeline pipeline = new Pipeline(bootstrap);

    @Test
    void theProducerIsReadyAndCountsWhatItSent() throws Exception {
        int port = ServiceHttp.freePort();
        try (ServiceProcess producer = ServiceProcess.start(ProducerMain.class, env("producer", port,
                "EVENTS_PER_SECOND", "200"))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ServiceHttp.status(port, "/health/ready") == 200);
            await().atMost(Duration.ofSeconds(30)).until(() -> ServiceHttp.metric(port, "loginpipe_producer_records_sent_total") >= 200);
            assertThat(ServiceHttp.metric(port, "loginpipe_producer_send_failures_total")).isZero();
            assertThat(ServiceHttp.metric(port, "loginpipe_producer_send_latency_seconds_count")).isPositive();
            assertThat(producer.stop()).as(producer.output()).isZero();
        }
    }

    @Test
    void theDlqWatcherCountsEachReasonAndStopsCleanly() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(bootstrap, Map.of())) {
            for (String reason : List.of("schema", "schema", "schema", "not-json", "not-json")) {
                byte[] noKey = null;
                producer.send(new ProducerRecord<>(pipeline.dlq, null, noKey, "x".getBytes(UTF_8),
                        List.of(new RecordHeader(DlqHeaders.ERROR_REASON, reason.getBytes(UTF_8)))));
            }
            byte[] noKey = null;
            producer.send(new ProducerRecord<>(pipeline.dlq, noKey, "no headers".getBytes(UTF_8)));
        }
        int port = ServiceHttp.freePort();
        try (ServiceProcess watch = ServiceProcess.start(DlqMain.class, env("watch", port), "watch")) {
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    ServiceHttp.metric(port, "loginpipe_dlq_records_seen_total{reason=\"schema\"}") == 3);
            assertThat(ServiceHttp.metric(port, "loginpipe_dlq_records_seen_total{reason=\"not-json\"}")).isEqualTo(2);
            assertThat(ServiceHttp.metric(port, "loginpipe_dlq_records_seen_total{reason=\"unknown\"}")).isEqualTo(1);
            assertThat(ServiceHttp.status(port, "/health/ready")).isEqualTo(200);
            assertThat(watch.stop()).as(watch.output()).isZero();
            assertThat(watch.output()).doesNotContain("no headers"); // values are not logged by default
        }
    }

    Map<String, String> env(String instance, int port, String... extra) {
        Map<String, String> env = new HashMap<>(pipeline.env(instance));
        env.put("BOOTSTRAP_SERVERS", bootstrap);
        env.put("HTTP_PORT", Integer.toString(port));
        env.put("DLQ_GROUP_ID", pipeline.group + "-watch");
        for (int i = 0; i < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }
}
