package dev.loginpipe.consumer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@link KafkaConformanceTest}'s scripts on a real broker (behind {@link EndTxnFaultProxy}): fresh topics, group and
 * transactional id for each script; the input has two partitions of three records.
 */
final class RealSide implements KafkaConformanceTest.Side {
    private final String bootstrap;
    private final EndTxnFaultProxy proxy;
    private final String input = TestKafka.uniqueName("conformance-in");
    private final String output = TestKafka.uniqueName("conformance-out");
    private final String group = TestKafka.uniqueName("conformance-group");
    private final String transactionalId = TestKafka.uniqueName("conformance-tx");
    private final List<AutoCloseable> clients = new ArrayList<>();
    private boolean cooperative;

    RealSide(String bootstrap, EndTxnFaultProxy proxy) {
        this.bootstrap = bootstrap;
        this.proxy = proxy;
        TestKafka.createTopic(bootstrap, input, 2);
        TestKafka.createTopic(bootstrap, output, 1);
        try (Producer<byte[], byte[]> producer = TestKafka.producer(bootstrap, Map.of())) {
            for (int p = 0; p < 2; p++) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>(input, p, null, ("record " + i).getBytes(UTF_8)));
                }
            }
        }
    }

    @Override
    public Producer<byte[], byte[]> producer(Duration transactionTimeout) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) transactionTimeout.toMillis());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer());
        clients.add(() -> producer.close(Duration.ZERO));
        producer.initTransactions();
        return producer;
    }

    @Override
    public Consumer<byte[], byte[]> reader() {
        return consumer(Map.of());
    }

    @Override
    public Consumer<byte[], byte[]> member(boolean cooperative, ConsumerRebalanceListener listener) {
        this.cooperative = cooperative;
        Consumer<byte[], byte[]> member = joined(listener);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            member.poll(Duration.ofMillis(100));
            return member.assignment().size() == 2;
        });
        return member;
    }

    private Consumer<byte[], byte[]> joined(ConsumerRebalanceListener listener) {
        Consumer<byte[], byte[]> member = consumer(Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                (cooperative ? CooperativeStickyAssignor.class : RangeAssignor.class).getName()));
        clients.add(member);
        member.subscribe(List.of(input), listener);
        return member;
    }

    @Override
    public void secondMemberJoins(Consumer<byte[], byte[]> first) {
        Consumer<byte[], byte[]> second = joined(new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {
            }

            @Override
            public void onPartitionsAssigned(java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            first.poll(Duration.ofMillis(100));
            second.poll(Duration.ofMillis(100));
            return first.assignment().size() == 1 && second.assignment().size() == 1;
        });
    }

    @Override
    public List<String> visibleOutput() {
        List<String> seen = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TestKafka.readCommitted(bootstrap, output, 0, Duration.ofSeconds(10))) {
            seen.add(Pipeline.header(r, DlqHeaders.SOURCE_PARTITION) + "@" + Pipeline.header(r, DlqHeaders.SOURCE_OFFSET));
        }
        return seen;
    }

    @Override
    public void failNextEndTxn() {
        proxy.failNextEndTxn(1);
    }

    /** The coordinator checks for timed-out transactions every 200 ms here: wait until it has aborted this one. */
    @Override
    public void pastTransactionTimeout() {
        try (Admin admin = TestKafka.admin(bootstrap)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                TransactionState state = admin.describeTransactions(List.of(transactionalId)).all().get()
                        .get(transactionalId).state();
                return state == TransactionState.COMPLETE_ABORT || state == TransactionState.EMPTY;
            });
        }
    }

    private Consumer<byte[], byte[]> consumer(Map<String, Object> extra) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putAll(extra);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public String input() {
        return input;
    }

    @Override
    public String output() {
        return output;
    }

    @Override
    public String group() {
        return group;
    }

    @Override
    public void close() {
        for (AutoCloseable client : clients) {
            try {
                client.close();
            } catch (Exception ignored) {
                // closing what may be closed already
            }
        }
    }
}
