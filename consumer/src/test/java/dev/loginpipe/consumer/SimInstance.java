package dev.loginpipe.consumer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

import dev.loginpipe.common.schema.UnusableSchema;

/**
 * One consumer instance of the simulation ({@code INSTANCE_ID sim-N}): the transaction coordinator's state of its
 * transactional id, and the process a supervisor runs for it (a real {@link RoutingLoop} on a thread of its own, which
 * runs only while {@link Simulation}'s scheduler has given it the turn).
 */
final class SimInstance {
    /** Thrown into a loop's thread at a turn it will never get: the run ended without it. */
    static final class Abandoned extends Error {
        Abandoned() {
            super("sim: the run ended", null, false, false);
        }
    }

    final String id;

    // The transaction coordinator, for this instance's transactional id.
    int epoch;
    /** The epoch of the instance's newest producer: behind {@link #epoch} when a twin or a timeout fenced it. */
    int loopEpoch;
    /** The producer whose open transaction the coordinator times out. */
    SimProducer openProducer;
    /** A commit the coordinator prepared and has not completed: the next initTransactions completes it, or itself. */
    Runnable prepared;
    int preparedDoneAt;
    /**
     * A twin with the same transactional id fenced the producer, or the coordinator timed its transaction out, and
     * Kafka told the loop so: from then on it must not go on (nor, after a twin, initialise a producer).
     */
    boolean fenceSignalled;
    int fenceKind;
    /** This instance's poll by which the fenced zombie must have stopped; 0 when there is none. */
    int zombieDeadline;

    // The group member.
    /** The consumer of the instance's running loop. */
    SimConsumer consumer;
    /** The instance's consumer the group dropped, until it is given partitions again. */
    SimConsumer lost;
    int rejoinAt;
    long lastPollNanos;

    // The process.
    RoutingLoop loop;
    LiveSchema live;
    final List<Runnable> refreshesAsked = new ArrayList<>();
    /** What the registry answers this process from a {@link SimFault.Kind#REGISTRY_UNUSABLE} on, or null. */
    UnusableSchema unusable;
    boolean stopRequested;
    int polls;
    int sleepsSincePoll;
    int starts;
    /** The last exception the clients gave the loop, to say why it exited. */
    Throwable lastThrown;
    /** Stops after its next poll (a long GC pause, SIGSTOP) for this long; 0 when not. */
    long pauseFor;
    /** Frozen at its next commit, after its offsets were added (SIGSTOP), for this long; 0 when not. */
    long freezeAtCommit;

    // The scheduler.
    final Semaphore turn = new Semaphore(0);
    Thread thread;
    /** When it may take its next step (virtual nanoseconds). */
    long wakeAt;
    boolean exited;
    int status;
    Throwable escaped;
    volatile boolean abandoned;

    SimInstance(int number) {
        this.id = "sim-" + number;
    }

    boolean running() {
        return thread != null && !exited;
    }

    @Override
    public String toString() {
        return id;
    }
}
