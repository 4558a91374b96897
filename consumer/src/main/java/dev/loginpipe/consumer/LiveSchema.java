package dev.loginpipe.consumer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.observability.RateLimitedLog;
import dev.loginpipe.common.schema.SchemaSource;
import dev.loginpipe.common.schema.SchemaVersion;
import dev.loginpipe.common.schema.UnusableSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema version that judges the next transaction. A thread of its own asks the {@link SchemaSource} every
 * {@code SCHEMA_REFRESH_MS} and publishes a new usable version in a volatile field; the routing thread only reads
 * that field, once per transaction. A candidate that cannot be used never replaces the running version: the reason
 * goes to the log (rate-limited), {@code /health} and a metric, and the next refresh tries again. It remembers the
 * order of the versions it ran, so a version another instance committed a partition with can be placed before or after
 * the running one ({@link SchemaHandover}). A version can be run again (A, B, then A after a rollback): the offsets'
 * metadata names a run by its version and the versions run before it, "1>2>1", so that A after B is told from A.
 */
final class LiveSchema implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveSchema.class);
    private static final long WAIT_STEP_MS = 100;
    /** Versions remembered in the order they judged; one forgotten counts as not run (a refresh is waited for). */
    private static final int HISTORY = 1_000;
    /** Versions the offsets' metadata names: the one that judged and up to three run before it. */
    static final int LINEAGE = 4;
    /** Longer metadata is not ours: the group's metadata is compared as hostile text, never parsed at length. */
    private static final int MAX_METADATA_CHARS = 256;
    private static final String THEN = ">";

    private final SchemaSource source;
    private final String where;
    private final ConsumerMetrics metrics;
    private final RateLimitedLog warnings = new RateLimitedLog(LOG, 30_000);
    /** Runs a refresh asked for now; null for a fixed version. */
    private final Executor refresher;
    private volatile Run running;
    private volatile UnusableSchema problem;
    /** The {@code version} of each version made current, oldest first, but for {@code forgotten}; guarded by itself. */
    private final List<String> history = new ArrayList<>();
    private long forgotten;
    private final AtomicLong refreshesBegun = new AtomicLong();
    /** The number of the last refresh the source answered, usable or not (whether or not it found a new version). */
    private volatile long lastAnswered;
    /** The number of the last refresh the source did not answer ({@link UnusableSchema.Reason#UNREACHABLE}). */
    private volatile long lastUnanswered;

    /**
     * A version as this instance runs it: the how-manieth version made current it is (from 1), and the offsets'
     * metadata that names this run, its version last: {@code 1>2>1}.
     */
    record Run(SchemaVersion version, long number, String metadata) {
    }

    LiveSchema(SchemaSource source, String where, ConsumerMetrics metrics, Executor refresher) {
        this.source = source;
        this.where = where;
        this.metrics = metrics;
        this.refresher = refresher;
    }

    /** Loads the first version now when it can, then refreshes every {@code refreshMs} on a daemon thread. */
    static LiveSchema start(SchemaSource source, String where, long refreshMs, ConsumerMetrics metrics) {
        ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "schema-refresh");
            thread.setDaemon(true);
            return thread;
        });
        LiveSchema live = new LiveSchema(source, where, metrics, refresher);
        live.refresh();
        refresher.scheduleWithFixedDelay(live::refresh, refreshMs, refreshMs, TimeUnit.MILLISECONDS);
        return live;
    }

    /** One version for good (the fault simulation, benchmarks). */
    static LiveSchema fixed(SchemaVersion version) {
        LiveSchema live = new LiveSchema(null, "fixed", null, null);
        live.makeCurrent(version);
        return live;
    }

    /**
     * Whether records judged by {@code judge} may follow, in one partition, records judged by the run named
     * {@code before} (the metadata another instance committed with): none named, or a run this instance had by
     * {@code judge}, the versions named before it run in that order just before it. The first versions this instance
     * ran have no known past: {@code judge} itself matches as far as it goes back. Unknown (newer, a rollback not seen
     * yet, garbage in the group's metadata) is false.
     */
    boolean mayFollow(String before, Run judge) {
        if (before == null || before.isEmpty() || before.equals(judge.metadata())) {
            return true;
        }
        if (before.length() > MAX_METADATA_CHARS) {
            return false;
        }
        String[] named = before.split(THEN, LINEAGE + 1);
        if (named.length > LINEAGE) {
            return false;
        }
        synchronized (history) {
            int last = (int) (judge.number() - forgotten - 1);
            for (int at = last; at >= 0; at--) {
                if (ranInOrder(named, at, at == last && forgotten == 0)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Whether the runs up to {@code at} end with {@code named}; if {@code shortOk}, with as much of it as was run. */
    private boolean ranInOrder(String[] named, int at, boolean shortOk) {
        if (at + 1 < named.length && !shortOk) {
            return false;
        }
        for (int i = 0; i < named.length && at - i >= 0; i++) {
            if (!named[named.length - 1 - i].equals(history.get(at - i))) {
                return false;
            }
        }
        return true;
    }

    /** Asks for a refresh now, beside the periodic ones; the ticket is for {@link #answeredSince}. */
    long refreshNow() {
        long ticket = refreshesBegun.get();
        try {
            if (refresher != null) {
                refresher.execute(this::refresh);
            }
        } catch (RejectedExecutionException e) {
            // closing: nothing will be routed any more
        }
        return ticket;
    }

    /**
     * Whether the source answered a refresh begun after {@code ticket} was taken: the newest version it has is known,
     * or it has nothing usable (and waiting for it could last for good).
     */
    boolean answeredSince(long ticket) {
        return refresher == null || lastAnswered > ticket;
    }

    /** Whether the last refresh begun after {@code ticket} was taken got no answer from the source. */
    boolean unansweredSince(long ticket) {
        return refresher != null && lastUnanswered > ticket && lastUnanswered > lastAnswered;
    }

    /** The version for a transaction that begins now; null only before the first usable one. */
    SchemaVersion current() {
        Run run = running;
        return run == null ? null : run.version();
    }

    /** The run for a transaction that begins now; null only before the first usable version. */
    Run running() {
        return running;
    }

    /** Waits until a version is loaded; false if {@code stopping} came first. */
    boolean awaitFirst(BooleanSupplier stopping) {
        while (running == null && !stopping.getAsBoolean()) {
            try {
                Thread.sleep(WAIT_STEP_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return running != null;
    }

    /** Why nothing can be judged yet, or null once a version is loaded: the consumer is not ready without one. */
    String notReadyReason() {
        if (running != null) {
            return null;
        }
        UnusableSchema why = problem;
        return "no usable schema yet from " + where + (why == null ? "" : ": " + why.getMessage());
    }

    /** What the last refresh could not use while an older version judges, or null. */
    String warning() {
        UnusableSchema why = problem;
        SchemaVersion running = current();
        return why == null || running == null ? null : "schema refresh failed (" + why.reason.label + "): "
                + why.getMessage() + "; still judging by " + running.label();
    }

    void refresh() {
        long number = refreshesBegun.incrementAndGet();
        SchemaVersion previous = current();
        try {
            SchemaVersion next = source.next(previous);
            problem = null;
            metrics.schemaRefreshed();
            if (next != previous) {
                makeCurrent(next);
                metrics.schemaActive(next, previous != null);
                if (previous == null) {
                    LOG.info("schema {} from {}", next.label(), where);
                } else {
                    LOG.info("schema {} from {} judges from the next transaction on (was {})", next.label(), where,
                            previous.label());
                }
            }
            lastAnswered = number;
        } catch (UnusableSchema e) {
            failed(e, number);
        } catch (RuntimeException | StackOverflowError e) {
            // A bug of ours or a library's on a strange schema: that candidate is unusable, the thread goes on.
            failed(new UnusableSchema(UnusableSchema.Reason.NOT_A_SCHEMA, "compiling failed: " + ErrorText.of(e)),
                    number);
        } catch (Error e) {
            // Out of memory on a huge answer, a class that did not load: thrown out of a scheduled task it would end
            // the refreshes without a word. The answer is unusable; the next refresh tries again.
            LOG.error("schema refresh from {} failed", where, e);
            failed(new UnusableSchema(UnusableSchema.Reason.BAD_ANSWER, "the refresh threw " + ErrorText.of(e)),
                    number);
        }
    }

    private void failed(UnusableSchema e, long number) {
        if (e.reason == UnusableSchema.Reason.UNREACHABLE) {
            lastUnanswered = number;
        } else {
            lastAnswered = number;
        }
        problem = e;
        metrics.schemaRefreshFailed(e.reason);
        SchemaVersion running = current();
        warnings.warn(e.reason.label, "schema from " + where + " not used (" + e.reason.label + "): " + e.getMessage()
                + (running == null ? "; not ready until a usable one is found" : "; still judging by " + running.label()));
    }

    private void makeCurrent(SchemaVersion next) {
        synchronized (history) {
            if (history.size() == HISTORY) {
                history.remove(0);
                forgotten++;
            }
            history.add(next.version());
            String metadata = String.join(THEN, history.subList(Math.max(0, history.size() - LINEAGE), history.size()));
            running = new Run(next, forgotten + history.size(), metadata);
        }
    }

    @Override
    public void close() {
        if (refresher instanceof ScheduledExecutorService scheduled) {
            scheduled.shutdownNow();
        }
    }
}
