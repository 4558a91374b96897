package dev.loginpipe.dlq.replay;

import static dev.loginpipe.dlq.DlqFixture.BOOTSTRAP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.loginpipe.dlq.DlqFixture;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The ledger read back: what counts as replayed, what is ignored, and what it costs in memory. */
class ReplayLedgerTest {

    @Test
    void aMillionReplayedOffsetsTakeAtMostTwoBitsEach() {
        ReplayedOffsets offsets = new ReplayedOffsets(5_000_000_000L);
        for (long offset = 5_000_000_000L; offset < 5_001_000_000L; offset++) {
            offsets.add(offset);
        }

        assertThat(offsets.count()).isEqualTo(1_000_000);
        assertThat(offsets.memoryBytes()).isLessThanOrEqualTo(250_000); // a BitSet grows by doubling
        assertThat(offsets.contains(5_000_999_999L)).isTrue();
        assertThat(offsets.contains(5_001_000_000L)).isFalse();
        assertThat(offsets.contains(4_999_999_999L)).isFalse();
        assertThat(offsets.contains(Long.MAX_VALUE)).isFalse();
    }

    @Test
    void entriesAnyoneCouldWriteAreReadWithoutTrust() throws Exception {
        DlqFixture fixture = new DlqFixture();
        fixture.writeMixedDlq(); // offsets 0-2 in both partitions
        String topicId;
        try (Admin admin = TestKafka.admin(BOOTSTRAP)) {
            topicId = admin.describeTopics(List.of(fixture.dlq)).allTopicNames().get().get(fixture.dlq).topicId()
                    .toString();
        }
        TestKafka.createTopic(BOOTSTRAP, fixture.ledger, 1, 1, Map.of("cleanup.policy", "compact"));
        String ours = "{\"replay_id\":\"r\",\"dlq_topic_id\":\"" + topicId + "\"}";
        try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(BOOTSTRAP, Map.of())) {
            entry(producer, fixture.ledger, fixture.dlq + "/0/0", ours);                 // replayed
            entry(producer, fixture.ledger, fixture.dlq + "/0/1", "not json at all");   // unreadable: replayed
            entry(producer, fixture.ledger, fixture.dlq + "/0/2", "{\"dlq_topic_id\":\"AAAAAAAAAAAAAAAAAAAAAA\"}");
            entry(producer, fixture.ledger, fixture.dlq + "/1/0", ours);
            entry(producer, fixture.ledger, fixture.dlq + "/1/0", null);                // forgotten
            entry(producer, fixture.ledger, fixture.dlq + "/1/999999999999", ours);     // never in the DLQ
            entry(producer, fixture.ledger, fixture.dlq + "/1/x", ours);
            entry(producer, fixture.ledger, fixture.dlq + "/7/1", ours);
            entry(producer, fixture.ledger, fixture.dlq + "-other/1/1", ours);
        }

        ReplayLedger ledger = ReplayLedger.read(fixture.config(), false);
        ReplaySummary dryRun = new Replayer(fixture.config()).replay(
                new ReplayOptions(fixture.input, null, null, null, 0, true, false), ReplayControl.commandLine());

        assertThat(ledger.size()).isEqualTo(2);
        assertThat(ledger.memoryBytes()).isLessThan(1_000);
        assertThat(dryRun.skippedAlreadyReplayed()).isEqualTo(2);
        assertThat(dryRun.replayed()).isEqualTo(4);
    }

    @Test
    void aMissingLedgerIsEmptyAndOnlyAReplayCreatesIt() throws Exception {
        DlqFixture fixture = new DlqFixture();
        fixture.writeMixedDlq();

        ReplayLedger ledger = ReplayLedger.read(fixture.config(), false);
        new Replayer(fixture.config()).replay(new ReplayOptions(fixture.input, null, null, null, 0, true, false),
                ReplayControl.commandLine());
        boolean afterReadAndDryRun;
        try (Admin admin = TestKafka.admin(BOOTSTRAP)) {
            afterReadAndDryRun = admin.listTopics().names().get().contains(fixture.ledger);
        }
        new Replayer(fixture.config()).replay(new ReplayOptions(fixture.input, null, null, null, 0, false, false),
                ReplayControl.commandLine());

        assertThat(ledger.size()).isZero();
        assertThat(afterReadAndDryRun).isFalse();
        assertThat(ReplayLedger.read(fixture.config(), false).size()).isEqualTo(6);
    }

    @Test
    void entriesOfADeletedDlqTopicDoNotCoverTheNewOneOfTheSameName() throws Exception {
        DlqFixture fixture = new DlqFixture();
        fixture.writeMixedDlq();
        ReplayOptions all = new ReplayOptions(fixture.input, null, null, null, 0, false, false);
        assertThat(new Replayer(fixture.config()).replay(all, ReplayControl.commandLine()).replayed()).isEqualTo(6);
        try (Admin admin = TestKafka.admin(BOOTSTRAP)) {
            admin.deleteTopics(List.of(fixture.dlq)).all().get();
        }
        // A name just deleted is refused for a moment.
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> {
                    TestKafka.createTopic(BOOTSTRAP, fixture.dlq, 2);
                    return true;
                });
        fixture.writeMixedDlq(); // the same coordinates as before

        ReplaySummary again = new Replayer(fixture.config()).replay(all, ReplayControl.commandLine());

        assertThat(again.replayed()).isEqualTo(6);
        assertThat(again.skippedAlreadyReplayed()).isZero();
        assertThat(fixture.inputValues(12)).hasSize(12);
    }

    private static void entry(KafkaProducer<byte[], byte[]> producer, String ledger, String key, String value) {
        producer.send(new ProducerRecord<>(ledger, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8)));
    }
}
