package dev.loginpipe.consumer;

import static dev.loginpipe.consumer.Pipeline.header;
import static dev.loginpipe.consumer.Pipeline.record;
import static dev.loginpipe.consumer.Pipeline.validEvent;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 31: a schema pattern that backtracks without end never stalls the loop. A new schema version that checks a
 * probe value too slowly is kept out while the running one judges; a record that runs out of its budget under the
 * running schema goes to the DLQ as {@code too-slow} and the loop goes on. Through a real broker.
 */
class SlowValidationRoutingTest {
    private static final String BOOTSTRAP = TestKafka.shared().bootstrapServers();
    private static final String SCHEMA = """
            {"type":"object","properties":{"user_id":{"type":"string","pattern":"%s"}},"required":["user_id"]}""";

    /** A pattern the probe cannot catch (no run of one character triggers it): "abab...ab!" backtracks 2^n ways. */
    @Test
    void recordsThatRunOutOfTheirBudgetGoToTheDlqAsTooSlowAndTheRestIsRouted(@TempDir Path dir) throws Exception {
        Path schema = dir.resolve("schema.json");
        Files.writeString(schema, SCHEMA.formatted("^((ab)+)+$"));
        Pipeline pipeline = new Pipeline(BOOTSTRAP, 1);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        Set<String> evil = new TreeSet<>();
        for (int i = 0; i < 100; i++) {
            boolean slow = i % 10 == 4;
            String userId = slow ? "ab".repeat(40) + "!" : "ab".repeat(1 + i % 7);
            records.add(record(("k-" + i).getBytes(UTF_8), validEvent(userId).getBytes(UTF_8)));
            if (slow) {
                evil.add(Integer.toString(i));
            }
        }
        pipeline.send(records);

        try (Pipeline.InProcess consumer = pipeline.start("slow-1", Map.of("SCHEMA_PATH", schema.toString()))) {
            await().atMost(Duration.ofSeconds(120)).until(pipeline::groupCaughtUp);
            assertThat(consumer.status).as("the loop goes on").isNotDone();
            assertThat(consumer.stop()).isZero();
        }
        pipeline.assertExactlyOnce(100);
        List<ConsumerRecord<byte[], byte[]>> dlq = pipeline.readDlq(evil.size());
        assertThat(dlq).extracting(r -> header(r, DlqHeaders.SOURCE_OFFSET)).containsExactlyInAnyOrderElementsOf(evil);
        assertThat(dlq).extracting(r -> header(r, DlqHeaders.ERROR_REASON)).containsOnly("too-slow");
        assertThat(header(dlq.get(0), DlqHeaders.ERROR_MESSAGE)).isEqualTo("checking it took longer than 100 ms, and "
                + "once more than 1000 ms (in pattern \"^((ab)+)+$\"); the schema needs a fix");
        assertThat(pipeline.readOutput(0)).hasSize(100 - evil.size());
    }

    /**
     * A poll of slow records takes longer to route than the transaction may stay open (here 6 s instead of Kafka's
     * 60 s, for 33 s of records: 1.1 s each): the broker would abort it and fence the producer, and the instance would exit and
     * read them again. The loop commits what it routed before the transaction gets old and reads the rest again.
     */
    @Test
    void aPollOfSlowRecordsIsCommittedInPartsBeforeTheTransactionTimesOut(@TempDir Path dir) throws Exception {
        Path schema = dir.resolve("schema.json");
        Files.writeString(schema, SCHEMA.formatted("^((ab)+)+$"));
        Pipeline pipeline = new Pipeline(BOOTSTRAP, 1);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 36; i++) {
            String userId = i % 6 == 0 ? "ab" : "ab".repeat(40) + "!";
            records.add(record(("k-" + i).getBytes(UTF_8), validEvent(userId).getBytes(UTF_8)));
        }
        pipeline.send(records);

        try (Pipeline.InProcess consumer = pipeline.start("slow-3", Map.of("SCHEMA_PATH", schema.toString(),
                "KAFKA_CLIENT_TRANSACTION_TIMEOUT_MS", "6000"))) {
            await().atMost(Duration.ofSeconds(120)).until(() -> pipeline.groupCaughtUp() || consumer.status.isDone());
            assertThat(consumer.status).as("the loop goes on").isNotDone();
            assertThat(consumer.stop()).isZero();
            assertThat(consumer.metrics.aborted.get()).isZero();
        }
        pipeline.assertExactlyOnce(36);
        assertThat(pipeline.readDlq(30)).hasSize(30)
                .extracting(r -> header(r, DlqHeaders.ERROR_REASON)).containsOnly("too-slow");
    }

    @Test
    void aNewVersionThatChecksTooSlowlyIsKeptOutAndTheRunningOneJudges(@TempDir Path dir) throws Exception {
        Path schema = dir.resolve("schema.json");
        Files.writeString(schema, SCHEMA.formatted("^[a-z!-]+$"));
        Pipeline pipeline = new Pipeline(BOOTSTRAP, 1);
        try (Pipeline.InProcess consumer = pipeline.start("slow-2",
                Map.of("SCHEMA_PATH", schema.toString(), "SCHEMA_REFRESH_MS", "200"))) {
            pipeline.send(List.of(record("k-0".getBytes(UTF_8), validEvent("before").getBytes(UTF_8))));
            assertThat(pipeline.readOutput(1)).hasSize(1);
            String running = consumer.schemaVersion();

            // Replaced whole, as `mv` would: written in place, the refresh could read it empty halfway (not-json).
            Path next = Files.writeString(dir.resolve("schema.json.new"), SCHEMA.formatted("^(a+)+$"));
            Files.move(next, schema, StandardCopyOption.ATOMIC_MOVE);
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.health.warning() != null);
            assertThat(consumer.health.warning()).startsWith("schema refresh failed (too-slow): ")
                    .contains("checks too slowly: pattern \"^(a+)+$\"")
                    .endsWith("still judging by fingerprint " + running);
            // What the kept-out version would hang on, the running one judges at once.
            pipeline.send(List.of(record("k-1".getBytes(UTF_8), validEvent("a".repeat(40) + "!").getBytes(UTF_8))));
            assertThat(pipeline.readOutput(2)).hasSize(2);
            assertThat(consumer.schemaVersion()).isEqualTo(running);
            assertThat(consumer.stop()).isZero();
        }
        pipeline.assertExactlyOnce(2);
    }
}
