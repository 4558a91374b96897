package dev.loginpipe.consumer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Semaphore;

import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.common.schema.SchemaVersion;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;

/**
 * Runs the real routing loop of each of {@link SimCluster}'s instances against it through one schedule of faults,
 * restarting each as a supervisor would (after a stop, or exit status 1 when it was fenced), until every record is
 * committed; then checks the outcome. Each loop runs on a thread of its own, but only one at a time: a loop gives the
 * turn back at its polls, commits and back-offs, and the scheduler, seeded, picks which ready loop takes the next
 * step (the virtual clock jumps when every loop waits), so a seed replays exactly.
 */
final class Simulation {
    private static final int MAX_STARTS = 60;
    /** Turns after which a run is taken to go on for ever. */
    private static final int MAX_TURNS = 2_000_000;

    /** What one run found: null when every invariant held; {@code end} says where the run ended. */
    record Result(long seed, List<SimFault> schedule, String violation, String workload, Set<String> exercised,
                  String end) {
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
        Random order = new Random(seed * 67 + 11);
        Semaphore back = new Semaphore(0);
        cluster.scheduler = (me, wakeAt) -> {
            if (me.abandoned) {
                throw new SimInstance.Abandoned();
            }
            me.wakeAt = wakeAt;
            back.release();
            me.turn.acquireUninterruptibly();
            if (me.abandoned) {
                throw new SimInstance.Abandoned();
            }
        };
        cluster.instances.forEach(i -> start(cluster, i, back));
        try {
            for (int turns = 0; ; turns++) {
                List<SimInstance> running = cluster.instances.stream().filter(SimInstance::running).toList();
                if (running.isEmpty()) {
                    break;
                }
                if (turns > MAX_TURNS) {
                    cluster.violate("still running after " + MAX_TURNS + " turns");
                    break;
                }
                long now = cluster.nanos;
                List<SimInstance> ready = running.stream().filter(i -> i.wakeAt <= now).toList();
                if (ready.isEmpty()) {
                    cluster.nanos = running.stream().mapToLong(i -> i.wakeAt).min().orElseThrow();
                    continue;
                }
                SimInstance next = ready.get(order.nextInt(ready.size()));
                next.turn.release();
                back.acquireUninterruptibly();
                if (next.exited) {
                    exited(cluster, next, back);
                }
            }
        } finally {
            abandon(cluster);
        }
        if (cluster.violation == null) {
            cluster.checkOutcome();
        }
        return new Result(seed, schedule, cluster.violation, cluster.describe(), cluster.exercised,
                cluster.step + " polls, " + cluster.nanos + " ns, " + cluster.generation + " generations");
    }

    /** Checks how the loop ended, and starts it again unless the run is over. */
    private static void exited(SimCluster cluster, SimInstance me, Semaphore back) {
        if (me.escaped != null) {
            cluster.violate("an exception escaped " + me + "'s loop: " + ErrorText.of(me.escaped));
        } else if (me.status == 1 && !me.fenceSignalled) {
            cluster.violate(me + " exited 1 without a fatal error; the last client error: "
                    + (me.lastThrown == null ? "none" : ErrorText.of(me.lastThrown)));
        } else if (me.status == 0 && !me.stopRequested) {
            cluster.violate(me + " returned 0 without being asked to stop");
        } else if (me.status != 0 && me.status != 1) {
            cluster.violate(me + " exited with status " + me.status);
        }
        me.fenceSignalled = false; // the twin was stopped; the supervisor starts this instance again
        me.zombieDeadline = 0;
        if (cluster.violation != null || cluster.finishing) {
            return;
        }
        if (me.starts >= MAX_STARTS) {
            cluster.violate(me + " started " + MAX_STARTS + " times without finishing");
            return;
        }
        start(cluster, me, back);
    }

    /** A new process for the instance: its loop on a thread that waits for its first turn. */
    private static void start(SimCluster cluster, SimInstance me, Semaphore back) {
        me.starts++;
        me.loop = newLoop(cluster, me);
        me.stopRequested = false;
        me.exited = false;
        me.escaped = null;
        me.wakeAt = cluster.nanos;
        me.lastPollNanos = cluster.nanos;
        me.thread = new Thread(() -> {
            me.turn.acquireUninterruptibly();
            try {
                if (!me.abandoned) {
                    me.status = me.loop.run();
                }
            } catch (SimInstance.Abandoned e) {
                // the run is over
            } catch (Throwable e) {
                me.escaped = e;
            } finally {
                me.exited = true;
                back.release();
            }
        }, "sim-" + cluster.seed + "-" + me.id);
        me.thread.setDaemon(true);
        me.thread.start();
    }

    /** Ends the threads of loops still running when the run ended (a violation stops them where they wait). */
    private static void abandon(SimCluster cluster) {
        for (SimInstance i : cluster.instances) {
            if (i.running()) {
                i.abandoned = true;
                i.turn.release();
            }
            if (i.thread != null) {
                try {
                    i.thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
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

    private static RoutingLoop newLoop(SimCluster cluster, SimInstance me) {
        RecordRouter router = new RecordRouter(SimCluster.OUTPUT, SimCluster.DLQ, SimCluster.GROUP,
                me.id, 1_000_000, 1_000_000) {
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
                return new SimConsumer(cluster, me);
            }

            @Override
            public Producer<byte[], byte[]> producer() {
                return new SimProducer(cluster, me);
            }
        };
        LoopClock clock = new LoopClock() {
            @Override
            public long nanoTime() {
                return cluster.nanos;
            }

            @Override
            public void sleep(long millis) {
                if (++me.sleepsSincePoll > 10_000) {
                    cluster.violate(me + " backs off 10,000 times without polling");
                    me.loop.stop();
                }
                cluster.pass(me, cluster.nanos + millis * 1_000_000L);
            }
        };
        ConsumerMetrics metrics = new ConsumerMetrics(new PrometheusRegistry());
        // A new process: its schemas remember nothing, the refreshes the last one asked for died with it, and the
        // registry answers it the newest version.
        me.refreshesAsked.clear();
        me.unusable = null;
        me.live = new LiveSchema(current -> cluster.registryAnswer(me, current), "sim registry", metrics,
                me.refreshesAsked::add);
        while (me.live.current() == null) {
            me.live.refresh(); // the loop waits for the registry: polls pass meanwhile
            cluster.step++;
        }
        return new RoutingLoop(SimCluster.INPUT, List.of(SimCluster.OUTPUT, SimCluster.DLQ), clients, clock, router,
                me.live, () -> { }, metrics, new Health(), new RoutingLoop.Batching(
                        cluster.maxRecords, cluster.maxPollRecords, cluster.commitIntervalMs,
                        (int) (cluster.maxPollIntervalNanos / 1_000_000),
                        (int) (cluster.transactionTimeoutNanos / 1_000_000)), List.of());
    }
}
