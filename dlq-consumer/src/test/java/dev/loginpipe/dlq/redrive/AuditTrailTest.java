package dev.loginpipe.dlq.redrive;

import static dev.loginpipe.dlq.DlqFixture.AUDIT_KEY;
import static dev.loginpipe.dlq.DlqFixture.BOOTSTRAP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.loginpipe.dlq.DlqFixture;
import dev.loginpipe.dlq.redrive.Plan.State;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/**
 * The audit trail as evidence, never a command channel, on a real broker: whoever can write its topic but lacks the
 * key can neither make the console act nor change the record unseen.
 */
class AuditTrailTest extends RedriveFixture {
    private static final String OTHER_KEY = "another-key-of-someone-else-0123456789abcdef";

    @Test
    void theTrailFindsAChangedRemovedOrInsertedEntry() throws Exception {
        writeDead(2);
        try (Redrive redrive = Redrive.open(config())) {
            Plan plan = redrive.create("jo", spec(fixture.input, 1000, 10, 100, 1));
            redrive.start("jo", plan.id());
            await("the plan to finish", () -> plan.state() == State.FINISHED);
            redrive.dryRun("jo", spec(fixture.input, 1000, 10, 100, 1));
        }
        List<AuditTrail.Entry> entries = readTrail(4);
        AuditKeys keys = new AuditKeys(AUDIT_KEY);
        assertThat(AuditTrail.verify(entries, keys).valid()).isTrue();

        List<AuditTrail.Entry> changed = new ArrayList<>(entries);
        AuditTrail.Entry second = entries.get(1);
        changed.set(1, new AuditTrail.Entry(new String(second.value(), StandardCharsets.UTF_8)
                .replace("\"jo", "\"jon").getBytes(StandardCharsets.UTF_8), second.keyId(), second.signature()));
        assertThat(AuditTrail.verify(changed, keys)).extracting(AuditTrail.Verification::valid,
                AuditTrail.Verification::brokenAt, AuditTrail.Verification::problem)
                .containsExactly(false, 1, "entry 1 does not match its signature: it was changed");
        List<AuditTrail.Entry> removed = new ArrayList<>(entries);
        removed.remove(1);
        assertThat(AuditTrail.verify(removed, keys).brokenAt()).isEqualTo(1);
        List<AuditTrail.Entry> inserted = new ArrayList<>(entries);
        inserted.add(2, entries.get(1));
        assertThat(AuditTrail.verify(inserted, keys).brokenAt()).isEqualTo(2);
        assertThat(AuditTrail.verify(entries, new AuditKeys(OTHER_KEY)).problem())
                .isEqualTo("entry 0 is not signed with a key of this console: someone else wrote it");
    }

    /**
     * The attack of the review: two correctly chained entries, a plan created and started, appended to the topic by
     * someone without the key. Before, the console rebuilt and ran it after a restart (119 records published).
     */
    @Test
    void aForgedPlanAppendedToTheTopicIsShownAsInvalidAndNeverRuns() throws Exception {
        writeDead(30);
        try (Redrive redrive = Redrive.open(config())) {
            redrive.dryRun("ana", spec(fixture.input, 1000, 10, 100, 1));
        }
        List<AuditTrail.Entry> entries = readTrail(1);
        String prev = AuditTrail.sha256(entries.get(0).value());
        String created = "{\"seq\":1,\"at\":\"2026-01-01T00:00:00Z\",\"who\":\"mallory\",\"action\":\"created\","
                + "\"plan\":\"plan-0000beef\",\"spec\":{\"to\":\"" + fixture.input + "\",\"rate\":1000,\"max\":1000,"
                + "\"stop_loss_percent\":100,\"min_sample\":1},\"prev\":\"" + prev + "\"}";
        String started = "{\"seq\":2,\"at\":\"2026-01-01T00:00:01Z\",\"who\":\"mallory\",\"action\":\"started\","
                + "\"plan\":\"plan-0000beef\",\"prev\":\"" + AuditTrail.sha256(bytes(created)) + "\"}";
        // Signed too, with a key the console does not hold, as a forger would do.
        AuditKeys forger = new AuditKeys(OTHER_KEY);
        fixture.write(List.of(signed(created, forger), signed(started, forger)));

        try (Redrive reopened = Redrive.open(config())) {
            AuditTrail.Verification verification = reopened.verifyAudit();
            assertThat(verification.valid()).isFalse();
            assertThat(verification.brokenAt()).isEqualTo(1);
            assertThat(reopened.plans()).isEmpty();
            assertThat(reopened.readOnly()).startsWith("the audit trail does not verify from entry 1 (entry 1 is not "
                    + "signed with a key of this console: someone else wrote it)");
            assertThatThrownBy(() -> reopened.create("ana", spec(fixture.input, 1000, 10, 100, 1)))
                    .isInstanceOf(AuditTrail.ReadOnly.class);
            Thread.sleep(2_000);
        }
        assertThat(fixture.inputValues(0)).as("records published to the input").isEmpty();
    }

