package dev.loginpipe.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Service;
import dev.loginpipe.common.validation.EventValidator;
import dev.loginpipe.common.validation.Reason;
import dev.loginpipe.common.validation.ValidationResult;
import dev.loginpipe.common.validation.Violation;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class ProducerTest {
    private static final String BOOTSTRAP = TestKafka.shared().bootstrapServers();
    private static final EventValidator VALIDATOR = EventValidator.load(EventValidator.BUNDLED);

    static Config config(String topic, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(Map.of("BOOTSTRAP_SERVERS", BOOTSTRAP, "INPUT_TOPIC", topic,
                "EVENTS_PER_SECOND", "0", "HTTP_PORT", "0", "LOG_SUMMARY_SECONDS", "0", "INSTANCE_ID", "test"));
        env.putAll(overrides);
        return Config.load(Service.PRODUCER, env);
    }

    private static String newTopic(int partitions) {
        String topic = TestKafka.uniqueName("user-login");
        TestKafka.createTopic(BOOTSTRAP, topic, partitions);
        return topic;
    }

    @Test
    void generatedEventsLandExactlyWithEveryBadKindNearTheRatio() throws Exception {
        String topic = newTopic(3);
        int count = 3000;
        double ratio = 0.2;
        Config config = config(topic, Map.of("EVENT_COUNT", Integer.toString(count), "INVALID_RATIO",
                Double.toString(ratio), "SEED", "42"));

        int status = ProducerMain.run(config, new GeneratedEvents(42, ratio, Clock.systemUTC()), stop -> { });

        assertThat(status).isZero();
        List<ConsumerRecord<byte[], byte[]>> records = TestKafka.readCommitted(BOOTSTRAP, topic, count,
                Duration.ofSeconds(30));
        assertThat(records).hasSize(count);
        assertThat(records).allSatisfy(r -> assertThat(r.key()).isNotNull());

        Set<String> badKinds = new HashSet<>();
        Set<String> users = new HashSet<>();
        int invalid = 0;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            users.add(new String(record.key(), StandardCharsets.UTF_8));
            ValidationResult result = VALIDATOR.validate(record.value());
            if (result.isValid()) {
                Map<?, ?> event = new ObjectMapper().readValue(record.value(), Map.class);
                assertThat(event.get("user_id")).isEqualTo(new String(record.key(), StandardCharsets.UTF_8));
                continue;
            }
            invalid++;
            if (result.reason() == Reason.SCHEMA) {
                result.violations().forEach(v -> badKinds.add(kindOf(v)));
            } else {
                badKinds.add(result.reason().label());
            }
        }
        assertThat(badKinds).containsExactlyInAnyOrder("required /device_type", "type /timestamp", "format /ip",
                "maxLength /locale", "additionalProperties /session_id", "not-json");
        assertThat((double) invalid / count).isBetween(ratio - 0.03, ratio + 0.03);
        assertThat(users).hasSizeBetween(500, EventGenerator.RETURNING_USERS);
    }

    private static String kindOf(Violation violation) {
        return violation.keyword() + " " + violation.path();
    }

    @Test
    void theSameSeedGivesTheSameEvents() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
        GeneratedEvents first = new GeneratedEvents(7, 0.5, clock);
        GeneratedEvents second = new GeneratedEvents(7, 0.5, clock);
        for (int i = 0; i < 200; i++) {
            OutgoingRecord a = first.next().orElseThrow();
            OutgoingRecord b = second.next().orElseThrow();
            assertThat(a.key()).isEqualTo(b.key());
            assertThat(a.value()).isEqualTo(b.value());
        }
    }

    @Test
    void fromSendsEachNonEmptyLineAsItIs() throws Exception {
        String topic = newTopic(1);
        String valid = "{\"user_id\":\"u-1\",\"app_version\":\"2.3.0\",\"device_type\":\"android\",\"ip\":\"8.8.8.8\","
                + "\"locale\":\"en\",\"device_id\":\"d-1\",\"timestamp\":1700000000}";
        byte[] binary = {(byte) 0xC3, (byte) 0x28, 0x01, 0x7F};
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes((valid + "\n").getBytes(StandardCharsets.UTF_8));
        file.writeBytes("not json at all\r\n\n".getBytes(StandardCharsets.UTF_8));
        file.writeBytes(binary);
        file.writeBytes("\n{\"user_id\":42}".getBytes(StandardCharsets.UTF_8));

        int status = ProducerMain.run(config(topic, Map.of()), lines(file.toByteArray(), 1000), stop -> { });

        assertThat(status).isZero();
        List<ConsumerRecord<byte[], byte[]>> records = TestKafka.readCommitted(BOOTSTRAP, topic, 4,
                Duration.ofSeconds(30));
        assertThat(records).extracting(ConsumerRecord::value).containsExactly(
                valid.getBytes(StandardCharsets.UTF_8), "not json at all".getBytes(StandardCharsets.UTF_8), binary,
                "{\"user_id\":42}".getBytes(StandardCharsets.UTF_8));
        assertThat(records).extracting(ConsumerRecord::key).containsExactly(
                "u-1".getBytes(StandardCharsets.UTF_8), null, null, null);
    }

    static LinesSource lines(byte[] file, int maxLineBytes) {
        return new LinesSource(Channels.newChannel(new ByteArrayInputStream(file)), maxLineBytes);
    }

    /** Lines longer than a record may be are dropped whole (never sent in part), counted, and make the status 1. */
    @Test
    void fromSendsEveryLineThatFitsAndCountsTheOthers() throws Exception {
        String topic = newTopic(1);
        Config config = config(topic, Map.of());
        int max = ProducerMain.maxLineBytes(ProducerMain.producerProperties(config));
        assertThat(max).isEqualTo(1024 * 1024 - ProducerMain.RECORD_OVERHEAD_BYTES);
        String valid = "{\"user_id\":\"u-1\",\"app_version\":\"2.3.0\",\"device_type\":\"android\",\"ip\":\"8.8.8.8\","
                + "\"locale\":\"en\",\"device_id\":\"d-1\",\"timestamp\":1700000000}";
        String exactlyMax = "y".repeat(max);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes((valid + "\n\n").getBytes(StandardCharsets.UTF_8));
        file.writeBytes(("x".repeat(2 * max) + "\n").getBytes(StandardCharsets.UTF_8));      // too long
        file.writeBytes(("second\r\n\r\n" + exactlyMax + "\r\n").getBytes(StandardCharsets.UTF_8));
        file.writeBytes((exactlyMax + "z\n").getBytes(StandardCharsets.UTF_8));            // one byte too many
        file.writeBytes(("last\n" + "w".repeat(3 * max)).getBytes(StandardCharsets.UTF_8)); // too long, no newline
        LinesSource source = lines(file.toByteArray(), max);

        int status = ProducerMain.run(config, source, stop -> { });

        assertThat(status).isEqualTo(1);
        assertThat(source.skipped()).isEqualTo(3);
        List<ConsumerRecord<byte[], byte[]>> records = TestKafka.readCommitted(BOOTSTRAP, topic, 4,
                Duration.ofSeconds(30));
        assertThat(records).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly(valid, "second", exactlyMax, "last");
    }

    @Test
    void aTopicThatIsNotThereEndsTheRunWithStatusOne() throws Exception {
        Config config = config(TestKafka.uniqueName("missing"), Map.of("EVENT_COUNT", "5",
                "KAFKA_CLIENT_MAX_BLOCK_MS", "1000"));

        int status = ProducerMain.run(config, new GeneratedEvents(1, 0, Clock.systemUTC()), stop -> { });

        assertThat(status).isEqualTo(1);
    }
}
