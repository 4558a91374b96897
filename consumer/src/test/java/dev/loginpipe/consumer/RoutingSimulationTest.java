package dev.loginpipe.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The routing loop through thousands of seeded fault schedules against an in-memory group and transaction coordinator
 * ({@link SimCluster}). A failure names its seed and the shortest schedule that still fails;
 * {@code -Dloginpipe.sim.seed=N} replays one seed, {@code -Dloginpipe.sim.seeds=N} runs more.
 */
class RoutingSimulationTest {
    private static final long FIRST_SEED = Long.getLong("loginpipe.sim.first", 1);

    @Test
    void everyRecordIsRoutedExactlyOnceWhateverFails() {
        Long one = Long.getLong("loginpipe.sim.seed");
        if (one != null) {
            assertHolds(one, one + 1);
        } else {
            assertHolds(FIRST_SEED, FIRST_SEED + Long.getLong("loginpipe.sim.seeds", 3_000));
        }
    }

    @Test
    @Tag("slow")
    void manyMoreSchedules() {
        assertHolds(1_000_000, 1_000_000 + Long.getLong("loginpipe.sim.slowSeeds", 30_000));
    }

    /** Runs every seed; a failure names how many failed, the first seed and its shortest failing schedule. */
    private static void assertHolds(long from, long to) {
        List<Long> failed = new ArrayList<>();
        Simulation.Result first = null;
        for (long seed = from; seed < to; seed++) {
            Simulation.Result result = Simulation.run(seed);
            if (result.failed()) {
                failed.add(seed);
                first = first == null ? result : first;
            }
        }
        if (first != null) {
            Simulation.Result smallest = Simulation.shrink(first);
            assertThat(smallest.violation()).as(failed.size() + " of " + (to - from) + " seeds fail ("
                    + failed.subList(0, Math.min(20, failed.size())) + "); seed " + first.seed() + " ("
                    + smallest.workload() + "); replay with -Dloginpipe.sim.seed=" + first.seed()
                    + "; shortest schedule:\n  "
                    + smallest.schedule().stream().map(SimFault::toString).collect(Collectors.joining("\n  ")))
                    .isNull();
        }
    }
}
