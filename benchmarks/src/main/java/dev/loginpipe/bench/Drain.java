package dev.loginpipe.bench;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * One entry (a contender under one setting of JVM flags) routing the whole preloaded input once, on fresh output
 * and DLQ topics and a fresh group; then the record-by-record check and the deletion of what it wrote. The rate and
 * the CPU per record are taken over the same window, from the group's first commit to the commit that covers the
 * input's end: JVM start and group join are left out (the time "from process start" includes them).
 */
final class Drain {
    /** What a drain is for: measured and checked, a throw-away warm-up, or the run that writes the start cache. */
    enum Kind { MEASURED, WARM_UP, TRAINING }

    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final long WATCH_INTERVAL_MS = 20;

    /**
     * What one drain showed; {@code verdict} is null for a drain that is not measured, which is not checked.
     * Over the routers' whole life, start included: {@code secondsToFirstCommit}, from their start to the first
     * commit seen (JVM start, group join, the first records routed); {@code routerSeconds}, their CPU until the
     * input is covered; {@code jitSeconds}, the part of it their JIT compiler threads used.
     */
    record Result(long records, double recordsPerSecond, double routerMicrosPerRecord, double brokerMicrosPerRecord,
                  double secondsFromStart, double secondsToFirstCommit, double routerSeconds, double jitSeconds,
                  long peakRssBytes, ExactlyOnceCheck.Verdict verdict) {
    }

    /** CPU time of the routers and of the broker, and committed records, at one moment. */
    private record Sample(long nanos, long committed, long routerCpu, long brokerCpu) {
    }

    private Drain() {
    }

    static Result run(BenchOptions options, BenchAdmin admin, LocalBroker broker, Entry entry, RunTopics run,
                      Map<TopicPartition, Long> end, long validEvents, Kind kind) throws Exception {
        admin.create(run.output(), run.dlq());
        long total = end.values().stream().mapToLong(Long::longValue).sum();
        Sample start = new Sample(System.nanoTime(), 0, 0, broker.cpuNanos());
        Sample first = null;
        Sample done;
        long peakRss;
        long jitNanos;
        try (RouterFleet fleet = entry.contender().start(options, run, entry.flags(), kind == Kind.TRAINING)) {
            long deadline = start.nanos() + TIMEOUT.toNanos();
            while (true) {
                fleet.ensureRunning();
                long committed = admin.committedRecords(run.group(), end);
                Sample now = new Sample(System.nanoTime(), committed, fleet.cpuNanos(), broker.cpuNanos());
                if (first == null && committed > 0) {
                    first = now;
                }
                if (committed == total) {
                    done = now;
                    break;
                }
                if (now.nanos() > deadline) {
                    throw new IllegalStateException(entry.key() + " committed " + committed + " of " + total
                            + " records within " + TIMEOUT);
                }
                Thread.sleep(WATCH_INTERVAL_MS);
            }
            peakRss = fleet.peakRssBytes();
            jitNanos = fleet.jitCpuNanos();
        }
        double toFirstCommit = (first.nanos() - start.nanos()) / 1e9;
        if (first == done) {
            first = start; // all of it in the first commit seen: no window, count from process start
        }
        long records = done.committed() - first.committed();
        double seconds = (done.nanos() - first.nanos()) / 1e9;
        ExactlyOnceCheck.Verdict verdict =
                kind == Kind.MEASURED ? ExactlyOnceCheck.check(options.bootstrap(), run, end, validEvents) : null;
        admin.delete(run.output(), run.dlq());
        return new Result(total, records / seconds,
                (done.routerCpu() - first.routerCpu()) / 1e3 / records,
                (done.brokerCpu() - first.brokerCpu()) / 1e3 / records,
                (done.nanos() - start.nanos()) / 1e9, toFirstCommit, done.routerCpu() / 1e9, jitNanos / 1e9, peakRss,
                verdict);
    }
}
