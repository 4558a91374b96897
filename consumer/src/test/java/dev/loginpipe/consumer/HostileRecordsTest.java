package dev.loginpipe.consumer;

import static dev.loginpipe.consumer.Pipeline.header;
import static dev.loginpipe.consumer.Pipeline.record;
import static dev.loginpipe.consumer.Pipeline.validEvent;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.KafkaClientSettings.ClientKind;
import dev.loginpipe.common.config.Service;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.common.schema.SchemaVersion;
import dev.loginpipe.local.TestKafka;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/**
 * Records that used to crash the consumer or stall a partition: headers that fill the size limit, records the brokers
 * refuse for good, limits lowered while running, and a routing bug. Each ends in the DLQ with a reason of its own,
 * and everything else of the batch is routed exactly once.
 */
class HostileRecordsTest {
    private static final String BOOTSTRAP = TestKafka.shared().bootstrapServers();

    @Test
    void headersThatFillTheLimitAreDroppedLargestFirstAndTheCopyFits() {
        Pipeline pipeline = new Pipeline(BOOTSTRAP);
        TestKafka.createTopic(BOOTSTRAP, pipeline.input, 1);
        TestKafka.createTopic(BOOTSTRAP, pipeline.output, 1, 1, Map.of("max.message.bytes", "300000"));
        TestKafka.createTopic(BOOTSTRAP, pipeline.dlq, 1, 1, Map.of("max.message.bytes", "300000"));
        List<ProducerRecord<byte[], byte[]>> inputs = List.of(
                // a few large headers on a record that is not JSON, with a null key
                record(null, utf8("not json"), text("case", "large"), text("trace", "t-1"),
                        bytes("big-1", 400_000), bytes("big-2", 300_000), bytes("big-3", 250_000)),
                // thousands of small headers on a valid event: too large for the output, and for the DLQ as it is
                withHeaders(record(utf8("k-many"), utf8(validEvent("many")), text("case", "many")), 20_000, 40),
                // headers and a value that together leave nothing: headers dropped and the value cut
                record(utf8("k-both"), filled(299_000), text("case", "both"), bytes("big", 200_000)),
                record(utf8("k-ok"), utf8(validEvent("ok")), text("case", "ok")));
        pipeline.send(inputs);

        Map<String, ConsumerRecord<byte[], byte[]>> dlq;
        try (Pipeline.InProcess consumer = pipeline.start("headers-1")) {
            dlq = pipeline.readDlq(3).stream().collect(Collectors.toMap(r -> header(r, "case"), Function.identity()));
            assertThat(pipeline.readOutput(1)).extracting(r -> header(r, "case")).containsExactly("ok");
            assertThat(consumer.stop()).isZero();
        }
        pipeline.assertExactlyOnce(4);
        assertThat(dlq).containsOnlyKeys("large", "many", "both");

        ConsumerRecord<byte[], byte[]> large = dlq.get("large");
        assertThat(header(large, DlqHeaders.ERROR_REASON)).isEqualTo("not-json");
        assertThat(large.key()).isNull();
        assertThat(large.value()).isEqualTo(utf8("not json"));
        assertThat(header(large, DlqHeaders.HEADERS_TRUNCATED)).isEqualTo("true");
        assertThat(header(large, DlqHeaders.HEADERS_DROPPED)).isEqualTo("2");
        assertThat(large.headers().lastHeader("big-1")).isNull(); // largest first
        assertThat(large.headers().lastHeader("big-2")).isNull();
        assertThat(large.headers().lastHeader("big-3").value()).hasSize(250_000);
        assertThat(header(large, "trace")).isEqualTo("t-1");
        assertThat(header(large, DlqHeaders.PAYLOAD_TRUNCATED)).isNull();
        assertThat(header(large, DlqHeaders.KEY_TRUNCATED)).isNull();

        ConsumerRecord<byte[], byte[]> many = dlq.get("many");
        assertThat(header(many, DlqHeaders.ERROR_REASON)).isEqualTo("too-large");
        assertThat(many.value()).isEqualTo(utf8(validEvent("many")));
        assertThat(header(many, DlqHeaders.HEADERS_TRUNCATED)).isEqualTo("true");
        assertThat(Integer.parseInt(header(many, DlqHeaders.HEADERS_DROPPED))).isBetween(1, 20_000);
        assertThat(header(many, DlqHeaders.SOURCE_OFFSET)).isEqualTo("1");

        ConsumerRecord<byte[], byte[]> both = dlq.get("both");
        assertThat(header(both, DlqHeaders.ERROR_REASON)).isEqualTo("not-json");
        assertThat(header(both, DlqHeaders.HEADERS_DROPPED)).isEqualTo("1");
        assertThat(header(both, DlqHeaders.PAYLOAD_TRUNCATED)).isEqualTo("true");
        assertThat(header(both, DlqHeaders.PAYLOAD_SIZE)).isEqualTo("299000");
        assertThat(header(both, DlqHeaders.KEY_TRUNCATED)).as("only the value was cut").isNull();
        assertThat(both.key()).isEqualTo(utf8("k-both"));
        assertThat(both.value().length).isBetween(295_000, 298_999);
    }

