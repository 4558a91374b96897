package dev.loginpipe.dlq.redrive;

import static dev.loginpipe.dlq.DlqFixture.BOOTSTRAP;
import static dev.loginpipe.dlq.DlqFixture.contract;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Service;
import dev.loginpipe.dlq.DlqFixture;
import dev.loginpipe.dlq.replay.ReplayLedger;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One test's DLQ, input, output and audit topics, and what redrive tests wait for and count. The consumer module is
 * stood in for by {@link StandInPipeline}.
 */
abstract class RedriveFixture {
    static final Duration WAIT = Duration.ofSeconds(60);

    final DlqFixture fixture = new DlqFixture();
    final String output = TestKafka.uniqueName("processed");
    final String audit = TestKafka.uniqueName("audit");

    RedriveFixture() {
        TestKafka.createTopic(BOOTSTRAP, output, 1);
    }

    Config config(String... overrides) {
        List<String> all = new ArrayList<>(List.of("OUTPUT_TOPIC", output, "REDRIVE_AUDIT_TOPIC", audit));
        all.addAll(List.of(overrides));
        return fixture.config(Service.DLQ_CONSOLE, all.toArray(String[]::new));
    }

    /** {@code count} not-json records over the DLQ's two partitions, values v-0 ... */
    List<String> writeDead(int count) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add("v-" + i);
            records.add(fixture.dlqRecord(i % 2, "k-" + i, "v-" + i, contract("not-json", 1_000 + i)));
        }
        fixture.write(records);
        return values;
    }

    /** Redrive as the console opens it, once its audit trail has been read. */
    static RedriveOpener opened(Config config) throws InterruptedException {
        RedriveOpener opener = RedriveOpener.start(config);
        await("redrive to open", () -> opener.redrive() != null);
        return opener;
    }

    static PlanSpec spec(String to, long rate, long max, double stopLoss, int minSample) {
        return new PlanSpec(null, null, null, null, to, rate, max, stopLoss, minSample, null);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited for " + what).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** What a plan published once it stopped moving (a second without a change). */
    static long settled(Plan plan) throws InterruptedException {
        long before;
        do {
            before = plan.published();
            Thread.sleep(1_000);
        } while (plan.published() != before);
        return before;
    }

    /** How many times each value is on the input topic, once at least {@code expected} are there. */
    Map<String, Long> publishedValues(int expected) {
        return fixture.inputValues(expected).stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    static Map<String, Long> once(List<String> values) {
        return values.stream().collect(Collectors.toMap(Function.identity(), v -> 1L));
    }

    /** The replay ledger's entry for a record, read at each lookup (the console reads it every 30 s instead). */
    LedgerLookup ledgerAsReadNow() {
        return (partition, offset) -> {
            JsonNode[] entry = {null};
            ReplayLedger.read(config(), false, (p, o, value) -> {
                if (p == partition && o == offset) {
                    try {
                        entry[0] = value == null ? null : new ObjectMapper().readTree(value);
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            return entry[0];
        };
    }

    static List<String> actions(Redrive redrive) {
        return redrive.auditEntries().stream().map(e -> e.path("action").asText()).toList();
    }
}
