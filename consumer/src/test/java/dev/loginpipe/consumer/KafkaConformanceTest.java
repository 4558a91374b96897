package dev.loginpipe.consumer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.KafkaErrors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/**
 * The fault simulation's Kafka is a claim about Kafka, so it is checked: each scenario here is one script of client
 * calls, played against the model ({@link SimCluster}) and against a real broker, and what each side shows (the
 * outcome of every call, what read_committed sees, the group's committed offsets, positions after a rebalance) must be
 * the same. A model that disagrees with the broker fails the build.
 */
class KafkaConformanceTest {
    /** The real broker: a commit's answer can be turned into an error the client does not map. */
    private static final EndTxnFaultProxy broker = EndTxnFaultProxy.shared();

    /** One script, played on either side. */
    interface Side extends AutoCloseable {
        @Override
        void close();

        /** A transactional producer, initialised, with the side's one transactional id and a 60 s transaction timeout. */
        default Producer<byte[], byte[]> producer() {
            return producer(Duration.ofSeconds(60));
        }

        Producer<byte[], byte[]> producer(Duration transactionTimeout);

        /** A read_committed consumer of the group, not subscribed. */
        Consumer<byte[], byte[]> reader();

        /** A member of the group subscribed to the input, with the given assignor and a listener. */
        Consumer<byte[], byte[]> member(boolean cooperative, ConsumerRebalanceListener listener);

        /** A second member joins the group; returns once the first has its new assignment. */
        void secondMemberJoins(Consumer<byte[], byte[]> first);

        /** Source coordinates of the output records read_committed sees. */
        List<String> visibleOutput();

        /** The coordinator answers the next successful EndTxn with an error the client does not map. */
        void failNextEndTxn();

        /** Time passes without a call of this transactional id's producer, past its transaction timeout. */
        void pastTransactionTimeout();

        String input();

        String output();

        String group();
    }

    @Test
    void aCommitTheCoordinatorAppliedIsCompletedByTheNextProducerWhateverTheClientHeard() {
        assertSameOnBoth(side -> {
            List<String> seen = new ArrayList<>();
            Producer<byte[], byte[]> first = side.producer();
            openTransactionWithOffsets(side, first);
            side.failNextEndTxn();
            seen.add("commit: " + outcome(first::commitTransaction));
            seen.add("abort: " + outcome(first::abortTransaction));
            first.close(Duration.ZERO);
            Producer<byte[], byte[]> next = side.producer();
            seen.add("visible: " + side.visibleOutput());
            seen.add("committed: " + committed(side));
            next.close(Duration.ZERO);
            return seen;
        });
    }

    @Test
    void aNewProducerAbortsAnOpenTransactionAndFencesItsPredecessor() {
        assertSameOnBoth(side -> {
            List<String> seen = new ArrayList<>();
            Producer<byte[], byte[]> first = side.producer();
            openTransactionWithOffsets(side, first);
            Producer<byte[], byte[]> next = side.producer();
            seen.add("visible: " + side.visibleOutput());
            seen.add("committed: " + committed(side));
            seen.add("old commit: " + outcome(first::commitTransaction));
            first.close(Duration.ZERO);
            next.close(Duration.ZERO);
            return seen;
        });
    }

    @Test
    void readCommittedStopsAtTheLastStableOffsetAndCommittedOffsetsAreUnstableWhileOpen() {
        assertSameOnBoth(side -> {
            List<String> seen = new ArrayList<>();
            Producer<byte[], byte[]> producer = side.producer();
            openTransactionWithOffsets(side, producer);
            seen.add("visible while open: " + side.visibleOutput());
            seen.add("committed while open: " + committed(side));
            seen.add("commit: " + outcome(producer::commitTransaction));
            seen.add("visible: " + side.visibleOutput());
            seen.add("committed: " + committed(side));
            producer.close(Duration.ZERO);
            return seen;
        });
    }

    @Test
    void theCoordinatorAbortsTheTransactionOfAFrozenProducer() {
        assertSameOnBoth(side -> {
            List<String> seen = new ArrayList<>();
            Producer<byte[], byte[]> frozen = side.producer(Duration.ofSeconds(1));
            openTransactionWithOffsets(side, frozen);
            side.pastTransactionTimeout();
            seen.add("visible: " + side.visibleOutput());
            seen.add("committed: " + committed(side));
            seen.add("commit after the timeout: " + outcome(frozen::commitTransaction));
            frozen.close(Duration.ZERO);
            Producer<byte[], byte[]> next = side.producer();
            seen.add("next producer: initialised");
            next.close(Duration.ZERO);
            return seen;
        });
    }

