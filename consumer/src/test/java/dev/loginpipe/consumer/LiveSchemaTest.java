package dev.loginpipe.consumer;

import static dev.loginpipe.consumer.Pipeline.header;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.schema.SchemaCandidate;
import dev.loginpipe.common.validation.EventValidator;
import dev.loginpipe.local.TestKafka;
import dev.loginpipe.local.TestRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schemas that change under running consumers, on the real broker and a real registry (Apicurio): every record is
 * judged by the version its headers name, the versions of a partition never go back, nothing is lost or doubled, and
 * an unusable candidate never judges anything.
 */
class LiveSchemaTest {
    /** Version 1 asks for a user id; version 2 also for a device id, which every odd record lacks. */
    static final String DRAFT_07 = "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",";
    static final String V1 = DRAFT_07 + "\"type\":\"object\",\"required\":[\"user_id\"]}";
    static final String V2 = DRAFT_07 + "\"type\":\"object\",\"required\":[\"user_id\",\"device_id\"]}";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int REFRESH_MS = 500;

    private final Pipeline pipeline = new Pipeline(TestKafka.shared().bootstrapServers(), 6);

    @Test
    void threeInstancesSwitchToANewRegistryVersionAtTransactionBoundaries() throws Exception {
        TestRegistry registry = TestRegistry.shared();
        String subject = pipeline.input + "-value"; // the default: TopicNameStrategy
        int id1 = registry.register(subject, V1);
        List<Pipeline.InProcess> instances = new ArrayList<>();
        try (Stream stream = new Stream()) {
            for (int i = 1; i <= 3; i++) {
                instances.add(pipeline.start("live-" + i, registryEnv(registry)));
            }
            awaitVersion(instances, "1");
            stream.start();
            await().atMost(WAIT).until(() -> output(instances) >= 300);
            long registered = System.nanoTime();
            int id2 = registry.register(subject, V2);
            awaitVersion(instances, "2");
            long publishedAt = System.currentTimeMillis();
            long switchedMs = (System.nanoTime() - registered) / 1_000_000;
            System.out.printf("all 3 instances took version 2 within %d ms of its registration (refresh %d ms)%n",
                    switchedMs, REFRESH_MS);
            await().atMost(WAIT).until(() -> deadLettered(instances) >= 150
                    && System.currentTimeMillis() > publishedAt + 2_500);
            int sent = stream.stop();

            List<ConsumerRecord<byte[], byte[]>> routed = routedExactlyOnce(instances, sent);
            assertJudgedByTheirVersion(routed, List.of("1", V1, "2", V2), Map.of("1", id1, "2", id2));
            assertThat(routed).extracting(r -> header(r, DlqHeaders.SCHEMA_VERSION)).contains("1", "2");
            // Published everywhere, the new version judges from the next transaction on: a record written a
            // transaction's length (COMMIT_INTERVAL_MS 100 ms and a poll, with a margin: 1 s) later is never judged
            // by the old one.
            assertThat(routed).filteredOn(r -> Long.parseLong(header(r, DlqHeaders.SOURCE_TIMESTAMP)) > publishedAt + 1_000)
                    .isNotEmpty().allSatisfy(r -> assertThat(header(r, DlqHeaders.SCHEMA_VERSION)).isEqualTo("2"));
        } finally {
            instances.forEach(Pipeline.InProcess::stop);
        }
    }

