package dev.loginpipe.consumer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.common.schema.SchemaVersion;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;

/**
 * Runs the routing loop against {@link SimCluster} through one schedule of faults, restarting it as a supervisor would
 * (after a stop, or exit status 1 when a twin fenced it), until every record is committed; then checks the outcome.
 */
final class Simulation {
    private static final int MAX_STARTS = 60;

    /** What one run found: null when every invariant held. */
    record Result(long seed, List<SimFault> schedule, String violation, String workload, Set<String> exercised) {
        boolean failed() {
            return violation != null;
        }

        /** The violation without its numbers: a shrunk schedule must fail the same way. */
        String kind() {
            String words = violation.replaceAll("[0-9@]+", "N");
            return words.substring(0, Math.min(40, words.length()));
        }
    }

    private Simulation() {
    }

    static Result run(long seed) {
        return run(seed, SimCluster.schedule(seed));
    }

    static Result run(long seed, List<SimFault> schedule) {
        SimCluster cluster = new SimCluster(seed, schedule);
        for (int starts = 1; cluster.violation == null; starts++) {
            if (starts > MAX_STARTS) {
                cluster.violate("started " + MAX_STARTS + " times without finishing");
                break;
            }
            RoutingLoop loop = newLoop(cluster);
            cluster.stopper = loop::stop;
            cluster.stopRequested = false;
            int status;
            try {
                status = loop.run();
            } catch (Throwable e) {
                cluster.violate("an exception escaped the loop: " + ErrorText.of(e));
                break;
            }
            if (status == 1 && !cluster.fenceSignalled) {
                cluster.violate("exited 1 without a fatal error; the last client error: "
                        + (cluster.lastThrown == null ? "none" : ErrorText.of(cluster.lastThrown)));
            } else if (status == 0 && !cluster.stopRequested) {
                cluster.violate("returned 0 without being asked to stop");
            } else if (status != 0 && status != 1) {
                cluster.violate("exit status " + status);
            }
            cluster.fenceSignalled = false; // the twin was stopped; the supervisor starts this instance again
            cluster.zombieDeadline = 0;
            if (cluster.finishing && cluster.everythingCommitted()) {
                break;
            }
        }
        if (cluster.violation == null) {
            cluster.checkOutcome();
        }
        return new Result(seed, schedule, cluster.violation, cluster.describe(), cluster.exercised);
    }

    /** The smallest schedule (removing one fault at a time) that still breaks an invariant. */
    static Result shrink(Result failed) {
        List<SimFault> schedule = new ArrayList<>(failed.schedule());
        Result smallest = failed;
        boolean removed = true;
        while (removed) {
            removed = false;
            for (int i = 0; i < schedule.size(); i++) {
                List<SimFault> fewer = new ArrayList<>(schedule);
                fewer.remove(i);
                Result r = run(failed.seed(), List.copyOf(fewer));
                if (r.failed() && r.kind().equals(failed.kind())) {
                    schedule = fewer;
                    smallest = r;
                    removed = true;
                    break;
                }
            }
        }
        return smallest;
    }

    private static RoutingLoop newLoop(SimCluster cluster) {
        RecordRouter router = new RecordRouter(SimCluster.OUTPUT, SimCluster.DLQ, SimCluster.GROUP,
                "sim-1", 1_000_000, 1_000_000) {
            @Override
            public Routed route(ConsumerRecord<byte[], byte[]> in, SchemaVersion schema) {
                if (cluster.routingThrows.contains(new SimCluster.Coords(in.partition(), in.offset()))) {
                    throw new IllegalStateException("sim: a routing bug met " + in.partition() + "@" + in.offset());
                }
                return super.route(in, schema);
            }
        };
        Clients clients = new Clients() {
            @Override
            public Consumer<byte[], byte[]> consumer() {
                return new SimConsumer(cluster);
            }

            @Override
            public Producer<byte[], byte[]> producer() {
                return new SimProducer(cluster);
            }
        };
        LoopClock clock = new LoopClock() {
            @Override
            public long nanoTime() {
                return cluster.nanos;
            }

            @Override
            public void sleep(long millis) {
                cluster.nanos += millis * 1_000_000L;
                if (++cluster.sleepsSincePoll > 10_000) {
                    cluster.violate("backs off 10,000 times without polling");
                    cluster.stopper.run();
                }
            }
        };
        ConsumerMetrics metrics = new ConsumerMetrics(new PrometheusRegistry());
        // A new process: its schemas remember nothing, and the refreshes the last one asked for died with it.
        cluster.refreshesAsked.clear();
        cluster.live = new LiveSchema(cluster::registryAnswer, "sim registry", metrics, cluster.refreshesAsked::add);
        while (cluster.live.current() == null) {
            cluster.live.refresh(); // the loop waits for the registry: polls pass meanwhile
            cluster.step++;
        }
        return new RoutingLoop(SimCluster.INPUT, List.of(SimCluster.OUTPUT, SimCluster.DLQ), clients, clock, router,
                cluster.live, () -> { }, metrics, new Health(), new RoutingLoop.Batching(
                        cluster.maxRecords, cluster.maxPollRecords, cluster.commitIntervalMs,
                        (int) (cluster.maxPollIntervalNanos / 1_000_000),
                        (int) (cluster.transactionTimeoutNanos / 1_000_000)), List.of());
    }
}
