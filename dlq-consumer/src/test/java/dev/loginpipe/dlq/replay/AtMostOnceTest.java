package dev.loginpipe.dlq.replay;

import static dev.loginpipe.dlq.DlqFixture.BOOTSTRAP;
import static dev.loginpipe.dlq.DlqFixture.MIXED_VALUES;
import static dev.loginpipe.dlq.DlqFixture.contract;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.dlq.DlqFixture;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.junit.jupiter.api.Test;

/** A DLQ record is published by replay at most once, whatever the group, the run, the filters or KAFKA_CLIENT_*. */
class AtMostOnceTest {
    private final DlqFixture fixture = new DlqFixture();

    private ReplayOptions all(boolean dryRun, boolean again) {
        return new ReplayOptions(fixture.input, null, null, null, 0, dryRun, again);
    }

    private static ReplaySummary replay(Config config, ReplayOptions options) {
        return new Replayer(config).replay(options, ReplayControl.commandLine());
    }

    /** How many times each value is on the input topic, once {@code expected} records are there. */
    private Map<String, Long> published(int expected) {
        List<String> values = fixture.inputValues(expected);
        assertThat(values).hasSize(expected);
        return values.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static Map<String, Long> each(List<String> values, long times) {
        return values.stream().collect(Collectors.toMap(Function.identity(), v -> times));
    }

    /** {@code count} not-json records over the DLQ's two partitions, values dead-0 ... */
    private List<String> writeDead(int count) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(fixture.dlqRecord(i % 2, null, "dead-" + i, contract("not-json", 1_000)));
        }
        fixture.write(records);
        return IntStream.range(0, count).mapToObj(i -> "dead-" + i).toList();
    }

    @Test
    void twoGroupsPublishEachRecordOnceInTotal() {
        fixture.writeMixedDlq();

        // The README's old advice: a second group for the records the first one's filter passed over.
        ReplaySummary schema = replay(fixture.config(), new ReplayOptions(fixture.input, "schema", null, null, 0,
                false, false));
        ReplaySummary otherGroup = replay(fixture.config(), all(false, false));

        assertThat(schema.replayed()).isEqualTo(3);
        assertThat(otherGroup.read()).isEqualTo(6);
        assertThat(otherGroup.replayed()).isEqualTo(3);
        assertThat(otherGroup.skippedAlreadyReplayed()).isEqualTo(3);
        assertThat(otherGroup.text()).contains("skipped, already replayed: 3");
        assertThat(published(6)).isEqualTo(each(MIXED_VALUES, 1));
    }

    @Test
    void anOffsetResetOrAFreshGroupPublishesNothingAndAgainPublishesOnceMore() throws Exception {
        fixture.writeMixedDlq();
        Config config = fixture.config();
        String group = config.get(dev.loginpipe.common.config.Settings.REPLAY_GROUP_ID);

        assertThat(replay(config, all(false, false)).replayed()).isEqualTo(6);
        try (Admin admin = TestKafka.admin(BOOTSTRAP)) {
            admin.deleteConsumerGroups(List.of(group)).all().get(); // the group's offsets are gone
        }
        ReplaySummary afterReset = replay(config, all(false, false));
        ReplaySummary freshGroup = replay(fixture.config(), all(false, false));
        ReplaySummary again = replay(fixture.config(), all(false, true));
        ReplaySummary afterAgain = replay(fixture.config(), all(false, false));

        assertThat(afterReset.read()).isEqualTo(6);
        assertThat(afterReset.replayed()).isZero();
        assertThat(afterReset.skippedAlreadyReplayed()).isEqualTo(6);
        assertThat(freshGroup.replayed()).isZero();
        assertThat(again.replayed()).isEqualTo(6);
        assertThat(again.skippedAlreadyReplayed()).isZero();
        assertThat(afterAgain.replayed()).isZero();
        assertThat(afterAgain.skippedAlreadyReplayed()).isEqualTo(6);
        assertThat(published(12)).isEqualTo(each(MIXED_VALUES, 2));
        List<ConsumerRecord<byte[], byte[]>> records = fixture.inputRecords(12);
        assertThat(records.stream().map(r -> new String(r.headers().lastHeader(DlqHeaders.REPLAY_ID).value(),
                StandardCharsets.UTF_8)).collect(Collectors.toSet())).hasSize(2);
    }

    @Test
    void dryRunCountsWhatWasReplayedAlready() {
        fixture.writeMixedDlq();
        replay(fixture.config(), new ReplayOptions(fixture.input, "not-json", null, null, 0, false, false));

        ReplaySummary dryRun = replay(fixture.config(), all(true, false));
        ReplaySummary dryRunAgain = replay(fixture.config(), all(true, true));

        assertThat(dryRun.replayed()).isEqualTo(4);
        assertThat(dryRun.skippedAlreadyReplayed()).isEqualTo(2);
        assertThat(dryRun.text()).contains("dry run: would replay 4 of 6 records read")
                .contains("skipped, already replayed: 2");
        assertThat(dryRunAgain.replayed()).isEqualTo(6);
        assertThat(published(2)).hasSize(2);
    }

    @Test
    void aRunThatStartsFencesTheRunningOneAndEachRecordIsPublishedOnce() {
        List<String> values = writeDead(20);
        // One record a transaction; after the first, a second run (another group) starts and runs to the end.
        Config slow = fixture.config("KAFKA_CLIENT_MAX_POLL_RECORDS", "1");
        List<ReplaySummary> second = new ArrayList<>();
        ReplayControl first = new ReplayControl() {
            public String replayId() {
                return "first";
            }

            public void progress(ReplaySummary soFar) {
                if (second.isEmpty()) {
                    second.add(new Replayer(fixture.config()).replay(all(false, false), () -> "second"));
                }
            }
        };

        assertThatThrownBy(() -> new Replayer(slow).replay(all(false, false), first))
                .isInstanceOfSatisfying(ReplayFencedException.class, e -> {
                    assertThat(e.summary().replayed()).isEqualTo(1);
                    assertThat(e.getMessage()).isEqualTo("another replay run took over (transactional id "
                            + "loginpipe-dlq-replay-" + fixture.ledger + "); this one stopped after publishing 1 "
                            + "records, each once");
                });

        assertThat(second.get(0).replayed()).isEqualTo(19);
        assertThat(second.get(0).skippedAlreadyReplayed()).isEqualTo(1);
        assertThat(published(20)).isEqualTo(each(values, 1));
    }

    @Test
    void twoRunsStartedTogetherPublishEachRecordOnce() throws Exception {
        List<String> values = writeDead(300);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        List<Future<Long>> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Config config = fixture.config("KAFKA_CLIENT_MAX_POLL_RECORDS", "10");
            runs.add(threads.submit(() -> {
                start.await();
                try {
                    return replay(config, all(false, false)).replayed();
                } catch (ReplayFencedException fenced) {
                    return fenced.summary().replayed();
                }
            }));
        }
        start.countDown();
        long total = 0;
        for (Future<Long> run : runs) {
            total += run.get(2, TimeUnit.MINUTES);
        }
        threads.shutdown();

        assertThat(total).isEqualTo(300);
        assertThat(published(300)).isEqualTo(each(values, 1));
    }

    @Test
    void kafkaClientSettingsCannotWeakenReplay() throws Exception {
        fixture.writeMixedDlq();
        // A DLQ record in an aborted transaction: not a DLQ record at all.
        try (KafkaProducer<byte[], byte[]> aborted = TestKafka.producer(BOOTSTRAP,
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TestKafka.uniqueName("aborted")))) {
            aborted.initTransactions();
            aborted.beginTransaction();
            aborted.send(fixture.dlqRecord(0, "ghost", "aborted", contract("schema", 1_000)));
            aborted.flush();
            aborted.abortTransaction();
        }
        String[] hostile = {"KAFKA_CLIENT_ISOLATION_LEVEL", "read_uncommitted", "KAFKA_CLIENT_TRANSACTIONAL_ID", "x",
                "KAFKA_CLIENT_ENABLE_AUTO_COMMIT", "true", "KAFKA_CLIENT_ACKS", "1",
                "KAFKA_CLIENT_ENABLE_IDEMPOTENCE", "false"};
        Config config = fixture.config(hostile);

        ReplaySummary dryRun = replay(config, all(true, false));
        ReplaySummary run = replay(config, all(false, false));
        ReplaySummary otherGroup = replay(fixture.config(hostile), all(false, false));

        assertThat(dryRun.read()).isEqualTo(6);
        // With auto commit the dry run's consumer would have committed its position on close: nothing left here.
        assertThat(run.replayed()).isEqualTo(6);
        assertThat(otherGroup.replayed()).isZero();
        assertThat(otherGroup.skippedAlreadyReplayed()).isEqualTo(6);
        assertThat(published(6)).isEqualTo(each(MIXED_VALUES, 1));
        try (Admin admin = TestKafka.admin(BOOTSTRAP)) {
            assertThat(admin.describeTransactions(List.of("loginpipe-dlq-replay-" + fixture.ledger)).all().get())
                    .hasSize(1);
            assertThatThrownBy(() -> admin.describeTransactions(List.of("x")).all().get())
                    .hasCauseInstanceOf(TransactionalIdNotFoundException.class);
        }
    }

    @Test
    void aControlPacesCancelsAndHearsProgressAndTheNextRunContinues() {
        writeDead(6);
        List<Long> progress = new ArrayList<>();
        ReplayControl tenPerSecond = new ReplayControl() {
            public String replayId() {
                return "paced";
            }

            public double recordsPerSecond() {
                return 10; // two records a transaction
            }

            public boolean proceed() {
                return progress.size() < 2; // cancelled after two transactions
            }

            public void progress(ReplaySummary soFar) {
                progress.add(soFar.replayed());
            }
        };
        Config config = fixture.config();

        ReplaySummary cancelled = new Replayer(config).replay(all(false, false), tenPerSecond);
        ReplaySummary rest = replay(config, all(false, false));

        assertThat(progress).containsExactly(2L, 4L);
        assertThat(cancelled.replayed()).isEqualTo(4);
        assertThat(rest.read()).isEqualTo(2);
        assertThat(rest.replayed()).isEqualTo(2);
        assertThat(published(6)).hasSize(6);
    }
}
