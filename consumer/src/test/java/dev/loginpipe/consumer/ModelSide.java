package dev.loginpipe.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.producer.Producer;

/**
 * {@link KafkaConformanceTest}'s scripts on the fault simulation's model of Kafka ({@link SimCluster}, through the same
 * {@link SimProducer} and {@link SimConsumer} the routing loop meets there); the input has two partitions of three
 * records, like {@link RealSide}'s.
 */
final class ModelSide implements KafkaConformanceTest.Side {
    private final SimCluster cluster = new SimCluster(2, 3);

    @Override
    public Producer<byte[], byte[]> producer(Duration transactionTimeout) {
        cluster.transactionTimeoutNanos = transactionTimeout.toNanos();
        SimInstance instance = cluster.instances.get(0);
        instance.fenceSignalled = false; // a script may start a producer after one was fenced: no twin is harmed here
        SimProducer producer = new SimProducer(cluster, instance);
        producer.initTransactions();
        return producer;
    }

    @Override
    public Consumer<byte[], byte[]> reader() {
        return new SimConsumer(cluster, cluster.instances.get(0));
    }

    @Override
    public Consumer<byte[], byte[]> member(boolean cooperative, ConsumerRebalanceListener listener) {
        cluster.cooperative = cooperative;
        SimConsumer member = new SimConsumer(cluster, cluster.instances.get(0));
        member.subscribe(List.of(SimCluster.INPUT), listener);
        member.poll(Duration.ZERO); // joins the group
        return member;
    }

    /** The group gives the second member one of the first's two partitions. */
    @Override
    public void secondMemberJoins(Consumer<byte[], byte[]> first) {
        cluster.rebalance((SimConsumer) first, Set.of(0));
    }

    @Override
    public List<String> visibleOutput() {
        return cluster.visibleOutput();
    }

    @Override
    public void failNextEndTxn() {
        cluster.commitsFatalApplied++;
    }

    @Override
    public void pastTransactionTimeout() {
        cluster.nanos += cluster.transactionTimeoutNanos + 1;
        cluster.coordinatorsAct();
    }

    @Override
    public String input() {
        return SimCluster.INPUT;
    }

    @Override
    public String output() {
        return SimCluster.OUTPUT;
    }

    @Override
    public String group() {
        return SimCluster.GROUP;
    }

    /** The model's own invariants held through the script. */
    @Override
    public void close() {
        assertThat(cluster.violation).as("the model's invariants").isNull();
    }
}