    @Test
    void aPartitionHandedToAnInstanceStillOnTheOldVersionWaitsForTheNewOne() throws Exception {
        TestRegistry registry = TestRegistry.shared();
        String subject = pipeline.input + "-value";
        int id1 = registry.register(subject, V1);
        Map<String, String> hourly = new HashMap<>(registryEnv(registry));
        hourly.put("SCHEMA_REFRESH_MS", "3600000"); // by itself, it looks at the registry at start only
        try (Stream stream = new Stream(); Pipeline.InProcess behind = pipeline.start("behind", hourly)) {
            Pipeline.InProcess ahead = pipeline.start("ahead", registryEnv(registry));
            try {
                awaitVersion(List.of(ahead, behind), "1");
                stream.start();
                await().atMost(WAIT).until(() -> output(List.of(ahead)) >= 50 && output(List.of(behind)) >= 50);
                int id2 = registry.register(subject, V2);
                awaitVersion(List.of(ahead), "2");
                long before = deadLettered(List.of(ahead));
                await().atMost(WAIT).until(() -> deadLettered(List.of(ahead)) >= before + 50);
                assertThat(behind.schemaVersion()).as("the other instance is still on version 1").isEqualTo("1");

                ahead.stop(); // its partitions, last committed by version 2, go to the instance on version 1
                awaitVersion(List.of(behind), "2");
                long handedOver = output(List.of(behind));
                await().atMost(WAIT).until(() -> output(List.of(behind)) >= handedOver + 100);
                int sent = stream.stop();

                List<ConsumerRecord<byte[], byte[]>> routed = routedExactlyOnce(List.of(ahead, behind), sent);
                assertJudgedByTheirVersion(routed, List.of("1", V1, "2", V2), Map.of("1", id1, "2", id2));
            } finally {
                ahead.stop();
            }
        }
    }

    @Test
    void aPartitionHandedOverWhileTheLatestVersionIsUnusableResumesJudgedByTheRunningOne() throws Exception {
        TestRegistry registry = TestRegistry.shared();
        String subject = pipeline.input + "-value";
        registry.register(subject, V1);
        Map<String, String> hourly = new HashMap<>(registryEnv(registry));
        hourly.put("SCHEMA_REFRESH_MS", "3600000"); // it asks the registry at start and at the handover only
        try (Stream stream = new Stream(); Pipeline.InProcess behind = pipeline.start("stale", hourly)) {
            Pipeline.InProcess ahead = pipeline.start("fresh", registryEnv(registry));
            try {
                awaitVersion(List.of(ahead, behind), "1");
                stream.start();
                await().atMost(WAIT).until(() -> output(List.of(ahead)) >= 50 && output(List.of(behind)) >= 50);
                registry.register(subject, V2);
                awaitVersion(List.of(ahead), "2");
                long before = deadLettered(List.of(ahead));
                await().atMost(WAIT).until(() -> deadLettered(List.of(ahead)) >= before + 50);
                // The latest version is one no instance can use: waiting for one newer than 1 would last for good.
                registry.register(subject, DRAFT_07 + "\"type\":\"record\",\"name\":\"Login\",\"fields\":[]}");
                awaitWarning(ahead, "not-a-schema", "registry id ");

                ahead.stop(); // its partitions, last committed by version 2, go to the instance on version 1
                awaitWarning(behind, "not-a-schema", "registry id ");
                long handedOver = output(List.of(behind));
                await().atMost(WAIT).until(() -> output(List.of(behind)) >= handedOver + 100);
                assertThat(behind.schemaVersion()).isEqualTo("1");
                assertThat(behind.health.isReady()).isTrue();
                int sent = stream.stop();

                List<ConsumerRecord<byte[], byte[]>> routed = routedExactlyOnce(List.of(ahead, behind), sent);
                assertEachJudgedByItsVersion(routed, List.of("1", V1, "2", V2));
            } finally {
                ahead.stop();
            }
        }
    }