    @Test
    void aRecordTheBrokersRefuseGoesToTheDlqAsRejectedAndTheRestOfItsBatchIsRouted() {
        Pipeline pipeline = new Pipeline(BOOTSTRAP);
        TestKafka.createTopic(BOOTSTRAP, pipeline.input, 1);
        // A compacted output refuses a record without a key, for good.
        TestKafka.createTopic(BOOTSTRAP, pipeline.output, 1, 1, Map.of("cleanup.policy", "compact"));
        TestKafka.createTopic(BOOTSTRAP, pipeline.dlq, 1);
        List<ProducerRecord<byte[], byte[]>> inputs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] key = i == 57 || i == 140 ? null : utf8("k-" + i);
            inputs.add(record(key, utf8(i % 10 == 3 ? "broken " + i : validEvent("u-" + i))));
        }
        pipeline.send(inputs);
        try (Pipeline.InProcess consumer = pipeline.start("rejected-1")) {
            List<ConsumerRecord<byte[], byte[]>> dlq = pipeline.readDlq(22);
            assertThat(dlq).hasSize(22);
            assertThat(dlq.stream().filter(r -> "rejected".equals(header(r, DlqHeaders.ERROR_REASON))))
                    .extracting(r -> header(r, DlqHeaders.SOURCE_OFFSET)).containsExactlyInAnyOrder("57", "140");
            ConsumerRecord<byte[], byte[]> rejected = dlq.stream()
                    .filter(r -> "57".equals(header(r, DlqHeaders.SOURCE_OFFSET))).findFirst().orElseThrow();
            assertThat(header(rejected, DlqHeaders.ERROR_MESSAGE)).contains(pipeline.output).contains("InvalidRecord");
            assertThat(rejected.value()).isEqualTo(utf8(validEvent("u-57")));
            assertThat(pipeline.readOutput(178)).hasSize(178);
            await().atMost(Duration.ofSeconds(30)).until(consumer.health::isReady);
            assertThat(consumer.stop()).isZero();
        }
        pipeline.assertExactlyOnce(200);
    }

    @Test
    void limitsLoweredWhileRunningAreReadAgainAndNothingStalls() throws Exception {
        Pipeline pipeline = new Pipeline(BOOTSTRAP, 1, Map.of());
        try (Pipeline.InProcess consumer = pipeline.start("limits-1");
             Admin admin = TestKafka.admin(BOOTSTRAP)) {
            pipeline.send(List.of(record(utf8("k-0"), utf8(validEvent("before")))));
            assertThat(pipeline.readOutput(1)).hasSize(1);

            lower(admin, pipeline.output, 4_000);
            lower(admin, pipeline.dlq, 6_000);
            Thread.sleep(1_000); // the broker applies topic settings from the metadata log, a moment after the call
            pipeline.send(List.of(
                    record(utf8("k-1"), utf8(validEvent("big-header")), bytes("note", 5_000)),
                    record(utf8("k-2"), filled(20_000)),
                    record(utf8("k-3"), utf8(validEvent("after")))));
            List<ConsumerRecord<byte[], byte[]>> dlq = pipeline.readDlq(2);
            assertThat(dlq).extracting(r -> header(r, DlqHeaders.SOURCE_OFFSET)).containsExactly("1", "2");
            assertThat(header(dlq.get(0), DlqHeaders.ERROR_REASON)).isIn("rejected", "too-large");
            assertThat(header(dlq.get(1), DlqHeaders.ERROR_REASON)).isEqualTo("not-json");
            assertThat(header(dlq.get(1), DlqHeaders.PAYLOAD_TRUNCATED)).isEqualTo("true");
            assertThat(dlq.get(1).value().length).isLessThan(6_000);
            assertThat(pipeline.readOutput(2)).extracting(r -> header(r, DlqHeaders.SOURCE_OFFSET))
                    .containsExactly("0", "3");
            assertThat(consumer.stop()).isZero();
        }
        pipeline.assertExactlyOnce(4);
    }

    @Test
    void aRoutingBugDeadLettersItsRecordAsInternalAndTheLoopGoesOn() {
        Pipeline pipeline = new Pipeline(BOOTSTRAP, 1);
        Config config = Config.load(Service.CONSUMER, pipeline.env("bug-1"));
        RecordRouter buggy = new RecordRouter(pipeline.output, pipeline.dlq,
                pipeline.group, "bug-1", 1_000_000, 1_000_000) {
            @Override
            public Routed route(ConsumerRecord<byte[], byte[]> in, SchemaVersion schema) {
                if (new String(in.value(), UTF_8).contains("boom")) {
                    throw new IllegalStateException("a bug met " + in.offset());
                }
                return super.route(in, schema);
            }
        };
        ConsumerMetrics metrics = new ConsumerMetrics(new PrometheusRegistry());
        RoutingLoop loop = new RoutingLoop(pipeline.input, List.of(pipeline.output, pipeline.dlq),
                Clients.kafka(ConsumerMain.consumerProperties(config), ConsumerMain.producerProperties(config)),
                LoopClock.SYSTEM, buggy, LiveSchema.fixed(SchemaVersion.ofFile("bundled",
                        config.get(Settings.SCHEMA_PATH))), () -> { }, metrics, new Health(), new RoutingLoop.Batching(
                        config.get(Settings.BATCH_MAX_RECORDS), 2_000, config.get(Settings.COMMIT_INTERVAL_MS), 300_000, 60_000),
                List.of());
        pipeline.send(List.of(record(utf8("a"), utf8(validEvent("a"))), record(utf8("b"), utf8("{\"boom\":1}")),
                record(utf8("c"), utf8(validEvent("c")))));
        Thread thread = new Thread(loop::run, "buggy-loop");
        thread.start();
        try {
            List<ConsumerRecord<byte[], byte[]>> dlq = pipeline.readDlq(1);
            assertThat(dlq).hasSize(1);
            assertThat(header(dlq.get(0), DlqHeaders.ERROR_REASON)).isEqualTo("internal");
            assertThat(header(dlq.get(0), DlqHeaders.ERROR_EXCEPTION)).isEqualTo(IllegalStateException.class.getName());
            assertThat(header(dlq.get(0), DlqHeaders.ERROR_MESSAGE)).contains("a bug met 1");
            assertThat(pipeline.readOutput(2)).hasSize(2);
            assertThat(thread.isAlive()).isTrue();
        } finally {
            loop.stop();
        }
        pipeline.assertExactlyOnce(3);
    }

    @Test
    void detailsCutLongMessagesAndKeepAtLeastTheFirstViolation() throws Exception {
        String name = "x".repeat(50_000);
        byte[] details = RecordRouter.details(List.of(
                new dev.loginpipe.common.validation.Violation("/" + name, "additionalProperties", "no " + name),
                new dev.loginpipe.common.validation.Violation("/ip", "format", "not an ipv4 address")));
        var parsed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(details);
        assertThat(details.length).isLessThanOrEqualTo(DlqHeaders.MAX_DETAILS_BYTES);
        assertThat(parsed).hasSize(2);
        assertThat(parsed.get(0).get("path").asText()).startsWith("/xxx").endsWith("...").hasSizeLessThan(300);
        assertThat(parsed.get(1).get("path").asText()).isEqualTo("/ip");
        List<dev.loginpipe.common.validation.Violation> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add(new dev.loginpipe.common.validation.Violation("/p" + i, "type", "m".repeat(300)));
        }
        byte[] bounded = RecordRouter.details(many);
        var entries = new com.fasterxml.jackson.databind.ObjectMapper().readTree(bounded);
        int entryBytes = bounded.length / entries.size();
        assertThat(bounded.length).isLessThanOrEqualTo(DlqHeaders.MAX_DETAILS_BYTES)
                .isGreaterThan(DlqHeaders.MAX_DETAILS_BYTES - 2 * entryBytes); // as many as fit, no fewer
        assertThat(entries.get(entries.size() - 1).get("path").asText()).isEqualTo("/p" + (entries.size() - 1));
        for (long n : new long[] {0, 7, -7, 9, 10, 99, 100, Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, 1_795_793_177_320L,
                999_999_999_999_999_999L, 1_000_000_000_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertThat(new String(RecordRouter.decimal(n), UTF_8)).isEqualTo(Long.toString(n));
        }
        assertThat(RecordRouter.utf8Length("\uFFFD\uFFFDa\u00e9\uD83C\uDF89")).isEqualTo(3 + 3 + 1 + 2 + 4);
    }

    private static void lower(Admin admin, String topic, int maxMessageBytes) throws Exception {
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(
                new AlterConfigOp(new ConfigEntry("max.message.bytes", Integer.toString(maxMessageBytes)),
                        AlterConfigOp.OpType.SET)))).all().get();
    }

    private static ProducerRecord<byte[], byte[]> withHeaders(ProducerRecord<byte[], byte[]> r, int count, int size) {
        for (int i = 0; i < count; i++) {
            r.headers().add("h" + i, filled(size));
        }
        return r;
    }

    private static Header text(String key, String value) {
        return new RecordHeader(key, utf8(value));
    }

    private static Header bytes(String key, int size) {
        return new RecordHeader(key, filled(size));
    }

    private static byte[] filled(int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'x');
        return bytes;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(UTF_8);
    }
}
