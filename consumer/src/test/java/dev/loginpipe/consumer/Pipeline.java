package dev.loginpipe.consumer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Service;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.local.TestKafka;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.header.Header;

/** One test's topics and group on a real broker, and ways to run the consumer against them. */
final class Pipeline {
    final String bootstrap;
    final String input = TestKafka.uniqueName("in");
    final String output = TestKafka.uniqueName("out");
    final String dlq = TestKafka.uniqueName("dlq");
    final String group = TestKafka.uniqueName("group");
    /** A killed member's partitions move after 6 s instead of Kafka's default 45 s session timeout. */
    static final Map<String, String> QUICK_SESSION = Map.of("KAFKA_CLIENT_SESSION_TIMEOUT_MS", "6000",
            "KAFKA_CLIENT_HEARTBEAT_INTERVAL_MS", "1000");

    Pipeline(String bootstrap, int partitions) {
        this(bootstrap, partitions, Map.of("max.message.bytes", "2097152"));
    }

    Pipeline(String bootstrap, int partitions, Map<String, String> dlqConfigs) {
        this(bootstrap);
        TestKafka.createTopic(bootstrap, input, partitions);
        TestKafka.createTopic(bootstrap, output, partitions);
        TestKafka.createTopic(bootstrap, dlq, 1, 1, dlqConfigs);
    }

    /** Names only: the test creates the topics it wants. */
    Pipeline(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    Map<String, String> env(String instance) {
        Map<String, String> env = new HashMap<>();
        env.put("BOOTSTRAP_SERVERS", bootstrap);
        env.put("INPUT_TOPIC", input);
        env.put("OUTPUT_TOPIC", output);
        env.put("DLQ_TOPIC", dlq);
        env.put("GROUP_ID", group);
        env.put("INSTANCE_ID", instance);
        env.put("HTTP_PORT", "0");
        env.put("LOG_SUMMARY_SECONDS", "0");
        return env;
    }

    /** A consumer instance in this JVM. */
    final class InProcess implements AutoCloseable {
        final RoutingLoop loop;
        final Health health = new Health();
        final PrometheusRegistry registry = new PrometheusRegistry();
        final ConsumerMetrics metrics = new ConsumerMetrics(registry);
        final CompletableFuture<Integer> status;

        InProcess(Map<String, String> env) {
            loop = ConsumerMain.newLoop(Config.load(Service.CONSUMER, env), metrics, health);
            status = CompletableFuture.supplyAsync(loop::run, runnable -> new Thread(runnable, "loop").start());
        }

        /** The {@code version} label of {@code loginpipe_schema_info}: the version its next transaction takes. */
        String schemaVersion() {
            for (MetricSnapshot metric : registry.scrape()) {
                if (metric instanceof InfoSnapshot info && !info.getDataPoints().isEmpty()) {
                    return info.getDataPoints().get(0).getLabels().get("version");
                }
            }
            return null;
        }

        int stop() {
            loop.stop();
            return status.join();
        }

        @Override
        public void close() {
            stop();
        }
    }

    InProcess start(String instance) {
        return start(instance, Map.of());
    }

    InProcess start(String instance, Map<String, String> extraEnv) {
        Map<String, String> env = env(instance);
        env.putAll(extraEnv);
        return new InProcess(env);
    }

    /** The consumer as its own JVM, as a supervisor would run it; its output goes to a log file. */
    Process startProcess(String instance, Map<String, String> extraEnv) throws IOException {
        Path log = Files.createTempFile("consumer-" + instance + "-", ".log");
        ProcessBuilder builder = new ProcessBuilder(javaCommand(ConsumerMain.class.getName()))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env(instance));
        builder.environment().putAll(extraEnv);
        return builder.start();
    }

