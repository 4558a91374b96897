package dev.loginpipe.consumer;

import static dev.loginpipe.consumer.ObservabilityTest.metrics;
import static dev.loginpipe.consumer.ObservabilityTest.status;
import static dev.loginpipe.consumer.ObservabilityTest.value;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.loginpipe.common.validation.FailureSignature;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** A candidate schema in shadow: routing exactly as without it, disagreements counted exactly, by signature. */
class ShadowSchemaTest {

    private static String event(int i, String locale) {
        return Pipeline.validEvent("u" + i).replace("\"locale\":\"en\"", "\"locale\":\"" + locale + "\"");
    }

    @Test
    void theCandidateCountsWhatItWouldChangeAndRoutesNothing() throws Exception {
        Pipeline pipeline = new Pipeline(TestKafka.shared().bootstrapServers(), 3);
        // Today: a locale of two letters. The candidate: en, fr or eng.
        Path candidate = Files.createTempFile("candidate", ".json");
        Files.writeString(candidate, Files.readString(Path.of("..", "schema.json")).replace(
                "\"locale\": { \"type\": \"string\", \"minLength\": 2, \"maxLength\": 2 }",
                "\"locale\": { \"type\": \"string\", \"enum\": [\"en\", \"fr\", \"eng\"] }"));
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        String[] locales = {"en", "fr", "de", "eng", "en", "nl", "eng", "xx-long"};
        for (int i = 0; i < 400; i++) {
            records.add(Pipeline.record(null, event(i, locales[i % locales.length]).getBytes(UTF_8)));
        }
        pipeline.send(records);
        int port = TestKafka.freePort();
        Process consumer = pipeline.startProcess("shadow", Map.of("HTTP_PORT", Integer.toString(port),
                "SCHEMA_CANDIDATE", candidate.toString()));
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> status(port, "/metrics") == 200
                    && value(metrics(port), "loginpipe_records_consumed_total") == 400);
            String m = metrics(port);
            // Routed by today's schema alone: en, fr, de, nl pass (250); eng and xx-long do not (150).
            List<ConsumerRecord<byte[], byte[]>> output = pipeline.readOutput(250);
            assertThat(output).hasSize(250);
            assertThat(value(m, "loginpipe_output_records_total")).isEqualTo(250);
            assertThat(value(m, "loginpipe_transactions_aborted_total")).isZero();
            assertThat(value(m, "loginpipe_shadow_records_total")).isEqualTo(400);

            FailureSignature enumRule = FailureSignature.of("schema", List.of("/locale enum"), pipeline.input);
            FailureSignature tooLong = FailureSignature.of("schema", List.of("/locale maxLength"), pipeline.input);
            // Newly rejected: de and nl (50 each); newly accepted: eng (100); xx-long fails under both.
            assertThat(m.lines().filter(l -> l.startsWith("loginpipe_shadow_disagreements_total{")).toList())
                    .containsExactlyInAnyOrder(
                            "loginpipe_shadow_disagreements_total{direction=\"would_reject\",label=\""
                                    + enumRule.label() + "\",signature=\"" + enumRule.id() + "\"} 100.0",
                            "loginpipe_shadow_disagreements_total{direction=\"would_accept\",label=\""
                                    + tooLong.label() + "\",signature=\"" + tooLong.id() + "\"} 100.0");
        } finally {
            consumer.destroy();
            assertThat(consumer.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }
}
