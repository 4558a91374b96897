package dev.loginpipe.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The bench's record-by-record check on a real broker: it passes an exact routing and names every kind of fault. */
class ExactlyOnceCheckTest {
    private static final int VALID_EVENTS = 3;

    private final String bootstrap = TestKafka.shared().bootstrapServers();

    /** A record as a router writes it: to the output, or to the DLQ with a reason. */
    private record Routed(boolean toDlq, String sourceTopic, long partition, long offset, boolean withReason) {
        static Routed output(long partition, long offset) {
            return new Routed(false, null, partition, offset, false);
        }

        static Routed dlq(long partition, long offset) {
            return new Routed(true, null, partition, offset, true);
        }
    }

    private static List<Routed> exact() {
        return new ArrayList<>(List.of(Routed.output(0, 0), Routed.dlq(0, 1), Routed.output(1, 0), Routed.output(2, 0)));
    }

    @Test
    void anExactRoutingHolds() {
        ExactlyOnceCheck.Verdict verdict = check(exact(), List.of());
        assertThat(verdict).isEqualTo(new ExactlyOnceCheck.Verdict(4, 3, 1, VALID_EVENTS, 0, 0, 0, 0));
        assertThat(verdict.holds()).isTrue();
    }

    @Test
    void aDuplicateAndAMissingRecordAreCounted() {
        List<Routed> routed = exact();
        routed.set(2, Routed.output(2, 0)); // 1@0 missing, 2@0 twice
        ExactlyOnceCheck.Verdict verdict = check(routed, List.of());
        assertThat(verdict).isEqualTo(new ExactlyOnceCheck.Verdict(4, 3, 1, VALID_EVENTS, 1, 1, 0, 0));
        assertThat(verdict.holds()).isFalse();
    }

    @Test
    void recordsFromElsewhereAreCounted() {
        List<Routed> routed = exact();
        routed.add(Routed.output(0, 2)); // past the input's end
        routed.add(Routed.output(3, 0)); // a partition the input does not have
        routed.add(new Routed(false, "another-topic", 1, 0, false));
        routed.add(Routed.output(-1, 0)); // no source headers at all
        ExactlyOnceCheck.Verdict verdict = check(routed, List.of());
        assertThat(verdict).isEqualTo(new ExactlyOnceCheck.Verdict(4, 7, 1, VALID_EVENTS, 0, 0, 4, 0));
        assertThat(verdict.holds()).isFalse();
    }

    @Test
    void aDlqRecordWithoutReasonAndAnOutputRecordWithOneAreMislabelled() {
        List<Routed> routed = exact();
        routed.set(1, new Routed(true, null, 0, 1, false));
        routed.set(3, new Routed(false, null, 2, 0, true));
        ExactlyOnceCheck.Verdict verdict = check(routed, List.of());
        assertThat(verdict).isEqualTo(new ExactlyOnceCheck.Verdict(4, 3, 1, VALID_EVENTS, 0, 0, 0, 2));
        assertThat(verdict.holds()).isFalse();
    }

    @Test
    void aValidEventOnTheDlqFailsTheCheck() {
        List<Routed> routed = exact();
        routed.set(0, Routed.dlq(0, 0));
        ExactlyOnceCheck.Verdict verdict = check(routed, List.of());
        assertThat(verdict).isEqualTo(new ExactlyOnceCheck.Verdict(4, 2, 2, VALID_EVENTS, 0, 0, 0, 0));
        assertThat(verdict.holds()).isFalse();
    }

    @Test
    void writesOfAnAbortedTransactionDoNotCount() {
        ExactlyOnceCheck.Verdict verdict = check(exact(), List.of(Routed.output(0, 0), Routed.dlq(0, 1)));
        assertThat(verdict).isEqualTo(new ExactlyOnceCheck.Verdict(4, 3, 1, VALID_EVENTS, 0, 0, 0, 0));
        assertThat(verdict.holds()).isTrue();
    }

    /**
     * Fresh output and DLQ topics holding {@code routed} (committed) and {@code aborted} (written, then aborted), checked
     * against an input of four events: offsets 0 and 1 on partition 0 (0@1 the invalid one), 0 on partitions 1 and 2.
     * The check reads only the input's end offsets, so the input topic itself need not exist.
     */
    private ExactlyOnceCheck.Verdict check(List<Routed> routed, List<Routed> aborted) {
        RunTopics run = RunTopics.named(TestKafka.uniqueName("check"));
        TestKafka.createTopic(bootstrap, run.output(), BenchAdmin.PARTITIONS);
        TestKafka.createTopic(bootstrap, run.dlq(), BenchAdmin.PARTITIONS);
        try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(bootstrap,
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, run.name()))) {
            producer.initTransactions();
            producer.beginTransaction();
            routed.forEach(r -> producer.send(record(run, r)));
            producer.commitTransaction();
            producer.beginTransaction();
            aborted.forEach(r -> producer.send(record(run, r)));
            producer.flush();
            producer.abortTransaction();
        }
        Map<TopicPartition, Long> end = Map.of(new TopicPartition(run.input(), 0), 2L,
                new TopicPartition(run.input(), 1), 1L, new TopicPartition(run.input(), 2), 1L);
        return ExactlyOnceCheck.check(bootstrap, run, end, VALID_EVENTS);
    }

    private static ProducerRecord<byte[], byte[]> record(RunTopics run, Routed r) {
        RecordHeaders headers = new RecordHeaders();
        if (r.partition() >= 0) {
            headers.add(DlqHeaders.SOURCE_TOPIC, (r.sourceTopic() == null ? run.input() : r.sourceTopic()).getBytes(UTF_8));
            headers.add(DlqHeaders.SOURCE_PARTITION, Long.toString(r.partition()).getBytes(UTF_8));
            headers.add(DlqHeaders.SOURCE_OFFSET, Long.toString(r.offset()).getBytes(UTF_8));
        }
        if (r.withReason()) {
            headers.add(DlqHeaders.ERROR_REASON, "schema".getBytes(UTF_8));
        }
        return new ProducerRecord<>(r.toDlq() ? run.dlq() : run.output(), null, (byte[]) null, "{}".getBytes(UTF_8), headers);
    }
}
