package dev.loginpipe.consumer;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import dev.loginpipe.common.schema.SchemaVersion;
import dev.loginpipe.common.schema.UnusableSchema;
import dev.loginpipe.common.validation.EventValidator;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * An in-memory model of what the routing loops talk to: the input topic, the consumer group (members, assignment,
 * generations, committed offsets), the transaction coordinator (each instance's transactional id, its epoch, the
 * committed output and DLQ records), and a schema registry each loop's {@link LiveSchema} refreshes from. The group's
 * members are 1 to 3 instances of the real loop ({@link SimInstance}), which {@link Simulation} runs one at a time in
 * an order the seed picks. It plays a seeded schedule of faults into the clients of whichever loop polls, and checks
 * the exactly-once invariants, and that no partition's schema versions go back, at every commit and at the end. Only
 * one loop runs at a time and the model acts inside their client calls, so a seed and a schedule replay exactly.
 */
final class SimCluster {
    static final String INPUT = "in";
    static final String OUTPUT = "out";
    static final String DLQ = "dlq";
    static final String GROUP = "sim";
    /** Polls after the last fault within which every record must be routed and committed: past it, the loops stall. */
    private static final int STALL_LIMIT = 3_000;
    /** Polls within which a fenced zombie given partitions back must stop. */
    private static final int ZOMBIE_POLLS = 20;
    private static final EventValidator VALIDATOR = EventValidator.load(EventValidator.BUNDLED);

    /** Where a record is on the input. */
    record Coords(int partition, long offset) {
        @Override
        public String toString() {
            return partition + "@" + offset;
        }
    }

    /** What became of an input record: the topic its committed copy is on and the copy's error.reason. */
    record Fate(String topic, String reason) {
        @Override
        public String toString() {
            return reason == null ? topic : topic + " as " + reason;
        }
    }

    /** Gives the turn to other loops until the virtual clock reaches {@code wakeAt} (see {@link Simulation}). */
    interface Scheduler {
        void pass(SimInstance instance, long wakeAt);
    }

    final long seed;
    final int maxRecords;
    final int maxPollRecords;
    final int commitIntervalMs;
    private final List<SimFault> schedule;
    private final int lastFaultStep;
    private final Random workload;
    /** The consumer instances: each a real loop, restarted by a supervisor when it exits. */
    final List<SimInstance> instances = new ArrayList<>();
    Scheduler scheduler;

    // The input topic.
    private final List<List<ConsumerRecord<byte[], byte[]>>> input = new ArrayList<>();
    private final Map<Coords, Fate> expected = new HashMap<>();
    final Set<Coords> refusedByOutput = new HashSet<>();
    final Set<Coords> routingThrows = new HashSet<>();

    // The group.
    /** CooperativeStickyAssignor: a rebalance revokes only the partitions that move (the eager assignors: all). */
    boolean cooperative;
    /** max.poll.interval.ms: a member that does not poll for longer leaves the group. */
    final long maxPollIntervalNanos;
    final Map<Integer, Long> committed = new HashMap<>();
    /** The metadata committed with each partition's offset: the schema version that judged it. */
    final Map<Integer, String> committedBy = new HashMap<>();
    /** The instance whose transaction committed each partition's offset last. */
    private final Map<Integer, SimInstance> committer = new HashMap<>();
    /** The members in the group, as its coordinator sees them. */
    private final List<SimConsumer> members = new ArrayList<>();
    /** Which member the coordinator has given each partition (until the member revokes it or is dropped). */
    private final Map<Integer, SimConsumer> owner = new HashMap<>();
    /** The assignment the last rebalance aims at; each member does its part at its next poll. */
    private final Map<SimConsumer, Set<Integer>> target = new HashMap<>();
    private int targetVersion;
    int generation;
    private int memberIds;

    // The transaction coordinator.
    /** transaction.timeout.ms: the coordinator aborts a transaction open longer, and fences its producer. */
    long transactionTimeoutNanos;
    /**
     * Partitions whose committed offset is unstable, with the instance whose transaction holds them: offsets added to
     * a transaction that is open or prepared. {@code committed()} under read_committed answers UNSTABLE_OFFSET_COMMIT
     * for them, which the client retries until its timeout, and a member assigned one cannot start fetching it until
     * it is stable.
     */
    final Map<Integer, SimInstance> unstable = new HashMap<>();
    final Map<Coords, Fate> routed = new HashMap<>();

