package dev.loginpipe.dlq.redrive;

import static dev.loginpipe.dlq.DlqFixture.AUDIT_KEY;
import static dev.loginpipe.dlq.DlqFixture.BOOTSTRAP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    private static final ObjectMapper JSON = new ObjectMapper();
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
        assertThat(AuditTrail.verify(entries, keys, audit).valid()).isTrue();

        List<AuditTrail.Entry> changed = new ArrayList<>(entries);
        AuditTrail.Entry second = entries.get(1);
        changed.set(1, new AuditTrail.Entry(new String(second.value(), StandardCharsets.UTF_8)
                .replace("\"jo", "\"jon").getBytes(StandardCharsets.UTF_8), second.keyId(), second.signature()));
        assertThat(AuditTrail.verify(changed, keys, audit)).extracting(AuditTrail.Verification::valid,
                AuditTrail.Verification::brokenAt, AuditTrail.Verification::problem)
                .containsExactly(false, 1, "entry 1 does not match its signature: it was changed");
        List<AuditTrail.Entry> removed = new ArrayList<>(entries);
        removed.remove(1);
        assertThat(AuditTrail.verify(removed, keys, audit).brokenAt()).isEqualTo(1);
        List<AuditTrail.Entry> inserted = new ArrayList<>(entries);
        inserted.add(2, entries.get(1));
        assertThat(AuditTrail.verify(inserted, keys, audit).brokenAt()).isEqualTo(2);
        assertThat(AuditTrail.verify(entries, new AuditKeys(OTHER_KEY), audit).problem())
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

    /**
     * Whoever still holds a rotated-out key cannot continue the trail with it: it verifies only what came before the
     * new key's first entry. Before, an entry chained correctly and signed with the old key verified.
     */
    @Test
    void aRetiredKeySignsNothingAfterTheNewKeysFirstEntry() throws Exception {
        writeDead(5);
        String plan;
        try (Redrive redrive = Redrive.open(config())) {
            plan = redrive.create("ana", spec(fixture.input, 1000, 5, 100, 1)).id();
        }
        String rotated = OTHER_KEY + "," + AUDIT_KEY;
        try (Redrive redrive = Redrive.open(config("REDRIVE_AUDIT_KEY", rotated))) {
            redrive.cancel("ana", plan);
        }
        List<AuditTrail.Entry> entries = readTrail(2);
        ObjectNode forged = (ObjectNode) JSON.readTree(entries.get(1).value());
        forged.put("seq", 2).put("who", "mallory").put("action", "created").put("plan", "plan-0000beef")
                .put("prev", AuditTrail.sha256(entries.get(1).value()));
        fixture.write(List.of(signed(forged.toString(), new AuditKeys(AUDIT_KEY))));

        try (Redrive reopened = Redrive.open(config("REDRIVE_AUDIT_KEY", rotated))) {
            assertThat(reopened.verifyAudit()).extracting(AuditTrail.Verification::brokenAt,
                    AuditTrail.Verification::problem).containsExactly(2, "entry 2 is signed with a key that entry 1 "
                    + "replaced: a retired key signs nothing new");
            assertThat(reopened.readOnly()).isNotNull();
        }
    }

    /**
     * Entries signed with the same key but written for another trail (copied from another console's topic, or a
     * staging trail into production) are not this trail's. Before, a copied prefix verified here, its plans rebuilt.
     */
    @Test
    void entriesCopiedFromAnotherTrailDoNotSeedThisOne() throws Exception {
        writeDead(5);
        try (Redrive redrive = Redrive.open(config())) {
            redrive.create("ana", spec(fixture.input, 1000, 5, 100, 1));
        }
        String copy = TestKafka.uniqueName("audit-copy");
        TestKafka.createTopic(BOOTSTRAP, copy, 1);
        fixture.write(TestKafka.readCommitted(BOOTSTRAP, audit, 1, DlqFixture.WAIT).stream()
                .map(r -> new ProducerRecord<>(copy, 0, (byte[]) null, r.value(), r.headers())).toList());

        try (Redrive seeded = Redrive.open(config("REDRIVE_AUDIT_TOPIC", copy))) {
            assertThat(seeded.verifyAudit()).extracting(AuditTrail.Verification::brokenAt,
                    AuditTrail.Verification::problem).containsExactly(0, "entry 0 names another trail than this one "
                    + "(topic " + copy + "): it was copied from elsewhere");
            assertThat(seeded.plans()).isEmpty();
            assertThat(seeded.readOnly()).isNotNull();
        }
    }

    /**
     * A trail begun by an older version, its entries without topic or trail id, verifies as before; what is appended
     * to it names the trail from then on, and an entry without a name after that is refused.
     */
    @Test
    void aTrailWithoutATrailIdGoesOnWithOne() throws Exception {
        writeDead(5);
        String old = "{\"seq\":0,\"at\":\"2026-01-01T00:00:00Z\",\"who\":\"ana\",\"action\":\"dry-run\","
                + "\"prev\":\"" + AuditTrail.GENESIS + "\"}";
        TestKafka.createTopic(BOOTSTRAP, audit, 1);
        fixture.write(List.of(signed(old, new AuditKeys(AUDIT_KEY))));
        try (Redrive redrive = Redrive.open(config())) {
            assertThat(redrive.readOnly()).isNull();
            redrive.create("ana", spec(fixture.input, 1000, 5, 100, 1));
        }
        List<AuditTrail.Entry> entries = readTrail(2);
        JsonNode appended = JSON.readTree(entries.get(1).value());
        assertThat(appended.path("topic").asText()).isEqualTo(audit);
        assertThat(appended.path("trail").asText()).matches("[0-9a-f-]{36}");

        String unnamed = "{\"seq\":2,\"at\":\"2026-01-01T00:00:00Z\",\"who\":\"ana\",\"action\":\"dry-run\","
                + "\"prev\":\"" + AuditTrail.sha256(entries.get(1).value()) + "\"}";
        List<AuditTrail.Entry> more = new ArrayList<>(entries);
        more.add(new AuditTrail.Entry(bytes(unnamed), new AuditKeys(AUDIT_KEY).signingId(),
                new AuditKeys(AUDIT_KEY).sign(bytes(unnamed))));
        assertThat(AuditTrail.verify(entries, new AuditKeys(AUDIT_KEY), audit).valid()).isTrue();
        assertThat(AuditTrail.verify(more, new AuditKeys(AUDIT_KEY), audit).brokenAt()).isEqualTo(2);
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
