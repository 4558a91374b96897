package dev.loginpipe.dlq;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Service;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** One test's DLQ (2 partitions), input topic and replay ledger on the shared broker, and DLQ records to fill it. */
public final class DlqFixture {
    public static final String BOOTSTRAP = TestKafka.shared().bootstrapServers();
    public static final Duration WAIT = Duration.ofSeconds(30);
    public static final String DETAILS = "[{\"path\":\"/ip\",\"keyword\":\"format\",\"message\":\"bad\"},"
            + "{\"path\":\"/device_type\",\"keyword\":\"required\",\"message\":\"missing\"}]";

    /** The key the tests' consoles sign their audit trails with. */
    public static final String AUDIT_KEY = "test-audit-key-0123456789abcdef-0123456789";

    public final String dlq = TestKafka.uniqueName("dlq");
    public final String input = TestKafka.uniqueName("user-login");
    public final String ledger = dlq + "-replayed";

    public DlqFixture() {
        TestKafka.createTopic(BOOTSTRAP, dlq, 2);
        TestKafka.createTopic(BOOTSTRAP, input, 1);
    }

    /** The DLQ tool's settings of this fixture, a replay group of its own, and overrides as name, value pairs. */
    public Config config(String... overrides) {
        return config(Service.DLQ_CONSUMER, overrides);
    }

    /** As {@link #config(String...)}, for the given program (the console's tests ask for theirs). */
    public Config config(Service service, String... overrides) {
        Map<String, String> env = new HashMap<>(Map.of("BOOTSTRAP_SERVERS", BOOTSTRAP, "DLQ_TOPIC", dlq,
                "INPUT_TOPIC", input, "REPLAY_GROUP_ID", TestKafka.uniqueName("replay"), "REPLAY_LEDGER_TOPIC", ledger,
                "HTTP_PORT", "0", "INSTANCE_ID", "test", "MAX_REPLAYS", "2", "REDRIVE_AUDIT_KEY", AUDIT_KEY));
        for (int i = 0; i < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return Config.load(service, env);
    }

    /** Headers as the consumer writes them, plus any given as name, value pairs. */
    public static RecordHeaders contract(String reason, long at, String... extra) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "t-1".getBytes(StandardCharsets.UTF_8));
        Map<String, String> values = new LinkedHashMap<>(Map.of(DlqHeaders.SOURCE_TOPIC, "user-login",
                DlqHeaders.SOURCE_PARTITION, "0", DlqHeaders.SOURCE_OFFSET, "7", DlqHeaders.ERROR_REASON, reason,
                DlqHeaders.ERROR_MESSAGE, "bad event from 203.0.113.9", DlqHeaders.ERROR_AT, Long.toString(at)));
        if (reason.equals("schema")) {
            values.put(DlqHeaders.ERROR_DETAILS, DETAILS);
        }
        for (int i = 0; i < extra.length; i += 2) {
            values.put(extra[i], extra[i + 1]);
        }
        values.forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
        return headers;
    }

    public void write(List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(BOOTSTRAP, Map.of())) {
            records.forEach(producer::send);
        }
    }

    public ProducerRecord<byte[], byte[]> dlqRecord(int partition, String key, String value, RecordHeaders headers) {
        return new ProducerRecord<>(dlq, partition, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** Three schema, two not-json and one record written by someone else, over two partitions. */
    public void writeMixedDlq() {
        write(List.of(
                dlqRecord(0, "u-1", "{\"ip\":\"999.1.1.1\"}", contract("schema", 1_000)),
                dlqRecord(0, "u-2", "{\"ip\":\"1.2.3\"}", contract("schema", 2_000)),
                dlqRecord(1, "u-3", "{\"ip\":\"::1\"}", contract("schema", 3_000)),
                dlqRecord(1, "u-4", "{\"user_id\":", contract("not-json", 4_000)),
                dlqRecord(0, null, "nope", contract("not-json", 5_000)),
                new ProducerRecord<>(dlq, 1, null, "stray".getBytes(StandardCharsets.UTF_8))));
    }

    /** The values of the six records of {@link #writeMixedDlq}. */
    public static final List<String> MIXED_VALUES = List.of("{\"ip\":\"999.1.1.1\"}", "{\"ip\":\"1.2.3\"}",
            "{\"ip\":\"::1\"}", "{\"user_id\":", "nope", "stray");

    /** The values on the input topic (what replay published), once at least {@code expected} are there. */
    public List<String> inputValues(int expected) {
        return TestKafka.readCommitted(BOOTSTRAP, input, expected, WAIT).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    public List<ConsumerRecord<byte[], byte[]>> inputRecords(int expected) {
        return TestKafka.readCommitted(BOOTSTRAP, input, expected, WAIT);
    }
}