    // The schema registry: every version judges alike (fates do not change), only its name differs.
    private final List<SchemaVersion> versions = new ArrayList<>(List.of(version(1)));
    private int registryDownUntil;
    private final int refreshEvery;
    /** The newest version that judged a committed record of each partition. */
    private final Map<Integer, Integer> judgedBy = new HashMap<>();

    // Faults armed for the next matching client call, whichever loop makes it.
    int sendErrors;
    int offsetsErrors;
    int commitErrors;
    int commitTimeoutsCommitted;
    int commitTimeoutsPending;
    int abortTimeouts;
    int brokenProducers;
    int commitsFatalApplied;
    int committedTimeouts;

    // The run.
    /** Which behaviours of Kafka this run met (RoutingSimulationTest counts the seeds that exercise each). */
    final Set<String> exercised = new TreeSet<>();
    /** Driven by a script of client calls (see KafkaConformanceTest), not by a schedule of faults around the loops. */
    private final boolean scripted;
    long nanos;
    int step;
    private int nextFault;
    /** The poll at which the last stalled loop resumed. */
    private int resumedAt;
    boolean finishing;
    String violation;

    SimCluster(long seed, List<SimFault> schedule) {
        this.seed = seed;
        this.schedule = schedule;
        this.lastFaultStep = schedule.stream().mapToInt(SimFault::step).max().orElse(0);
        scripted = false;
        workload = new Random(seed);
        maxRecords = 1 + workload.nextInt(40);
        maxPollRecords = Math.min(maxRecords, 1 + workload.nextInt(20));
        commitIntervalMs = workload.nextInt(4) == 0 ? 0 : workload.nextInt(40);
        refreshEvery = 2 + new Random(seed * 7 + 1).nextInt(30);
        Random group = new Random(seed * 53 + 5);
        cooperative = group.nextBoolean();
        transactionTimeoutNanos = List.of(1_000, 5_000, 60_000).get(group.nextInt(3)) * 1_000_000L;
        maxPollIntervalNanos = List.of(3_000, 30_000, 300_000).get(group.nextInt(3)) * 1_000_000L;
        int count = 1 + group.nextInt(3);
        for (int i = 1; i <= count; i++) {
            instances.add(new SimInstance(i));
        }
        if (count > 1) {
            exercised.add("2 or 3 real loops in the group");
        }
        int partitions = 1 + workload.nextInt(4);
        for (int p = 0; p < partitions; p++) {
            input.add(new ArrayList<>());
            append(p, workload.nextInt(60));
        }
    }

    /** For scripts: {@code partitions} input partitions of {@code records} valid events each, at offsets from 0. */
    SimCluster(int partitions, int records) {
        seed = 0;
        schedule = List.of();
        lastFaultStep = 0;
        scripted = true;
        workload = new Random(0);
        maxRecords = records;
        maxPollRecords = records;
        commitIntervalMs = 0;
        refreshEvery = Integer.MAX_VALUE;
        transactionTimeoutNanos = 60_000_000_000L;
        maxPollIntervalNanos = 300_000_000_000L;
        instances.add(new SimInstance(1));
        for (int p = 0; p < partitions; p++) {
            List<ConsumerRecord<byte[], byte[]>> list = new ArrayList<>();
            for (int offset = 0; offset < records; offset++) {
                Coords at = new Coords(p, offset);
                expected.put(at, new Fate(OUTPUT, null));
                list.add(new ConsumerRecord<>(INPUT, p, offset, ("k" + at).getBytes(UTF_8),
                        Pipeline.validEvent("u-" + at).getBytes(UTF_8)));
            }
            input.add(list);
        }
    }

    /** The schedule a seed makes: up to 12 faults in the first 80 polls. */
    static List<SimFault> schedule(long seed) {
        Random random = new Random(seed ^ 0x5DEECE66DL);
        int count = random.nextInt(13);
        List<SimFault> faults = new ArrayList<>();
        SimFault.Kind[] kinds = SimFault.Kind.values();
        for (int i = 0; i < count; i++) {
            faults.add(new SimFault(1 + random.nextInt(80), kinds[random.nextInt(kinds.length)], random.nextInt(256)));
        }
        faults.sort((a, b) -> Integer.compare(a.step(), b.step()));
        return List.copyOf(faults);
    }

    // ---- the input