    @Test
    void hostileMetadataInTheGroupsOffsetsCostsOneRefreshAndNothingElse(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("schema.json");
        Files.writeString(file, V1);
        // Whoever may commit to the group writes any metadata up to the broker's 4,096 bytes: control characters,
        // terminal escapes, a version nobody ran.
        String hostile = "\u0000\n\u001b[31m" + "9".repeat(4_000);
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int p = 0; p < 6; p++) {
            offsets.put(new TopicPartition(pipeline.input, p), new OffsetAndMetadata(0, hostile));
        }
        try (Admin admin = TestKafka.admin(pipeline.bootstrap)) {
            admin.alterConsumerGroupOffsets(pipeline.group, offsets).all().get();
        }
        pipeline.send(events(0, 40));
        Map<String, String> env = Map.of("SCHEMA_PATH", file.toString(), "SCHEMA_REFRESH_MS", "3600000");
        try (Pipeline.InProcess consumer = pipeline.start("hostile-1", env)) {
            List<ConsumerRecord<byte[], byte[]>> routed = routedExactlyOnce(List.of(consumer), 40);
            assertJudgedByTheirVersion(routed, List.of(fingerprint(V1), V1), Map.of());
        }
    }

    @Test
    void unusableRegistryCandidatesAreKeptOutWithTheReasonShown() throws Exception {
        TestRegistry registry = TestRegistry.shared();
        String subject = pipeline.input + "-value";
        try (Pipeline.InProcess consumer = pipeline.start("wait-1", registryEnv(registry))) {
            // Nothing registered yet: the consumer waits, not ready, and judges nothing by a guess.
            await().atMost(WAIT).until(() -> consumer.health.notReadyReason() != null
                    && consumer.health.notReadyReason().contains("HTTP 404"));
            assertThat(consumer.health.notReadyReason()).startsWith("no usable schema yet from " + registry.url());
            pipeline.send(events(0, 10));
            registry.register(subject, V1);
            await().atMost(WAIT).until(consumer.health::isReady);

            registry.register(subject, DRAFT_07 + "\"type\":\"record\",\"name\":\"Login\",\"fields\":[]}");
            awaitWarning(consumer, "not-a-schema", "registry id ");
            registry.register(subject, DRAFT_07 + "\"properties\":{\"device\":{\"$ref\":\"device.json\"}}}");
            awaitWarning(consumer, "unresolvable-ref", "unresolvable $ref https://loginpipe.invalid/schemas/device.json");
            assertThat(consumer.health.isReady()).as("an older version still judges").isTrue();
            pipeline.send(events(10, 20));
            await().atMost(WAIT).until(() -> output(List.of(consumer)) == 20);

            // A usable version again, with a reference resolved by its name.
            String devices = pipeline.input + "-device";
            registry.register(devices, DRAFT_07 + "\"type\":\"string\",\"pattern\":\"^d-\"}");
            int id4 = registry.register(subject, DRAFT_07 + "\"type\":\"object\",\"required\":[\"user_id\",\"device_id\"],"
                    + "\"properties\":{\"device_id\":{\"$ref\":\"device.json\"}}}",
                    new TestRegistry.Reference("device.json", devices, 1));
            awaitVersion(List.of(consumer), "4");
            assertThat(consumer.health.warning()).isNull();
            pipeline.send(events(20, 30));

            List<ConsumerRecord<byte[], byte[]>> routed = routedExactlyOnce(List.of(consumer), 30);
            assertThat(routed).allSatisfy(r -> {
                int n = sequence(r);
                assertThat(header(r, DlqHeaders.SCHEMA_VERSION)).isEqualTo(n < 20 ? "1" : "4");
                assertThat(r.topic()).isEqualTo(n < 20 || n % 2 == 0 ? pipeline.output : pipeline.dlq);
                if (n >= 20) {
                    assertThat(header(r, DlqHeaders.SCHEMA_ID)).isEqualTo(Integer.toString(id4));
                }
            });
        }
    }

    @Test
    void theFileChangedUnderARunningConsumerIsTheNextVersion(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("schema.json");
        Files.writeString(file, V1);
        Map<String, String> env = Map.of("SCHEMA_PATH", file.toString(), "SCHEMA_REFRESH_MS", Integer.toString(REFRESH_MS));
        try (Pipeline.InProcess a = pipeline.start("file-1", env); Pipeline.InProcess b = pipeline.start("file-2", env)) {
            String v1 = fingerprint(V1);
            String v2 = fingerprint(V2);
            awaitVersion(List.of(a, b), v1);
            pipeline.send(events(0, 20));
            await().atMost(WAIT).until(() -> output(List.of(a, b)) == 20);

            Files.writeString(file, "{\"type\": \"object\", \"required\": [\"user_id\"");
            awaitWarning(a, "not-json", file + " is not JSON");
            Files.writeString(file, "{\"type\": \"object\", \"required\": \"user_id\"}");
            awaitWarning(a, "not-a-schema", "is not a valid draft-07 JSON Schema");
            Files.writeString(file, "{\"$ref\": \"defs.json\"}");
            awaitWarning(a, "unresolvable-ref", "unresolvable $ref");
            Files.writeString(file, V2.replace(",", ", "));
            awaitVersion(List.of(a, b), v2);
            assertThat(a.health.warning()).isNull();
            pipeline.send(events(20, 40));

            List<ConsumerRecord<byte[], byte[]>> routed = routedExactlyOnce(List.of(a, b), 40);
            assertJudgedByTheirVersion(routed, List.of(v1, V1, v2, V2), Map.of());
            assertThat(routed).allSatisfy(r -> assertThat(header(r, DlqHeaders.SCHEMA_VERSION))
                    .isEqualTo(sequence(r) < 20 ? v1 : v2));
        }
    }

    @Test
    void aRegistryKilledAndRestartedMidStreamDeadLettersNothing() throws Exception {
        try (TestRegistry registry = TestRegistry.start(); Stream stream = new Stream()) {
            String subject = pipeline.input + "-value";
            int id1 = registry.register(subject, V1);
            List<Pipeline.InProcess> instances = List.of(pipeline.start("kill-1", registryEnv(registry)),
                    pipeline.start("kill-2", registryEnv(registry)));
            try {
                awaitVersion(instances, "1");
                stream.start();
                await().atMost(WAIT).until(() -> output(instances) >= 200);
                registry.stop();
                for (Pipeline.InProcess i : instances) {
                    awaitWarning(i, "unreachable", "cannot connect to " + registry.url());
                }
                long before = output(instances);
                await().atMost(WAIT).until(() -> output(instances) >= before + 200);
                assertThat(deadLettered(instances)).as("no record dead-lettered while the registry is down").isZero();

                registry.restart(); // empty: the subject is gone until registered again
                for (Pipeline.InProcess i : instances) {
                    awaitWarning(i, "bad-answer", "HTTP 404");
                }
                assertThat(registry.register(subject, V1)).isEqualTo(id1);
                int id2 = registry.register(subject, V2);
                awaitVersion(instances, "2");
                await().atMost(WAIT).until(() -> deadLettered(instances) >= 100);
                int sent = stream.stop();

                List<ConsumerRecord<byte[], byte[]>> routed = routedExactlyOnce(instances, sent);
                assertJudgedByTheirVersion(routed, List.of("1", V1, "2", V2), Map.of("1", id1, "2", id2));
                assertThat(instances).allSatisfy(i -> assertThat(i.health.warning()).isNull());
            } finally {
                instances.forEach(Pipeline.InProcess::stop);
            }
        }
    }

    private Map<String, String> registryEnv(TestRegistry registry) {
        Map<String, String> env = new HashMap<>(Pipeline.QUICK_SESSION);
        env.put("SCHEMA_REGISTRY_URL", registry.url());
        env.put("SCHEMA_REFRESH_MS", Integer.toString(REFRESH_MS));
        env.put("SCHEMA_REGISTRY_TIMEOUT_MS", "2000");
        return env;
    }

    /**
     * Each record's verdict is what the version in its headers says of its value, with the registry id that version
     * had; and in each input partition the versions never go back.
     *
     * @param versions each version's name, then its schema, in the order they were published
     */
    private void assertJudgedByTheirVersion(List<ConsumerRecord<byte[], byte[]>> routed, List<String> versions,
                                            Map<String, Integer> ids) {
        assertEachJudgedByItsVersion(routed, versions);
        List<String> order = new ArrayList<>();
        for (int i = 0; i < versions.size(); i += 2) {
            order.add(versions.get(i));
        }
        Map<Integer, TreeMap<Long, String>> byPartition = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : routed) {
            String version = header(r, DlqHeaders.SCHEMA_VERSION);
            Integer id = ids.get(version);
            assertThat(header(r, DlqHeaders.SCHEMA_ID)).isEqualTo(id == null ? null : id.toString());
            byPartition.computeIfAbsent(Integer.parseInt(header(r, DlqHeaders.SOURCE_PARTITION)), p -> new TreeMap<>())
                    .put(Long.parseLong(header(r, DlqHeaders.SOURCE_OFFSET)), version);
        }
        byPartition.forEach((partition, byOffset) -> {
            List<String> seen = List.copyOf(byOffset.values());
            for (int i = 1; i < seen.size(); i++) {
                assertThat(order.indexOf(seen.get(i))).as("partition %d never goes back a version", partition)
                        .isGreaterThanOrEqualTo(order.indexOf(seen.get(i - 1)));
            }
        });
    }

    /** Each record's verdict is what the version in its headers says of its value. */
    private void assertEachJudgedByItsVersion(List<ConsumerRecord<byte[], byte[]>> routed, List<String> versions) {
        Map<String, EventValidator> validators = new HashMap<>();
        for (int i = 0; i < versions.size(); i += 2) {
            validators.put(versions.get(i), EventValidator.compile(parse(versions.get(i + 1)), versions.get(i),
                    Map.of(), 64));
        }
        for (ConsumerRecord<byte[], byte[]> r : routed) {
            String version = header(r, DlqHeaders.SCHEMA_VERSION);
            assertThat(validators).as("a known version").containsKey(version);
            boolean valid = validators.get(version).validate(r.value()).isValid();
            assertThat(r.topic()).as("record %s judged by %s", new String(r.value(), UTF_8), version)
                    .isEqualTo(valid ? pipeline.output : pipeline.dlq);
        }
    }

    /** Once the instances have committed {@code sent} records: output and DLQ hold each input record once. */
    private List<ConsumerRecord<byte[], byte[]>> routedExactlyOnce(List<Pipeline.InProcess> instances, int sent) {
        await().atMost(WAIT).until(() -> instances.stream().mapToDouble(i -> i.metrics.consumed.get()).sum() >= sent);
        pipeline.assertExactlyOnce(sent);
        List<ConsumerRecord<byte[], byte[]>> routed = new ArrayList<>(pipeline.readOutput(0));
        routed.addAll(pipeline.readDlq(0));
        return routed;
    }

    /** Records committed to the output, counted by the instances (cheap to ask, unlike reading the topic). */
    private static long output(List<Pipeline.InProcess> instances) {
        return (long) instances.stream().mapToDouble(i -> i.metrics.output.get()).sum();
    }

    private static long deadLettered(List<Pipeline.InProcess> instances) {
        return (long) instances.stream().mapToDouble(i -> i.metrics.dlq.labelValues("schema").get()).sum();
    }

    private static void awaitVersion(List<Pipeline.InProcess> instances, String version) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> instances.stream().allMatch(i -> version.equals(i.schemaVersion())));
    }

    private static void awaitWarning(Pipeline.InProcess instance, String reason, String shown) {
        await().atMost(WAIT).until(() -> instance.health.warning() != null
                && instance.health.warning().startsWith("schema refresh failed (" + reason + ")")
                && instance.health.warning().contains(shown));
    }

    /** Events {@code from} to {@code to - 1}; the odd ones have no device id. */
    static List<ProducerRecord<byte[], byte[]>> events(int from, int to) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int n = from; n < to; n++) {
            records.add(Pipeline.record(("user-" + n).getBytes(UTF_8), event(n).getBytes(UTF_8)));
        }
        return records;
    }

    static String event(int n) {
        return "{\"user_id\":\"user-" + n + "\",\"n\":" + n + (n % 2 == 0 ? ",\"device_id\":\"d-" + n + "\"" : "") + "}";
    }

    private static int sequence(ConsumerRecord<byte[], byte[]> r) {
        return parse(new String(r.value(), UTF_8)).get("n").asInt();
    }

    private static com.fasterxml.jackson.databind.JsonNode parse(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String fingerprint(String schema) {
        return SchemaCandidate.fingerprint(parse(schema));
    }

    /** A steady stream of events into the input topic, 20 every 20 ms, until stopped. */
    private final class Stream implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean();
        private final AtomicInteger sent = new AtomicInteger();
        private Thread thread;

        void start() {
            running.set(true);
            thread = new Thread(() -> {
                try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(pipeline.bootstrap, Map.of())) {
                    while (running.get()) {
                        for (ProducerRecord<byte[], byte[]> r : events(sent.get(), sent.get() + 20)) {
                            producer.send(new ProducerRecord<>(pipeline.input, r.key(), r.value()));
                        }
                        producer.flush();
                        sent.addAndGet(20);
                        Thread.sleep(20);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "stream");
            thread.start();
        }

        /** Stops sending; returns how many records were sent. */
        int stop() throws InterruptedException {
            running.set(false);
            if (thread != null) {
                thread.join();
            }
            return sent.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
