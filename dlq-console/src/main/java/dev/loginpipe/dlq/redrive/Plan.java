package dev.loginpipe.dlq.redrive;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One redrive plan and where it stands. Its id is the {@code replay.id} of every record it publishes and names its
 * own replay group, so its progress survives restarts in Kafka: the ledger counts what it published, the group
 * remembers how far it read. Thread-safe.
 */
public final class Plan {
    /** Where a plan stands; the last three end it (a paused plan can be resumed). */
    public enum State { CREATED, RUNNING, PAUSED, CANCELLED, FINISHED }

    private final String id;
    private final PlanSpec spec;
    private final String createdBy;
    private final Instant createdAt;
    private State state = State.CREATED;
    private String note = "";
    private long published;
    /** Engine thread only: when the records of this plan's last run are paid for at its rate. */
    private long paidUntilNanos = System.nanoTime();
    private long reachedAtResume;
    private long backAtResume;

    Plan(String id, PlanSpec spec, String createdBy, Instant createdAt) {
        this.id = id;
        this.spec = spec;
        this.createdBy = createdBy;
        this.createdAt = createdAt;
    }

    public String id() {
        return id;
    }

    public PlanSpec spec() {
        return spec;
    }

    public String createdBy() {
        return createdBy;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public synchronized State state() {
        return state;
    }

    /** Why it stands where it does, when not by a person's action (stop-loss, a failure); else empty. */
    public synchronized String note() {
        return note;
    }

    public synchronized long published() {
        return published;
    }

    synchronized void published(long count) {
        published = count;
    }

    synchronized void state(State newState, String why) {
        state = newState;
        note = why;
    }

    /** A running plan pauses, unrecorded (the trail can record nothing); true when it was running. */
    synchronized boolean haltIfRunning() {
        if (state != State.RUNNING) {
            return false;
        }
        state = State.PAUSED;
        note = "halted: the audit trail is read-only";
        return true;
    }

    boolean ended() {
        State now = state();
        return now == State.CANCELLED || now == State.FINISHED;
    }

    /** The stop-loss counts from here on: a resumed plan is judged on what it sends after the resume. */
    synchronized void resetStopLoss(Outcomes.Counts counts) {
        reachedAtResume = counts.reached();
        backAtResume = counts.cameBack();
    }

    synchronized boolean stopLossHit(Outcomes.Counts counts) {
        long back = counts.cameBack() - backAtResume;
        return spec.stopLoss(counts.reached() - reachedAtResume + back, back);
    }

    /**
     * A run starts only once the last one's records are paid for: each run's first transaction goes at once (the
     * engine's pacer), so without this a quick pause and resume would send two transactions' worth in a row.
     */
    void awaitPace() throws InterruptedException {
        long wait = paidUntilNanos - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    /** A run ended: its last transaction (at most rate/5 records, rounded up) is paid for one transaction later. */
    void runEnded() {
        double transaction = Math.ceil(spec.rate() / 5.0) / spec.rate();
        paidUntilNanos = System.nanoTime() + (long) (transaction * 1e9);
    }

    /** The consumer group a plan reads the DLQ with (so it never moves another plan's or the CLI's position). */
    static String groupId(String configured, String planId) {
        return configured + "-" + planId;
    }

    /**
     * The command that does what starting or resuming this plan does (without the stop-loss, which only the console
     * watches): the same engine, replay id, group, selection and rate, limited to what the plan may still publish.
     * Pausing or cancelling is stopping that command (SIGTERM); nothing half-published stays.
     */
    public String cliCommand(String configuredGroup) {
        List<String> words = new ArrayList<>(List.of("REPLAY_GROUP_ID=" + quote(groupId(configuredGroup, id)),
                "java", "-jar", "dlq-consumer.jar", "replay", "--id", id));
        words.addAll(selection(spec));
        words.addAll(List.of("--limit", Long.toString(Math.max(1, spec.maxCount() - published())),
                "--rate", Long.toString(spec.rate())));
        return String.join(" ", words);
    }

    /** The dry run's command: the same selection, counted only. */
    static String dryRunCommand(PlanSpec spec) {
        List<String> words = new ArrayList<>(List.of("java", "-jar", "dlq-consumer.jar", "replay", "--dry-run"));
        words.addAll(selection(spec));
        words.addAll(List.of("--limit", Long.toString(spec.maxCount())));
        return String.join(" ", words);
    }

    private static List<String> selection(PlanSpec spec) {
        List<String> words = new ArrayList<>(List.of("--to", quote(spec.to())));
        if (spec.reason() != null) {
            words.addAll(List.of("--reason", quote(spec.reason())));
        }
        if (spec.signature() != null) {
            words.addAll(List.of("--signature", spec.signature()));
        }
        if (spec.since() != null) {
            words.addAll(List.of("--since", Long.toString(spec.since())));
        }
        if (spec.until() != null) {
            words.addAll(List.of("--until", Long.toString(spec.until())));
        }
        return words;
    }

    synchronized ObjectNode json(ObjectNode node, Outcomes.Counts counts, String configuredGroup) {
        node.put("id", id).put("state", state.name().toLowerCase()).put("note", note)
                .put("created_by", createdBy).put("created_at", createdAt.toString()).put("published", published)
                .put("reached_output", counts.reached()).put("came_back", counts.cameBack())
                .put("pending", Math.max(0, published - counts.reached() - counts.cameBack()))
                .put("cli", cliCommand(configuredGroup));
        spec.json(node.putObject("spec"));
        return node;
    }

    /** A word for a POSIX shell: as it is when it is plain, else in single quotes. */
    static String quote(String word) {
        return word.matches("[A-Za-z0-9._,:/=@+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