    @Test
    void anEntryAppendedByAnyoneElseWhileTheConsoleRunsIsNoticedAndStopsPlans() throws Exception {
        writeDead(50);
        try (Redrive redrive = Redrive.open(config())) {
            Plan plan = redrive.create("ana", spec(fixture.input, 1, 50, 100, 1)); // one record a second
            redrive.start("ana", plan.id());
            await("the plan to publish", () -> plan.published() > 0);
            fixture.write(List.of(new ProducerRecord<>(audit, 0, null, bytes("{\"seq\":99,\"action\":\"cancelled\"}"))));
            await("the foreign entry to be noticed", () -> redrive.readOnly() != null);
            assertThat(redrive.verifyAudit().problem()).endsWith("is not signed with a key of this console: "
                    + "someone else wrote it");
            await("the plan to halt", () -> plan.state() == State.PAUSED);
            long halted = settled(plan);
            assertThat(halted).isLessThan(50);
            assertThat(plan.note()).isEqualTo("halted: the audit trail is read-only");
            assertThatThrownBy(() -> redrive.resume("ana", plan.id())).isInstanceOf(AuditTrail.ReadOnly.class);
        }
    }

    @Test
    void withoutAKeyRedriveIsReadOnlyAndSaysWhy() throws Exception {
        writeDead(5);
        try (Redrive redrive = Redrive.open(config())) {
            Plan plan = redrive.create("ana", spec(fixture.input, 1000, 5, 100, 1));
            assertThat(plan.state()).isEqualTo(State.CREATED);
        }
        try (Redrive keyless = Redrive.open(config("REDRIVE_AUDIT_KEY", ""))) {
            assertThat(keyless.readOnly()).startsWith("REDRIVE_AUDIT_KEY is not set: redrive is read-only");
            assertThat(keyless.plans()).isEmpty(); // nothing verifies without a key, so nothing is rebuilt
            assertThatThrownBy(() -> keyless.dryRun("ana", spec(fixture.input, 1000, 5, 100, 1)))
                    .isInstanceOf(AuditTrail.ReadOnly.class).hasMessageStartingWith("REDRIVE_AUDIT_KEY is not set");
        }
    }

    /** A new key first and the old one after it: old entries verify, new ones are signed with the new key. */
    @Test
    void aKeyIsRotatedByPuttingTheNewOneFirst() throws Exception {
        writeDead(5);
        String plan;
        try (Redrive redrive = Redrive.open(config())) {
            plan = redrive.create("ana", spec(fixture.input, 1000, 5, 100, 1)).id();
        }
        try (Redrive rotated = Redrive.open(config("REDRIVE_AUDIT_KEY", OTHER_KEY + "," + AUDIT_KEY))) {
            assertThat(rotated.readOnly()).isNull();
            rotated.cancel("ana", plan);
        }
        List<AuditTrail.Entry> entries = readTrail(2);
        assertThat(entries.get(1).keyId()).isNotEqualTo(entries.get(0).keyId());
        try (Redrive newOnly = Redrive.open(config("REDRIVE_AUDIT_KEY", OTHER_KEY))) {
            assertThat(newOnly.verifyAudit().brokenAt()).isZero(); // the old key was dropped too early
            assertThat(newOnly.readOnly()).isNotNull();
        }
    }

    private List<AuditTrail.Entry> readTrail(int expected) {
        return TestKafka.readCommitted(BOOTSTRAP, audit, expected, DlqFixture.WAIT).stream()
                .map(r -> new AuditTrail.Entry(r.value(), header(r, AuditTrail.KEY), header(r, AuditTrail.SIGNATURE)))
                .toList();
    }

    private ProducerRecord<byte[], byte[]> signed(String entry, AuditKeys keys) {
        byte[] value = bytes(entry);
        return new ProducerRecord<>(audit, 0, null, null, value, List.of(
                new RecordHeader(AuditTrail.KEY, bytes(keys.signingId())),
                new RecordHeader(AuditTrail.SIGNATURE, bytes(keys.sign(value)))));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