    private void append(int partition, int count) {
        List<ConsumerRecord<byte[], byte[]>> records = input.get(partition);
        long offset = records.isEmpty() ? 0 : records.get(records.size() - 1).offset() + 1;
        for (int i = 0; i < count; i++) {
            if (workload.nextInt(8) == 0) {
                offset += 1 + workload.nextInt(2); // a commit marker or an aborted record: not returned under read_committed
            }
            Coords at = new Coords(partition, offset);
            int kind = workload.nextInt(100);
            String value;
            Fate fate;
            if (kind < 15) {
                value = "not json " + offset;
                fate = new Fate(DLQ, "not-json");
            } else {
                value = Pipeline.validEvent("u-" + partition + "-" + offset);
                fate = new Fate(OUTPUT, null);
                if (kind < 20) {
                    refusedByOutput.add(at);
                    fate = new Fate(DLQ, "rejected");
                }
            }
            if (kind >= 97) {
                routingThrows.add(at);
                fate = new Fate(DLQ, "internal");
            }
            expected.put(at, fate);
            records.add(new ConsumerRecord<>(INPUT, partition, offset, 1_700_000_000_000L + offset,
                    TimestampType.CREATE_TIME, -1, -1, ("k" + at).getBytes(UTF_8), value.getBytes(UTF_8),
                    new RecordHeaders(), java.util.Optional.empty()));
            offset++;
        }
    }

    int partitions() {
        return input.size();
    }

    long startOffset(int partition) {
        List<ConsumerRecord<byte[], byte[]>> records = input.get(partition);
        return records.isEmpty() ? 0 : records.get(0).offset();
    }

    long endOffset(int partition) {
        List<ConsumerRecord<byte[], byte[]>> records = input.get(partition);
        return records.isEmpty() ? 0 : records.get(records.size() - 1).offset() + 1;
    }

    // ---- the consumer's poll: faults happen here, then records are returned

    ConsumerRecords<byte[], byte[]> poll(SimConsumer consumer, Duration timeout) {
        SimInstance me = consumer.instance;
        if (scripted) {
            step++;
            coordinatorsAct();
            if (!members.contains(consumer)) {
                join(consumer);
            }
            rebalanceStep(consumer);
            return new ConsumerRecords<>(fetch(consumer, new Random(step)), Map.of());
        }
        pass(me, nanos); // another loop may take its step first
        step++;
        me.polls++;
        me.sleepsSincePoll = 0;
        coordinatorsAct();
        me.lastPollNanos = nanos;
        if (consumer.droppedUnaware) {
            lose(consumer); // the group dropped it (poll interval or session passed): this poll tells it so
        }
        while (nextFault < schedule.size() && schedule.get(nextFault).step() <= step) {
            apply(schedule.get(nextFault++), consumer);
        }
        refreshSchemas(me);
        if (step > lastFaultStep && violation == null && everythingCommitted() && !finishing) {
            finishing = true; // every loop is asked to stop
            stopAll();
        }
        if (step > Math.max(lastFaultStep, resumedAt) + STALL_LIMIT * instances.size() && violation == null) {
            violate("stalled: not every record was committed " + STALL_LIMIT * instances.size()
                    + " polls after the last fault or stalled loop (" + progress() + ")");
        }
        if (violation != null) {
            stopAll();
        }
        if (consumer.takeWakeup()) {
            throw new WakeupException();
        }
        if (!members.contains(consumer) && !consumer.droppedUnaware && step >= me.rejoinAt) {
            join(consumer);
        }
        if (members.contains(consumer)) {
            rebalanceStep(consumer);
        }
        if (me.zombieDeadline > 0 && consumer.owned.stream().anyMatch(unstable::containsKey)) {
            me.zombieDeadline = me.polls + ZOMBIE_POLLS; // its check needs committed offsets nobody can read yet
        }
        if (me.zombieDeadline > 0 && me.polls > me.zombieDeadline) {
            violate(me + ", a fenced zombie, still holds partitions " + ZOMBIE_POLLS
                    + " polls after the group gave them back");
        }
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> batch = fetch(consumer, new Random(seed * 31 + step));
        if (me.pauseFor > 0) {
            long pause = me.pauseFor;
            me.pauseFor = 0;
            stall(me, pause); // the thread stops before it routes what it polled
        }
        if (batch.isEmpty()) {
            pass(me, nanos + timeout.toNanos());
        } else {
            nanos += 1_000_000L;
        }
        return new ConsumerRecords<>(batch, Map.of());
    }

