package dev.loginpipe.dlq.redrive;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.dlq.redrive.Plan.State;
import dev.loginpipe.dlq.replay.ReplayControl;
import dev.loginpipe.dlq.replay.ReplayFencedException;
import dev.loginpipe.dlq.replay.ReplaySummary;
import dev.loginpipe.dlq.replay.Replayer;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redrive plans: created, started, paused, resumed and cancelled by people, run one at a time (queued) by the replay
 * engine the command line uses, each action recorded in the audit trail before it takes effect. The trail is also
 * where plans come back from after a restart: a plan that was running runs on, and the ledger (not memory) says how
 * many records it published already, so it neither publishes a record twice nor exceeds its maximum count.
 * <p>
 * Pages read plans without waiting for the brokers: an action appends its entry and only then changes the plan,
 * holding {@link #actions}, which readers never take; while an earlier action waits for the trail, another is
 * refused within {@link #ACTION_WAIT_MS} ms ({@link TrailBusy}).
 */
public final class Redrive implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("dlq-console");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_WHO = 64;
    private static final long WATCH_SECONDS = 5;
    static final long ACTION_WAIT_MS = 500;

    private final Config config;
    private final Replayer replayer;
    private final AuditTrail audit;
    private final Outcomes outcomes;
    /** Every plan, oldest first: replaced whole (under {@link #actions}), never changed, so readers take no lock. */
    private volatile Map<String, Plan> plans = Map.of();
    /** Held by whoever appends an action and then applies it, so that entries and their effects keep one order. */
    private final ReentrantLock actions = new ReentrantLock();
    /** Set on close: a plan stopped by a shutdown stays running in the trail, to run on after the restart. */
    private volatile boolean closing;
    private final Semaphore dryRuns = new Semaphore(1);
    /** Reads what anyone appended to the audit trail, so that a forged entry is seen without waiting for an action. */
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "audit-watch");
        thread.setDaemon(true);
        return thread;
    });
    /** The one engine: plans take turns, so one process never runs two replays of one ledger at once. */
    private final ExecutorService engine = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "redrive");
        thread.setDaemon(true);
        return thread;
    });

    private Redrive(Config config, AuditTrail audit) {
        this.config = config;
        this.replayer = new Replayer(config);
        this.audit = audit;
        rebuild(audit.verifiedEntries());
        Instant oldest = plans.values().stream().map(Plan::createdAt).min(Instant::compareTo).orElse(Instant.now());
        this.outcomes = new Outcomes(config, oldest, plans.keySet());
    }

    /** Reads the audit trail, rebuilds every plan from it, and runs on those that were running. */
    public static Redrive open(Config config) {
        AuditTrail audit = AuditTrail.open(config);
        Redrive redrive;
        try {
            redrive = new Redrive(config, audit);
        } catch (RuntimeException e) {
            audit.close(); // the brokers went away while the plans were rebuilt: the opener tries again
            throw e;
        }
        String readOnly = audit.readOnly();
        if (readOnly != null) {
            LOG.warn("redrive: {}", readOnly);
        }
        redrive.plans().stream().filter(p -> p.state() == State.RUNNING).forEach(p -> {
            if (readOnly == null) {
                LOG.info("redrive plan {} was running: it runs on", p.id());
                redrive.engine.submit(() -> redrive.run(p));
            } else {
                p.state(State.PAUSED, "halted: the audit trail is read-only");
            }
        });
        redrive.watcher.scheduleWithFixedDelay(redrive::readTrail, WATCH_SECONDS, WATCH_SECONDS, TimeUnit.SECONDS);
        return redrive;
    }

    /**
     * Counts what a plan with this spec would publish now, publishing nothing; recorded in the trail. It reads the
     * whole DLQ, so one runs at a time.
     */
    public ReplaySummary dryRun(String who, PlanSpec spec) {
        String readOnly = audit.readOnly();
        if (readOnly != null) {
            throw new AuditTrail.ReadOnly(readOnly);
        }
        if (!dryRuns.tryAcquire()) {
            throw new NotNow("a dry run is already running; try again when it is done");
        }
        try {
            return countAndRecord(who, spec);
        } finally {
            dryRuns.release();
        }
    }

    private ReplaySummary countAndRecord(String who, PlanSpec spec) {
        ReplaySummary summary = replayer.replay(spec.options(spec.maxCount(), true), new ReplayControl() {
            @Override
            public String replayId() {
                return "dry-run";
            }

            @Override
            public String groupId(String configured) {
                return configured + "-dry-run"; // never committed: a dry run reads the whole DLQ, as a plan would
            }
        });
        ObjectNode fields = JSON.createObjectNode();
        spec.json(fields.putObject("spec"));
        fields.putObject("counts").put("read", summary.read()).put("would_publish", summary.replayed())
                .put("skipped_already_replayed", summary.skippedAlreadyReplayed())
                .put("skipped_truncated", summary.skippedTruncated())
                .put("skipped_max_replays", summary.skippedMaxReplays());
        audit.append(who(who), "dry-run", fields.put("cli", Plan.dryRunCommand(spec)));
        return summary;
    }

    /** An entry for something done outside a plan (the console's dry run, backtest, shadow), before it is done. */
    void record(String who, String action, ObjectNode fields) {
        lockForAction(); // as a plan's action: refused at once while an earlier one waits for the trail
        try {
            audit.append(who(who), action, fields);
        } finally {
            actions.unlock();
        }
    }

    public Plan create(String who, PlanSpec spec) {
        replayer.targets().check(spec.to());
        Plan plan = new Plan("plan-" + UUID.randomUUID().toString().substring(0, 8), spec, who(who), Instant.now());
        ObjectNode fields = JSON.createObjectNode().put("plan", plan.id());
        spec.json(fields.putObject("spec"));
        lockForAction();
        try {
            audit.append(who(who), "created", fields.put("cli", plan.cliCommand(group())));
            outcomes.track(plan.id());
            Map<String, Plan> next = new LinkedHashMap<>(plans);
            next.put(plan.id(), plan);
            plans = Collections.unmodifiableMap(next);
        } finally {
            actions.unlock();
        }
        return plan;
    }

    /** Starts a plan; one that names a schema version waits (409) until the pipeline's records are judged by it. */
    public Plan start(String who, String planId) {
        String wanted = plan(planId).spec().schemaVersion();
        if (wanted != null) {
            String live = LiveSchemaVersion.newest(config);
            if (!wanted.equals(live)) {
                throw new NotNow("plan " + planId + " waits for schema version " + wanted + " to be live: the newest "
                        + "routed record was judged by " + (live == null ? "no known version" : "version " + live));
            }
        }
        return act(who, planId, "started", State.RUNNING, State.CREATED);
    }

    public Plan pause(String who, String planId) {
        return act(who, planId, "paused", State.PAUSED, State.RUNNING);
    }

    public Plan resume(String who, String planId) {
        return act(who, planId, "resumed", State.RUNNING, State.PAUSED);
    }

    public Plan cancel(String who, String planId) {
        return act(who, planId, "cancelled", State.CANCELLED, State.CREATED, State.RUNNING, State.PAUSED);
    }

    /** Every plan, oldest first. */
    public List<Plan> plans() {
        return new ArrayList<>(plans.values());
    }

    public Plan plan(String planId) {
        Plan plan = plans.get(planId);
        if (plan == null) {
            throw new NoSuchPlan("no plan " + planId);
        }
        return plan;
    }

    /** The plan asked for does not exist. */
    public static final class NoSuchPlan extends RuntimeException {
        NoSuchPlan(String message) {
            super(message);
        }
    }

    /** An earlier action still waits for the audit trail (the brokers slow or away): this one is not taken. */
    public static final class TrailBusy extends RuntimeException {
        TrailBusy(String message) {
            super(message);
        }
    }

    /** The action does not fit where the plan stands (e.g. resuming a finished plan). */
    public static final class NotNow extends RuntimeException {
        NotNow(String message) {
            super(message);
        }
    }

    /** A plan for people and pages: its spec, state, counts and outcomes, and its command-line equivalent. */
    public ObjectNode json(Plan plan) {
        return plan.json(JSON.createObjectNode(), outcomes.of(plan.id()), group());
    }

    public List<JsonNode> auditEntries() {
        return AuditTrail.parsed(audit.entries());
    }

    public AuditTrail.Verification verifyAudit() {
        return audit.verification();
    }

    /** The topics plans may publish to. */
    public java.util.Set<String> targets() {
        return replayer.targets().allowed();
    }

    /** Why redrive can record nothing (and so do nothing), or null. */
    public String readOnly() {
        return audit.readOnly();
    }

    /** What happened to one DLQ record: its ledger entry (which replay published it, when, where; null: none) and
     *  the trail of the plan that did. */
    public ObjectNode history(JsonNode entry) {
        ObjectNode history = JSON.createObjectNode();
        history.set("ledger", entry);
        String replayId = entry == null ? null : entry.path("replay_id").asText(null);
        var trail = history.putArray("audit");
        if (replayId != null) {
            auditEntries().stream().filter(e -> replayId.equals(e.path("plan").asText(null))).forEach(trail::add);
        }
        return history;
    }

    private Plan act(String who, String planId, String action, State to, State... from) {
        Plan plan = plan(planId);
        lockForAction();
        try {
            if (!List.of(from).contains(plan.state())) {
                throw new NotNow("plan " + planId + " is " + plan.state().name().toLowerCase()
                        + ": it cannot be " + action);
            }
            record(who(who), action, plan);
            plan.state(to, "");
        } finally {
            actions.unlock();
        }
        if (to == State.RUNNING) {
            plan.resetStopLoss(outcomes.of(plan.id()));
            engine.submit(() -> run(plan));
        }
        return plan;
    }

    /** One turn of the engine for a plan: publishes what it still may, until done, paused, cancelled or stopped. */
    private void run(Plan plan) {
        if (plan.state() != State.RUNNING) {
            return; // paused or cancelled while it waited its turn
        }
        try {
            plan.awaitPace();
            try {
                replayer.replay(plan.spec().options(plan.spec().maxCount(), false), control(plan));
            } finally {
                plan.runEnded();
            }
            actions.lock();
            try {
                if (plan.state() == State.RUNNING && !closing) {
                    record("redrive", "finished", plan);
                    plan.state(State.FINISHED, plan.published() >= plan.spec().maxCount()
                            ? "maximum count reached" : "every selected record read");
                }
            } finally {
                actions.unlock();
            }
        } catch (InterruptedException closed) {
            Thread.currentThread().interrupt(); // close(): the plan stays running in the trail
        } catch (AuditTrail.ReadOnly e) {
            halted(plan, e.getMessage());
        } catch (ReplayFencedException e) {
            stopped(plan, "fenced: another replay of the same ledger started; resume when it is done");
        } catch (IllegalArgumentException e) {
            stopped(plan, "failed: " + e.getMessage()); // a target no longer allowed
        } catch (KafkaException | IllegalStateException e) {
            stopped(plan, "failed: " + ErrorText.of(e));
        } catch (RuntimeException e) {
            LOG.error("redrive plan {} failed", plan.id(), e);
            stopped(plan, "failed: " + ErrorText.of(e));
        }
    }

    /** Pauses a plan the engine could not run on, saying why; a person resumes it. */
    private void stopped(Plan plan, String why) {
        if (closing) {
            return;
        }
        LOG.warn("redrive plan {} paused: {}", plan.id(), why);
        actions.lock();
        try {
            if (plan.state() == State.RUNNING) {
                try {
                    record("redrive: " + why, "paused", plan);
                } catch (AuditTrail.ReadOnly e) {
                    halted(plan, e.getMessage());
                    return;
                }
                plan.state(State.PAUSED, why);
            }
        } finally {
            actions.unlock();
        }
    }

    /** The trail can record nothing: the plan stops where it is, unrecorded; after a restart it is rebuilt as recorded. */
    private void halted(Plan plan, String why) {
        if (plan.haltIfRunning()) {
            LOG.warn("redrive plan {} halted: {}", plan.id(), why);
        }
    }

    /** Takes {@link #actions} for a person's action, or refuses it when an earlier one waits for the trail. */
    private void lockForAction() {
        try {
            if (actions.tryLock(ACTION_WAIT_MS, TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new TrailBusy("the audit trail is not answering: an earlier action still waits for it (the brokers may "
                + "be slow or away); nothing was done, try again");
    }

    private void readTrail() {
        try {
            String before = audit.readOnly();
            audit.readNew();
            String now = audit.readOnly();
            if (now != null && !now.equals(before)) {
                LOG.warn("redrive: {}", now);
            }
        } catch (RuntimeException e) {
            LOG.debug("audit trail not read", e);
        }
    }

    private ReplayControl control(Plan plan) {
        return new ReplayControl() {
            /** What the plan had published before this run: read from the ledger once the run holds its id. */
            private long before;

            @Override
            public long limit(long configured) {
                before = LedgerEntries.publishedBy(config, plan.id());
                plan.published(before);
                long left = plan.spec().maxCount() - before;
                return left > 0 ? left : NOTHING_LEFT;
            }

            @Override
            public String replayId() {
                return plan.id();
            }

            @Override
            public double recordsPerSecond() {
                return plan.spec().rate();
            }

            @Override
            public String groupId(String configured) {
                return Plan.groupId(configured, plan.id());
            }

            @Override
            public boolean proceed() {
                String readOnly = audit.readOnly();
                if (readOnly != null) {
                    halted(plan, readOnly);
                    return false;
                }
                if (plan.stopLossHit(outcomes.of(plan.id()))) {
                    stopped(plan, "stop-loss: more than " + plan.spec().stopLossPercent()
                            + "% of the records sent came back to the DLQ");
                }
                return plan.state() == State.RUNNING && !closing;
            }

            @Override
            public void progress(ReplaySummary soFar) {
                plan.published(before + soFar.replayed());
            }
        };
    }

    /** An entry for an action on a plan: the plan, its counts and outcomes, the command that does the same. */
    private void record(String who, String action, Plan plan) {
        ObjectNode fields = json(plan);
        fields.remove("id");
        fields.remove("state");
        fields.remove("note");
        audit.append(who, action, JSON.createObjectNode().put("plan", plan.id()).setAll(fields));
    }

    /** Plans as the trail left them: created, then each action's state. */
    private void rebuild(List<JsonNode> entries) {
        Map<String, Plan> plans = new LinkedHashMap<>();
        for (JsonNode entry : entries) {
            String action = entry.path("action").asText();
            String id = entry.path("plan").asText(null);
            if (id == null) {
                continue;
            }
            try {
                if (action.equals("created")) {
                    plans.put(id, new Plan(id, PlanSpec.of(entry.path("spec"), config.get(Settings.INPUT_TOPIC)),
                            entry.path("who").asText(), Instant.parse(entry.path("at").asText())));
                    continue;
                }
                Plan plan = plans.get(id);
                State state = switch (action) {
                    case "started", "resumed" -> State.RUNNING;
                    case "paused" -> State.PAUSED;
                    case "cancelled" -> State.CANCELLED;
                    case "finished" -> State.FINISHED;
                    default -> null;
                };
                if (plan != null && state != null) {
                    plan.state(state, "");
                    plan.published(entry.path("published").asLong(plan.published()));
                }
            } catch (RuntimeException unreadable) {
                LOG.warn("redrive: audit entry {} cannot be read, skipped", entry.path("seq").asText("?"));
            }
        }
        this.plans = Collections.unmodifiableMap(plans);
    }

    private String group() {
        return config.get(Settings.REPLAY_GROUP_ID);
    }

    /** Who acted, as the caller said, cut and stripped of control characters (it goes into the trail). */
    private static String who(String who) {
        if (who == null || who.isBlank()) {
            return "anonymous";
        }
        StringBuilder out = new StringBuilder();
        who.codePoints().limit(MAX_WHO).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return out.toString();
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        watcher.shutdownNow();
        engine.shutdownNow();
        engine.awaitTermination(30, TimeUnit.SECONDS);
        outcomes.close();
        audit.close();
    }
}