    static List<String> javaCommand(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Sends every record to the input; a record the broker did not take fails the test here, not later. One request
     * at a time: a loaded broker answered the first request to a just-created topic NOT_LEADER_OR_FOLLOWER and took the
     * next ones, so the retried first batch (sequence 0) was refused as out of sequence until it expired.
     */
    void send(List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(bootstrap, Map.of("max.request.size", "2000000",
                "max.in.flight.requests.per.connection", "1"))) {
            List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
            for (ProducerRecord<byte[], byte[]> r : records) {
                sent.add(producer.send(new ProducerRecord<>(input, r.partition(), r.key(), r.value(), r.headers())));
            }
            producer.flush();
            for (Future<RecordMetadata> result : sent) {
                result.get();
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("the input did not take every record", e);
        }
    }

    /** {@code count} records, every tenth not an event, keyed so that they spread over the partitions. */
    void sendMixed(int count) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String value = i % 10 == 0 ? "not json " + i : validEvent("user-" + i);
            records.add(record(("user-" + i).getBytes(UTF_8), value.getBytes(UTF_8)));
        }
        send(records);
    }

    static ProducerRecord<byte[], byte[]> record(byte[] key, byte[] value, Header... headers) {
        return new ProducerRecord<>("input", null, key, value, List.of(headers));
    }

    static String validEvent(String userId) {
        return "{\"user_id\":\"" + userId + "\",\"app_version\":\"2.3.0\",\"device_type\":\"android\","
                + "\"ip\":\"93.184.216.34\",\"locale\":\"en\",\"device_id\":\"d-" + userId + "\",\"timestamp\":1700000000}";
    }

    List<ConsumerRecord<byte[], byte[]>> readOutput(int expected) {
        return TestKafka.readCommitted(bootstrap, output, expected, Duration.ofSeconds(60));
    }

    List<ConsumerRecord<byte[], byte[]>> readDlq(int expected) {
        return TestKafka.readCommitted(bootstrap, dlq, expected, Duration.ofSeconds(60));
    }

    /**
     * Asserts that output ∪ DLQ holds every input record exactly once, by the input coordinates in the
     * source headers, and that every routed value equals its input's bytes.
     */
    void assertExactlyOnce(int inputCount) {
        List<ConsumerRecord<byte[], byte[]>> in = TestKafka.readCommitted(bootstrap, input, inputCount, Duration.ofSeconds(60));
        assertThat(in).hasSize(inputCount);
        // read_committed ends at the last stable offset: while a transaction is still open (its markers not yet
        // written, or a killed member's not yet aborted) records committed after it are not visible yet, so read
        // until every input record could be there, or two minutes (past any transaction's timeout) have passed.
        List<ConsumerRecord<byte[], byte[]>> routed;
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        do {
            routed = new ArrayList<>(readOutput(0));
            routed.addAll(readDlq(0));
        } while (routed.size() < inputCount && System.nanoTime() < deadline);
        Map<String, Integer> seen = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : routed) {
            seen.merge(header(r, DlqHeaders.SOURCE_PARTITION) + "@" + header(r, DlqHeaders.SOURCE_OFFSET), 1, Integer::sum);
        }
        List<String> missing = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : in) {
            if (!seen.containsKey(r.partition() + "@" + r.offset())) {
                missing.add(r.partition() + "@" + r.offset());
            }
        }
        assertThat(missing).as("input records missing from output and DLQ (transactions not complete: %s)",
                transactionsNotComplete()).isEmpty();
        assertThat(seen).as("input records routed more than once").allSatisfy((k, n) -> assertThat(n).isEqualTo(1));
        assertThat(routed).hasSize(inputCount);
    }

    /**
     * Input records the group has routed: the sum of its committed offsets, which commit in the transaction of the
     * records' output and DLQ copies (the input holds no transaction markers). One request, so a test can ask it
     * while it waits; reading the output again and again would compete with the consumers for the CPU.
     */
    long routed() throws Exception {
        try (Admin admin = TestKafka.admin(bootstrap)) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(input) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    private List<String> transactionsNotComplete() {
        try (Admin admin = TestKafka.admin(bootstrap)) {
            return admin.listTransactions().all().get().stream()
                    .filter(t -> t.state() != TransactionState.COMPLETE_COMMIT && t.state() != TransactionState.COMPLETE_ABORT
                            && t.state() != TransactionState.EMPTY)
                    .map(t -> t.transactionalId() + " " + t.state()).toList();
        } catch (InterruptedException | ExecutionException e) {
            return List.of("unknown: " + e);
        }
    }

    /** The group's committed offsets are at the end of every input partition. */
    boolean groupCaughtUp() throws Exception {
        try (Admin admin = TestKafka.admin(bootstrap)) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (TopicPartitionInfo p : admin.describeTopics(List.of(input)).allTopicNames().get().get(input).partitions()) {
                latest.put(new TopicPartition(input, p.partition()), OffsetSpec.latest());
            }
            for (var end : admin.listOffsets(latest).all().get().entrySet()) {
                OffsetAndMetadata at = committed.get(end.getKey());
                if (end.getValue().offset() > 0 && (at == null || at.offset() < end.getValue().offset())) {
                    return false;
                }
            }
            return true;
        }
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), UTF_8);
    }

}