    @Test
    void aCooperativeRebalanceRevokesOnlyWhatMovesAndKeepsPositions() {
        assertSameOnBoth(side -> rebalance(side, true));
    }

    @Test
    void anEagerRebalanceRevokesEverythingAndRestartsFromCommittedOffsets() {
        assertSameOnBoth(side -> rebalance(side, false));
    }

    private static List<String> rebalance(Side side, boolean cooperative) {
        List<String> seen = new ArrayList<>();
        List<Integer> revoked = new ArrayList<>();
        List<Long> positions = new ArrayList<>();
        boolean[] rebalancing = {false};
        List<Consumer<byte[], byte[]>> member = new ArrayList<>();
        member.add(side.member(cooperative, new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    revoked.add(partitions.size());
                }
            }

            /** The positions of everything assigned, as the last callback of the rebalance sees them. */
            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (rebalancing[0]) {
                    positions.clear();
                    member.get(0).assignment().forEach(tp -> positions.add(member.get(0).position(tp)));
                }
            }
        }));
        Consumer<byte[], byte[]> first = member.get(0);
        seen.add("assigned: " + first.assignment().size());
        for (TopicPartition tp : first.assignment()) {
            first.seek(tp, 1);
        }
        first.pause(first.assignment()); // polls while the second joins fetch nothing: positions stay where they are
        rebalancing[0] = true;
        side.secondMemberJoins(first);
        seen.add("revoked: " + revoked);
        seen.add("positions once the rebalance is done: " + positions);
        first.close(Duration.ZERO);
        return seen;
    }

    /** Begins, sends copies of input partition 0's records 0-2 to the output, and adds offset 3 to the transaction. */
    private static void openTransactionWithOffsets(Side side, Producer<byte[], byte[]> producer) {
        producer.beginTransaction();
        for (int offset = 0; offset < 3; offset++) {
            ProducerRecord<byte[], byte[]> copy = new ProducerRecord<>(side.output(), 0, "k".getBytes(UTF_8),
                    Pipeline.validEvent("u" + offset).getBytes(UTF_8));
            copy.headers().add(new RecordHeader(DlqHeaders.SOURCE_PARTITION, "0".getBytes(UTF_8)));
            copy.headers().add(new RecordHeader(DlqHeaders.SOURCE_OFFSET, Integer.toString(offset).getBytes(UTF_8)));
            copy.headers().add(new RecordHeader(DlqHeaders.SCHEMA_VERSION, "1".getBytes(UTF_8)));
            producer.send(copy);
        }
        producer.flush();
        producer.sendOffsetsToTransaction(Map.of(new TopicPartition(side.input(), 0), new OffsetAndMetadata(3, "1")),
                new ConsumerGroupMetadata(side.group()));
    }

    private static String committed(Side side) {
        try (Consumer<byte[], byte[]> reader = side.reader()) {
            TopicPartition tp = new TopicPartition(side.input(), 0);
            try {
                OffsetAndMetadata offset = reader.committed(Set.of(tp), Duration.ofSeconds(2)).get(tp);
                return offset == null ? "none" : Long.toString(offset.offset());
            } catch (KafkaException e) {
                return kind(e);
            }
        }
    }

    private static String outcome(Runnable call) {
        try {
            call.run();
            return "ok";
        } catch (KafkaException | IllegalStateException e) {
            return kind(e);
        }
    }

    /** What the loop tells apart: fenced, a timeout, or another error (by class). */
    private static String kind(RuntimeException e) {
        if (KafkaErrors.isFenced(e)) {
            return "fenced";
        }
        return e.getClass().getSimpleName();
    }

    private static void assertSameOnBoth(Function<Side, List<String>> script) {
        List<String> real;
        try (RealSide side = new RealSide(broker.bootstrapServers(), broker)) {
            real = script.apply(side);
        }
        System.out.println("real Kafka: " + real);
        List<String> model;
        try (ModelSide side = new ModelSide()) {
            model = script.apply(side);
        }
        System.out.println("the model:  " + model);
        assertThat(model).as("what the model shows, against what the broker shows").isEqualTo(real);
    }
}