    /**
     * The process is frozen at a commit for so long: its heartbeats stop, so the group drops its member at once (its
     * session times out long before the frozen transaction does); the others go on meanwhile.
     */
    void freeze(SimInstance me, long nanos) {
        if (me.consumer != null && members.contains(me.consumer)) {
            drop(me.consumer);
        }
        stall(me, nanos);
    }

    /** The loop's thread stops for so long; the others go on meanwhile. */
    void stall(SimInstance me, long nanos) {
        pass(me, this.nanos + nanos);
        resumedAt = step; // the others may have spent their polls waiting for it
    }

    /** The loop gives the others the turn until {@code wakeAt}; scripts have one caller, who takes no turns. */
    void pass(SimInstance me, long wakeAt) {
        if (scheduler == null) {
            nanos = Math.max(nanos, wakeAt);
        } else {
            scheduler.pass(me, wakeAt);
        }
    }

    private Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> fetch(SimConsumer consumer, Random random) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> batch = new HashMap<>();
        if (random.nextInt(6) == 0) {
            return batch; // nothing fetched yet
        }
        int room = 1 + random.nextInt(maxPollRecords);
        List<Integer> order = new ArrayList<>(consumer.owned);
        java.util.Collections.shuffle(order, random);
        for (int p : order) {
            TopicPartition tp = new TopicPartition(INPUT, p);
            if (!consumer.hasPosition(tp)) {
                if (unstable.containsKey(p)) {
                    if (unstable.get(p) != consumer.instance) {
                        exercised.add("a partition's new owner waits while another loop's transaction holds its "
                                + "offsets");
                    }
                    continue; // its committed offset cannot be read yet: the consumer does not know where to start
                }
                consumer.moveTo(tp, committed.getOrDefault(p, startOffset(p)));
            }
            if (consumer.isPaused(tp)) {
                continue;
            }
            long position = consumer.positionOf(tp);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : input.get(p)) {
                if (room == 0) {
                    break;
                }
                if (r.offset() >= position) {
                    records.add(r);
                    room--;
                }
            }
            if (!records.isEmpty()) {
                batch.put(tp, records);
                consumer.moveTo(tp, records.get(records.size() - 1).offset() + 1);
            }
        }
        return batch;
    }

    private void apply(SimFault fault, SimConsumer consumer) {
        SimInstance me = consumer.instance;
        int arg = fault.arg();
        switch (fault.kind()) {
            case SEND_ERROR -> sendErrors++;
            case OFFSETS_ERROR -> offsetsErrors++;
            case COMMIT_ERROR -> commitErrors++;
            case COMMIT_TIMEOUT_COMMITTED -> commitTimeoutsCommitted++;
            case COMMIT_TIMEOUT_PENDING -> commitTimeoutsPending++;
            case ABORT_TIMEOUT -> abortTimeouts++;
            case PRODUCER_BROKEN -> brokenProducers++;
            case COMMIT_FATAL_APPLIED -> commitsFatalApplied++;
            case COMMITTED_TIMEOUT -> committedTimeouts++;
            case FENCE -> {
                newProducerEpoch(me);
                me.fenceKind = arg % 3;
            }
            case ZOMBIE -> {
                newProducerEpoch(me);
                me.fenceKind = arg % 3;
                if (members.contains(consumer)) {
                    drop(consumer);
                    lose(consumer);
                }
            }
            case REVOKE -> {
                if (members.contains(consumer)) {
                    retarget(consumer, pick(arg));
                }
            }
            case LOSE -> {
                if (members.contains(consumer)) {
                    drop(consumer);
                    lose(consumer);
                }
            }
            case ADD_PARTITION -> {
                input.add(new ArrayList<>());
                append(input.size() - 1, arg % 30);
                Set<Integer> next = pick(arg);
                next.add(input.size() - 1);
                retarget(members.contains(consumer) ? consumer : null, next);
            }
            case ARRIVE -> append(arg % input.size(), 1 + arg / 8);
            case STOP -> stop(me);
            case PAUSE -> me.pauseFor = pause(arg);
            case FROZEN_IN_COMMIT -> me.freezeAtCommit = arg % 2 == 1 ? transactionTimeoutNanos + 1
                    : transactionTimeoutNanos / 2;
            case NEW_SCHEMA -> {
                versions.add(version(versions.size() + 1));
                me.live.refresh(); // this loop takes it at once, the others at their own refresh
            }
            case REGISTRY_DOWN -> registryDownUntil = step + 1 + arg % 20;
            case REGISTRY_UNUSABLE -> {
                UnusableSchema unusable = switch (arg % 4) {
                    case 0 -> new UnusableSchema(UnusableSchema.Reason.BAD_ANSWER, "sim: HTTP 401");
                    case 1 -> new UnusableSchema(UnusableSchema.Reason.BAD_ANSWER, "sim: HTTP 404, version deleted");
                    case 2 -> new UnusableSchema(UnusableSchema.Reason.NOT_A_SCHEMA, "sim: schemaType AVRO");
                    default -> new UnusableSchema(UnusableSchema.Reason.UNRESOLVABLE_REF, "sim: unresolvable $ref");
                };
                instances.stream().filter(SimInstance::running).forEach(i -> i.unusable = unusable);
            }
        }
    }

    /** A stop of the thread past max.poll.interval.ms, and with arg odd past transaction.timeout.ms too. */
    private long pause(int arg) {
        return Math.max(maxPollIntervalNanos, arg % 2 == 1 ? transactionTimeoutNanos : 0) + 1;
    }

    private void stop(SimInstance instance) {
        instance.stopRequested = true;
        instance.loop.stop();
    }

    private void stopAll() {
        instances.stream().filter(i -> i.running() && !i.stopRequested).forEach(this::stop);
    }

    boolean everythingCommitted() {
        for (int p = 0; p < input.size(); p++) {
            if (committed.getOrDefault(p, startOffset(p)) < endOffset(p)) {
                return false;
            }
        }
        return true;
    }

    private Set<Integer> all() {
        Set<Integer> all = new TreeSet<>();
        for (int p = 0; p < input.size(); p++) {
            all.add(p);
        }
        return all;
    }

    private Set<Integer> pick(int bits) {
        Set<Integer> picked = new TreeSet<>();
        for (int p = 0; p < input.size(); p++) {
            if ((bits >> (p % 8) & 1) == 1) {
                picked.add(p);
            }
        }
        return picked;
    }

    // ---- the group

    /**
     * A rebalance: the coordinator aims at a new assignment of every partition to the members, {@code favoured}
     * getting {@code picked} (all of them when it is alone) and the others the rest in turn. Each member does its part
     * at its next poll ({@link #rebalanceStep}).
     */
    private void retarget(SimConsumer favoured, Set<Integer> picked) {
        target.clear();
        targetVersion++;
        if (members.isEmpty()) {
            return;
        }
        List<SimConsumer> others = new ArrayList<>(members);
        others.remove(favoured);
        for (int p : all()) {
            SimConsumer to = favoured != null && (picked.contains(p) || others.isEmpty()) ? favoured
                    : others.get(p % others.size());
            target.computeIfAbsent(to, m -> new TreeSet<>()).add(p);
        }
    }

    /**
     * One member's part of a rebalance, in its poll. Eager: the revoke callback of every partition it owns while its
     * generation is still valid, then, once no one else owns them (every member rejoined), its new assignment, whose
     * positions start at the committed offsets. Cooperative (CooperativeStickyAssignor): only the partitions that move
     * are revoked; kept ones keep their positions and pauses; the partitions it gains are assigned as their owners
     * let them go (a second rebalance), and the assigned callback runs even when nothing was added. Callbacks may give
     * the turn to other loops (a commit, a back-off), so what they change is read again after them.
     */
    private void rebalanceStep(SimConsumer consumer) {
        boolean due = consumer.synced < targetVersion;
        if (due) {
            consumer.synced = targetVersion;
            Set<Integer> revoked = new TreeSet<>(consumer.owned);
            if (cooperative) {
                revoked.removeAll(target.getOrDefault(consumer, Set.of()));
            }
            if (!cooperative || !revoked.isEmpty()) {
                exercised.add(cooperative ? "cooperative rebalance: partitions kept across it"
                        : "eager rebalance: every partition revoked");
                RuntimeException failed = callback(() -> consumer.listener().onPartitionsRevoked(partitions(revoked)));
                for (int p : revoked) {
                    consumer.owned.remove(p);
                    consumer.forget(new TopicPartition(INPUT, p));
                    owner.remove(p, consumer);
                }
                if (failed != null) {
                    throw failed;
                }
            }
        }
        if (!members.contains(consumer)) {
            return; // dropped while its callback ran
        }
        Set<Integer> missing = new TreeSet<>(target.getOrDefault(consumer, Set.of()));
        missing.removeAll(consumer.owned);
        Set<Integer> added = new TreeSet<>(missing);
        added.removeIf(owner::containsKey);
        if (!cooperative && added.size() < missing.size()) {
            return; // the join waits until every member has revoked
        }
        if (added.isEmpty() && !due) {
            return;
        }
        assign(consumer, added);
    }

    /** The member gets {@code added} in a new generation, and its assigned callback runs. */
    private void assign(SimConsumer consumer, Set<Integer> added) {
        SimInstance me = consumer.instance;
        consumer.generation = ++generation;
        consumer.acceptedGeneration = generation;
        consumer.owned.addAll(added);
        if (me.zombieDeadline > 0 && consumer.owned.isEmpty()) {
            me.zombieDeadline = 0; // a zombie holding nothing harms nothing; it must stop once given partitions again
            me.lost = consumer;
        }
        if (me.lost == consumer && me.epoch != me.loopEpoch
                && consumer.owned.stream().anyMatch(committed::containsKey)) {
            me.zombieDeadline = me.polls + ZOMBIE_POLLS; // it must learn that it is fenced, and stop
        }
        if (!consumer.owned.isEmpty()) {
            me.lost = null;
        }
        for (int p : added) {
            owner.put(p, consumer);
            if (committer.containsKey(p) && committer.get(p) != me) {
                exercised.add("a partition moved between real loops: resumed from another loop's commit");
            }
            if (!unstable.containsKey(p)) {
                consumer.moveTo(new TopicPartition(INPUT, p), committed.getOrDefault(p, startOffset(p)));
            }
        }
        RuntimeException failed = callback(() -> consumer.listener().onPartitionsAssigned(partitions(added)));
        if (failed != null) {
            throw failed;
        }
    }

    /** A member joins (or rejoins): the group rebalances. */
    private void join(SimConsumer consumer) {
        members.add(consumer);
        consumer.synced = -1;
        if (members.size() > 1) {
            exercised.add("a member joins a group of real loops: partitions move between them");
        }
        retarget(null, Set.of());
    }

    /**
     * The coordinator drops a member (its session or poll interval passed): its partitions go to the others at once,
     * and its generation ends, so its commits are refused. It learns so at its next poll ({@link #lose}).
     */
    private void drop(SimConsumer consumer) {
        members.remove(consumer);
        consumer.acceptedGeneration = -1;
        consumer.droppedUnaware = true;
        owner.values().removeIf(consumer::equals);
        retarget(null, Set.of());
    }

    /** The dropped member learns that its partitions are lost; KafkaConsumer rejoins at a later poll. */
    private void lose(SimConsumer consumer) {
        SimInstance me = consumer.instance;
        consumer.droppedUnaware = false;
        me.rejoinAt = step + 1 + new Random(seed * 13 + step).nextInt(3);
        me.lost = consumer;
        Set<TopicPartition> lost = partitions(consumer.owned);
        consumer.owned.clear();
        consumer.forgetPositions();
        RuntimeException failed = callback(() -> consumer.listener().onPartitionsLost(lost));
        if (failed != null) {
            throw failed;
        }
    }

    /** For scripts: a rebalance after which the member owns {@code next} (other members, not scripted, the rest). */
    void rebalance(SimConsumer consumer, Set<Integer> next) {
        target.clear();
        targetVersion++;
        target.put(consumer, new TreeSet<>(next));
        rebalanceStep(consumer);
    }

    /** The member leaves on close: its revoke callback runs first, as KafkaConsumer's close runs it. */
    void leave(SimConsumer consumer) {
        if (!members.contains(consumer)) {
            return;
        }
        RuntimeException failed = callback(() -> consumer.listener().onPartitionsRevoked(partitions(consumer.owned)));
        consumer.owned.clear();
        members.remove(consumer);
        owner.values().removeIf(consumer::equals);
        retarget(null, Set.of());
        if (failed != null) {
            throw new KafkaException("Failed to close kafka consumer", failed);
        }
    }

    /** Whether the group takes offsets committed with this metadata: its member, in its current generation. */
    boolean accepts(ConsumerGroupMetadata group) {
        if (group.generationId() < 0) {
            return true; // not a member's: the coordinator checks no generation
        }
        return members.stream().anyMatch(m -> m.memberId.equals(group.memberId())
                && m.acceptedGeneration == group.generationId());
    }

    String nextMemberId() {
        return "member-" + ++memberIds;
    }

    /** Runs a rebalance callback; what it throws reaches the loop out of poll, as KafkaConsumer does it. */
    private RuntimeException callback(Runnable callback) {
        try {
            callback.run();
            return null;
        } catch (KafkaException e) {
            return e;
        } catch (RuntimeException e) {
            return new KafkaException("User rebalance callback throws an error", e);
        }
    }

    static Set<TopicPartition> partitions(Set<Integer> numbers) {
        Set<TopicPartition> tps = new LinkedHashSet<>();
        numbers.forEach(p -> tps.add(new TopicPartition(INPUT, p)));
        return tps;
    }

    // ---- the schema registry

    private static SchemaVersion version(int n) {
        return SchemaVersion.ofRegistry(n, n, "fingerprint-" + n, VALIDATOR);
    }

    private SchemaVersion newest() {
        return versions.get(versions.size() - 1);
    }

    /** The loop's {@link dev.loginpipe.common.schema.SchemaSource}. */
    SchemaVersion registryAnswer(SimInstance me, SchemaVersion current) throws UnusableSchema {
        if (step < registryDownUntil) {
            throw new UnusableSchema(UnusableSchema.Reason.UNREACHABLE, "sim: the registry does not answer");
        }
        if (me.unusable != null && current != null) {
            throw me.unusable;
        }
        return newest();
    }

    /** The loop's periodic refresh, and the refreshes it asked for, run by its refresh thread a poll or two later. */
    private void refreshSchemas(SimInstance me) {
        if (me.live == null) {
            return;
        }
        if (!me.refreshesAsked.isEmpty() && new Random(seed * 41 + step).nextBoolean()) {
            List<Runnable> asked = List.copyOf(me.refreshesAsked);
            me.refreshesAsked.clear();
            asked.forEach(Runnable::run);
        }
        if (me.polls % refreshEvery == 0) {
            me.live.refresh();
        }
    }

    // ---- the transaction coordinator

    /**
     * What the coordinators do on their own, between calls: drop members that stopped polling, time transactions out,
     * complete a prepared commit.
     */
    void coordinatorsAct() {
        if (!scripted) {
            for (SimConsumer m : List.copyOf(members)) {
                if (nanos - m.instance.lastPollNanos > maxPollIntervalNanos) {
                    exercised.add("max.poll.interval.ms passed: the member leaves the group");
                    drop(m);
                }
            }
        }
        for (SimInstance i : instances) {
            if (i.openProducer != null && i.openProducer.openFor(nanos) > transactionTimeoutNanos) {
                exercised.add("transaction.timeout.ms: the coordinator aborts a frozen producer's transaction, "
                        + "fences it");
                abortOpenTransaction(i);
                i.epoch++; // the coordinator bumps the epoch: the frozen producer's next call is fenced
            }
            if (i.prepared != null && step >= i.preparedDoneAt) {
                exercised.add("a prepared commit completed by the coordinator on its own");
                completePrepared(i);
            }
        }
    }

    /**
     * A producer with the instance's transactional id initialises (the loop's next one, or a twin's): the coordinator
     * completes a prepared commit and aborts an open transaction first, then bumps the epoch.
     */
    int newProducerEpoch(SimInstance me) {
        if (me.prepared != null) {
            exercised.add("a new producer's initTransactions completes a prepared commit");
        }
        completePrepared(me);
        if (me.openProducer != null) {
            exercised.add("a new producer's initTransactions aborts an open transaction");
        }
        abortOpenTransaction(me);
        return ++me.epoch;
    }

    /** The coordinator made the commit durable; it completes it within a few polls, or at the next initTransactions. */
    void prepare(SimInstance me, List<SimProducer.Sent> sends, Map<TopicPartition, OffsetAndMetadata> offsets) {
        me.openProducer = null;
        me.prepared = () -> commit(me, sends, offsets);
        me.preparedDoneAt = step + 1 + new Random(seed * 59 + step).nextInt(3);
    }

    private void completePrepared(SimInstance me) {
        if (me.prepared != null) {
            Runnable commit = me.prepared;
            me.prepared = null;
            commit.run();
        }
    }

    /** The open transaction of the instance's producer ends unapplied. */
    void abortOpenTransaction(SimInstance me) {
        if (me.openProducer != null) {
            me.openProducer.abortedByCoordinator();
            me.openProducer = null;
        }
        unstable.values().removeIf(me::equals);
    }

    /**
     * Commits one transaction: its records and offsets together. Checks that it holds no record twice, that no record
     * was committed before, and that its offsets pass no record that is not routed.
     */
    void commit(SimInstance me, List<SimProducer.Sent> sends, Map<TopicPartition, OffsetAndMetadata> offsets) {
        Map<Coords, Fate> transaction = new HashMap<>();
        for (SimProducer.Sent sent : sends) {
            int version = Integer.parseInt(sent.version());
            int before = judgedBy.getOrDefault(sent.at().partition(), 0);
            // An unusable answer settles a handover: the running version judges, behind the one others took.
            if (version < before && me.unusable == null) {
                violate(sent.at() + " judged by schema version " + version + " after earlier records of its partition "
                        + "were judged by version " + before + ": the versions went back");
            }
            judgedBy.merge(sent.at().partition(), version, Math::max);
            if (transaction.put(sent.at(), sent.fate()) != null) {
                violate("a committed transaction holds " + sent.at() + " twice");
            }
            if (routed.containsKey(sent.at())) {
                violate(sent.at() + " committed twice (first as " + routed.get(sent.at()) + ")");
            }
        }
        for (var entry : offsets.entrySet()) {
            int p = entry.getKey().partition();
            long offset = entry.getValue().offset();
            long before = committed.getOrDefault(p, startOffset(p));
            if (offset < before) {
                violate("committed offset of partition " + p + " moved back from " + before + " to " + offset);
            }
            for (ConsumerRecord<byte[], byte[]> r : input.get(p)) {
                Coords at = new Coords(p, r.offset());
                if (r.offset() < offset && !routed.containsKey(at) && !transaction.containsKey(at)) {
                    violate("records skipped: committed offset " + offset + " of partition " + p + " passes " + at
                            + ", which is on neither the output nor the DLQ");
                    break;
                }
            }
        }
        routed.putAll(transaction);
        offsets.forEach((tp, o) -> {
            committed.put(tp.partition(), o.offset());
            committedBy.put(tp.partition(), o.metadata());
            committer.put(tp.partition(), me);
            unstable.remove(tp.partition());
        });
    }

    /** Source coordinates of the committed output records, in order: what read_committed sees. */
    List<String> visibleOutput() {
        return routed.entrySet().stream().filter(e -> e.getValue().topic().equals(OUTPUT)).map(e -> e.getKey())
                .sorted((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                        : Long.compare(a.offset(), b.offset()))
                .map(Coords::toString).toList();
    }

    /** At the end: every input record routed exactly once, to where its content sends it. */
    void checkOutcome() {
        for (int p = 0; p < input.size() && violation == null; p++) {
            for (ConsumerRecord<byte[], byte[]> r : input.get(p)) {
                Coords at = new Coords(p, r.offset());
                Fate fate = routed.get(at);
                if (fate == null) {
                    violate(at + " is on neither the output nor the DLQ");
                    return;
                }
                if (!fate.equals(expected.get(at))) {
                    violate(at + " went to " + fate + ", expected " + expected.get(at));
                    return;
                }
            }
        }
        if (routed.size() != expected.size()) {
            violate(routed.size() + " records routed for " + expected.size() + " input records");
        }
    }

    void violate(String what) {
        if (violation == null) {
            violation = what + " (at poll " + step + ")";
        }
    }

    String progress() {
        StringBuilder s = new StringBuilder();
        for (int p = 0; p < input.size(); p++) {
            s.append(p == 0 ? "" : ", ").append("partition ").append(p).append(" committed ")
                    .append(committed.get(p)).append(" of ").append(endOffset(p));
        }
        if (!unstable.isEmpty()) {
            s.append("; offsets unstable, held by: ").append(unstable);
        }
        for (SimInstance i : instances) {
            s.append("; ").append(i).append("'s last client error: ")
                    .append(i.lastThrown == null ? "none" : i.lastThrown.toString());
        }
        return s.toString();
    }

    String describe() {
        return instances.size() + (instances.size() == 1 ? " loop, " : " loops, ")
                + (cooperative ? "cooperative" : "eager") + " assignor, " + partitions() + " partitions, "
                + expected.size() + " records, BATCH_MAX_RECORDS " + maxRecords
                + ", max.poll.records " + maxPollRecords + ", COMMIT_INTERVAL_MS " + commitIntervalMs
                + ", schema refresh every " + refreshEvery + " polls";
    }
}
