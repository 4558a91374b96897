package dev.loginpipe.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import dev.loginpipe.common.schema.SchemaVersion;
import dev.loginpipe.common.validation.EventValidator;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

/**
 * A registry rolled back (version 2 deleted: latest is version 1 again) runs a version twice. The offsets' metadata
 * names a run with the versions before it, so an instance that has not seen the rollback yet does not take the
 * second run of 1 for the first, and judge by 2 after it.
 */
class SchemaRollbackTest {
    private static final EventValidator VALIDATOR = EventValidator.load(EventValidator.BUNDLED);
    private static final SchemaVersion V1 = SchemaVersion.ofRegistry(1, 1, "f1", VALIDATOR);
    private static final SchemaVersion V2 = SchemaVersion.ofRegistry(2, 2, "f2", VALIDATOR);

    @Test
    void aVersionRunAgainAfterARollbackIsToldFromTheSameVersionGoingOn() {
        LiveSchema rolledBack = ran(V1, V2, V1);
        LiveSchema behind = answering(V1, V2, V1);
        behind.refresh();
        behind.refresh(); // it has not seen the rollback yet

        String afterRollback = rolledBack.running().metadata();
        assertThat(afterRollback).isEqualTo("1>2>1");
        assertThat(behind.mayFollow(afterRollback, behind.running())).as("2 after the rolled-back 1 goes back")
                .isFalse();
        assertThat(behind.mayFollow(ran(V1).running().metadata(), behind.running())).as("2 after 1").isTrue();
        assertThat(behind.mayFollow(ran(V1, V2).running().metadata(), behind.running())).as("2 after 2").isTrue();
        assertThat(rolledBack.mayFollow(behind.running().metadata(), rolledBack.running())).as("1 again after 2")
                .isTrue();

        behind.refresh(); // it sees the rollback too
        assertThat(behind.mayFollow(afterRollback, behind.running())).isTrue();
    }

    @Test
    void anInstanceStartedAfterTheRollbackTakesTheRolledBackVersionAsItsOwn() {
        LiveSchema started = ran(V1);
        assertThat(started.mayFollow("1>2>1", started.running())).isTrue();
        assertThat(started.mayFollow("1>2", started.running())).as("2 was never run here").isFalse();
    }

    @Test
    void metadataNotWrittenByAnInstanceIsNeverARun() {
        LiveSchema live = ran(V1, V2, V1, V2);
        for (String hostile : List.of("2>1>2>1>2", "9".repeat(4_000), ">", "1>>2", "\u0000\n\u001b[31m2")) {
            assertThat(live.mayFollow(hostile, live.running())).as(hostile).isFalse();
        }
        assertThat(live.mayFollow("2", live.running())).as("a version alone, as before runs were named").isTrue();
    }

    /** A live schema whose source answered these versions, in order, one refresh each. */
    private static LiveSchema ran(SchemaVersion... versions) {
        LiveSchema live = answering(versions);
        for (int i = 0; i < versions.length; i++) {
            live.refresh();
        }
        return live;
    }

    /** A live schema whose source answers these versions, one a refresh, then the last one for good. */
    private static LiveSchema answering(SchemaVersion... versions) {
        Deque<SchemaVersion> answers = new ArrayDeque<>(List.of(versions));
        return new LiveSchema(current -> answers.size() > 1 ? answers.poll() : answers.peek(), "stub",
                new ConsumerMetrics(new PrometheusRegistry()), Runnable::run);
    }
}
