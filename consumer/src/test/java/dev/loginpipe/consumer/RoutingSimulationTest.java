package dev.loginpipe.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The routing loops of 1 to 3 instances through thousands of seeded fault schedules against an in-memory group and
 * transaction coordinator ({@link SimCluster}). A failure names its seed and the shortest schedule that still fails;
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

    /** The loops run on threads, one at a time: a seed must replay exactly, or a failure could not be replayed. */
    @Test
    void aSeedReplaysExactly() {
        for (long seed = FIRST_SEED; seed < FIRST_SEED + 20; seed++) {
            assertThat(Simulation.run(seed)).as("seed " + seed + " run again").isEqualTo(Simulation.run(seed));
        }
    }

    @Test
    @Tag("slow")
    void manyMoreSchedules() {
        // 10,000 in CI (docs/testing.md says how long they take); more with the property.
        assertHolds(1_000_000, 1_000_000 + Long.getLong("loginpipe.sim.slowSeeds", 10_000));
    }

    /**
     * Runs every seed and prints how many seeds exercised each modelled behaviour of Kafka, with the first few; a
     * failure names how many seeds failed, the first and its shortest failing schedule.
     */
    private static void assertHolds(long from, long to) {
        // Seeds are independent (each its own cluster, clock and scheduler), so they run on every core; the results
        // are taken in seed order, so the report and the first failure are those of a run on one thread.
        List<Simulation.Result> results = LongStream.range(from, to).parallel().mapToObj(Simulation::run).toList();
        List<Long> failed = new ArrayList<>();
        Simulation.Result first = null;
        Map<String, List<Long>> exercisedBy = new TreeMap<>();
        for (Simulation.Result result : results) {
            for (String behaviour : result.exercised()) {
                exercisedBy.computeIfAbsent(behaviour, b -> new ArrayList<>()).add(result.seed());
            }
            if (result.failed()) {
                failed.add(result.seed());
                first = first == null ? result : first;
            }
        }
        long seeds = to - from;
        exercisedBy.forEach((behaviour, by) -> System.out.printf("| %s | %d of %d | %s |%n", behaviour, by.size(), seeds,
                by.subList(0, Math.min(3, by.size()))));
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
