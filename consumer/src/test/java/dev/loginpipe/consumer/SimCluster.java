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
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * An in-memory model of what the routing loop talks to: the input topic, the consumer group (assignment, generations,
 * committed offsets) and the transaction coordinator (one transactional id, its epoch, the committed output and DLQ
 * records), and a schema registry whose versions the loop's {@link LiveSchema} refreshes from while other members take
 * each new one at once. It plays a seeded schedule of faults into the loop's clients and checks the exactly-once
 * invariants, and that no partition's schema versions go back, at every commit and at the end. Single-threaded: the
 * loop runs on the caller's thread and the model acts inside its client calls, so a seed and a schedule replay exactly.
 */
final class SimCluster {
    static final String INPUT = "in";
    static final String OUTPUT = "out";
    static final String DLQ = "dlq";
    static final String GROUP = "sim";
    /** Polls after the last fault within which every record must be routed and committed: past it, the loop stalls. */
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

    final long seed;
    final int maxRecords;
    final int maxPollRecords;
    final int commitIntervalMs;
    private final List<SimFault> schedule;
    private final int lastFaultStep;
    private final Random workload;

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
    private long lastPollNanos;
    /** The member left the group for polling too late; it learns so at its next poll. */
    private boolean pollIntervalExpired;
    final Map<Integer, Long> committed = new HashMap<>();
    /** The metadata committed with each partition's offset: the schema version that judged it. */
    final Map<Integer, String> committedBy = new HashMap<>();
    int generation;
    /** The member of this group now (one loop runs at a time), and what it owns. */
    SimConsumer member;
    final Set<Integer> assignment = new TreeSet<>();

    // The transaction coordinator.
    int epoch;
    /** transaction.timeout.ms: the coordinator aborts a transaction open longer, and fences its producer. */
    long transactionTimeoutNanos;
    /** The loop's producer, whose open transaction the coordinator times out. */
    SimProducer openProducer;
    /**
     * Partitions whose committed offset is unstable, with what holds them: offsets added to a transaction that is open
     * or prepared. {@code committed()} under read_committed answers UNSTABLE_OFFSET_COMMIT for them, which the client
     * retries until its timeout, and a member assigned one cannot start fetching it until it is stable.
     */
    final Map<Integer, String> unstable = new HashMap<>();
    /** A commit the coordinator prepared and has not completed: the next initTransactions completes it, or itself. */
    private Runnable prepared;
    private int preparedDoneAt;
    /** When the coordinator aborts the transaction a frozen member left open; -1 when there is none. */
    private long frozenAbortAt = -1;
    /** The epoch of the loop's newest producer: behind {@link #epoch} when a twin fenced it. */
    int loopEpoch;
    private int rejoinAt;
    /** The member the group dropped, until it is given partitions again. */
    private SimConsumer lost;
    /** Poll by which the fenced zombie must have stopped; 0 when there is none. */
    int zombieDeadline;
    /**
     * A twin with the same transactional id fenced the loop's producer, and Kafka told the loop so: from then on it
     * must neither initialise a producer (that would fence the live twin) nor go on.
     */
    boolean fenceSignalled;
    int fenceKind;
    final Map<Coords, Fate> routed = new HashMap<>();

    // The schema registry: every version judges alike (fates do not change), only its name differs.
    private final List<SchemaVersion> versions = new ArrayList<>(List.of(version(1)));
    private int registryDownUntil;
    /** What the registry answers a running process from a {@link SimFault.Kind#REGISTRY_UNUSABLE} on, or null. */
    private UnusableSchema unusable;
    /** The running loop's schemas, refreshed every {@link #refreshEvery} polls and when it asks. */
    LiveSchema live;
    final List<Runnable> refreshesAsked = new ArrayList<>();
    private final int refreshEvery;
    /** The newest version that judged a committed record of each partition. */
    private final Map<Integer, Integer> judgedBy = new HashMap<>();

    // Faults armed for the next matching client call.
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
    /** Driven by a script of client calls (see KafkaConformanceTest), not by a schedule of faults around the loop. */
    private final boolean scripted;
    long nanos;
    int sleepsSincePoll;
    int step;
    private int nextFault;
    Runnable stopper = () -> { };
    boolean stopRequested;
    boolean finishing;
    String violation;
    /** The last exception the clients gave the loop, to say why it exited. */
    Throwable lastThrown;

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
        step++;
        sleepsSincePoll = 0;
        coordinatorsAct();
        if (scripted) {
            if (member != consumer) {
                join(consumer, all());
            }
            return new ConsumerRecords<>(fetch(consumer, new Random(step)), Map.of());
        }
        pollIntervalPassed();
        if (pollIntervalExpired && member == consumer) {
            pollIntervalExpired = false;
            lose(consumer); // the member left when the interval passed; this poll tells it its partitions are lost
        }
        lastPollNanos = nanos;
        while (nextFault < schedule.size() && schedule.get(nextFault).step() <= step) {
            apply(schedule.get(nextFault++), consumer);
        }
        refreshSchemas();
        if (step > lastFaultStep && violation == null) {
            converge(consumer);
        }
        if (step > lastFaultStep + STALL_LIMIT && violation == null) {
            violate("stalled: not every record was committed " + STALL_LIMIT + " polls after the last fault ("
                    + progress() + ")");
        }
        if (violation != null) {
            stop();
        }
        if (consumer.takeWakeup()) {
            throw new WakeupException();
        }
        if (member != consumer && step >= rejoinAt) {
            join(consumer, step > lastFaultStep ? all() : pick(new Random(seed * 17 + step).nextInt(256)));
        }
        if (zombieDeadline > 0 && assignment.stream().anyMatch(unstable::containsKey)) {
            zombieDeadline = step + ZOMBIE_POLLS; // its check needs committed offsets that nobody can read yet
        }
        if (zombieDeadline > 0 && step > zombieDeadline) {
            violate("a fenced zombie still holds partitions " + ZOMBIE_POLLS + " polls after the group gave them back");
        }
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> batch = fetch(consumer, new Random(seed * 31 + step));
        nanos += batch.isEmpty() ? timeout.toNanos() : 1_000_000L;
        return new ConsumerRecords<>(batch, Map.of());
    }

    private Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> fetch(SimConsumer consumer, Random random) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> batch = new HashMap<>();
        if (random.nextInt(6) == 0) {
            return batch; // nothing fetched yet
        }
        int room = 1 + random.nextInt(maxPollRecords);
        List<Integer> order = new ArrayList<>(assignment);
        java.util.Collections.shuffle(order, random);
        for (int p : order) {
            TopicPartition tp = new TopicPartition(INPUT, p);
            if (!consumer.hasPosition(tp)) {
                if (unstable.containsKey(p)) {
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
                newProducerEpoch();
                fenceKind = arg % 3;
            }
            case ZOMBIE -> {
                newProducerEpoch();
                fenceKind = arg % 3;
                if (member == consumer) {
                    lose(consumer);
                }
            }
            case REVOKE -> {
                if (member == consumer) {
                    rebalance(consumer, pick(arg));
                }
            }
            case LOSE -> {
                if (member == consumer) {
                    lose(consumer);
                }
            }
            case ADD_PARTITION -> {
                input.add(new ArrayList<>());
                append(input.size() - 1, arg % 30);
                if (member == consumer) {
                    Set<Integer> next = pick(arg);
                    next.add(input.size() - 1);
                    rebalance(consumer, next);
                }
            }
            case ARRIVE -> append(arg % input.size(), 1 + arg / 8);
            case OTHER_MEMBER -> routeElsewhere(arg % input.size(), 1 + arg / 16);
            case OTHER_MEMBER_FROZEN -> {
                int partition = arg % input.size();
                if (!assignment.contains(partition) && !unstable.containsKey(partition)) {
                    unstable.put(partition, "frozen member");
                    frozenAbortAt = nanos + transactionTimeoutNanos;
                }
            }
            case STOP -> stop();
            case PAUSE -> {
                nanos += Math.max(maxPollIntervalNanos, arg % 2 == 1 ? transactionTimeoutNanos : 0) + 1;
                pollIntervalPassed();
                coordinatorsAct();
            }
            case NEW_SCHEMA -> {
                versions.add(version(versions.size() + 1));
                routeElsewhere(arg % input.size(), 1 + arg / 16);
            }
            case REGISTRY_DOWN -> registryDownUntil = step + 1 + arg % 20;
            case REGISTRY_UNUSABLE -> unusable = switch (arg % 4) {
                case 0 -> new UnusableSchema(UnusableSchema.Reason.BAD_ANSWER, "sim: HTTP 401");
                case 1 -> new UnusableSchema(UnusableSchema.Reason.BAD_ANSWER, "sim: HTTP 404, version deleted");
                case 2 -> new UnusableSchema(UnusableSchema.Reason.NOT_A_SCHEMA, "sim: schemaType AVRO");
                default -> new UnusableSchema(UnusableSchema.Reason.UNRESOLVABLE_REF, "sim: unresolvable $ref");
            };
        }
    }

    /** After the last fault: every partition goes to the loop, and once all is committed it is asked to stop. */
    private void converge(SimConsumer consumer) {
        if (member == consumer && !assignment.equals(all())) {
            rebalance(consumer, all());
        }
        if (member == consumer && everythingCommitted() && !stopRequested) {
            finishing = true;
            stop();
        }
    }

    private void stop() {
        stopRequested = true;
        stopper.run();
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
     * An eager rebalance: the revoke callback of every partition while the generation is still valid, then the new
     * assignment, whose positions start at the committed offsets. A cooperative one revokes only what moves.
     */
    void rebalance(SimConsumer consumer, Set<Integer> next) {
        if (cooperative) {
            exercised.add("cooperative rebalance: partitions kept across it");
            rebalanceCooperatively(consumer, next);
            return;
        }
        exercised.add("eager rebalance: every partition revoked");
        RuntimeException revokeFailed = callback(() -> consumer.listener().onPartitionsRevoked(partitions(assignment)));
        assignment.clear();
        consumer.forgetPositions();
        member = null; // joins again in this poll
        if (revokeFailed != null) {
            throw revokeFailed;
        }
        join(consumer, next);
    }

    /**
     * CooperativeStickyAssignor: a first rebalance revokes the partitions that move (their callback while the
     * generation is still valid), a second assigns the new ones; partitions kept keep their positions and pauses, and
     * the assigned callback runs even when nothing was added.
     */
    private void rebalanceCooperatively(SimConsumer consumer, Set<Integer> next) {
        Set<Integer> revoked = new TreeSet<>(assignment);
        revoked.removeAll(next);
        if (!revoked.isEmpty()) {
            RuntimeException failed = callback(() -> consumer.listener().onPartitionsRevoked(partitions(revoked)));
            assignment.removeAll(revoked);
            revoked.forEach(p -> consumer.forget(new TopicPartition(INPUT, p)));
            generation++;
            if (failed != null) {
                throw failed;
            }
        }
        Set<Integer> added = new TreeSet<>(next);
        added.removeAll(assignment);
        generation++;
        assignment.addAll(added);
        RuntimeException failed = callback(() -> consumer.listener().onPartitionsAssigned(partitions(added)));
        if (failed != null) {
            throw failed;
        }
    }

    private void lose(SimConsumer consumer) {
        generation++;
        rejoinAt = step + 1 + new Random(seed * 13 + step).nextInt(3); // KafkaConsumer rejoins at a later poll
        lost = consumer;
        Set<TopicPartition> lost = partitions(assignment);
        assignment.clear();
        consumer.forgetPositions();
        member = null;
        RuntimeException failed = callback(() -> consumer.listener().onPartitionsLost(lost));
        if (failed != null) {
            throw failed;
        }
    }

    private void join(SimConsumer consumer, Set<Integer> partitions) {
        generation++;
        if (zombieDeadline > 0 && partitions.isEmpty()) {
            zombieDeadline = 0; // a zombie holding nothing harms nothing; it must stop once given partitions again
            lost = consumer;
        }
        if (lost == consumer && epoch != loopEpoch && partitions.stream().anyMatch(committed::containsKey)) {
            zombieDeadline = step + ZOMBIE_POLLS; // it must learn that it is fenced, and stop
        }
        if (!partitions.isEmpty()) {
            lost = null;
        }
        member = consumer;
        assignment.clear();
        assignment.addAll(partitions);
        for (int p : partitions) {
            if (!unstable.containsKey(p)) {
                consumer.moveTo(new TopicPartition(INPUT, p), committed.getOrDefault(p, startOffset(p)));
            }
        }
        RuntimeException failed = callback(() -> consumer.listener().onPartitionsAssigned(partitions(partitions)));
        if (failed != null) {
            throw failed;
        }
    }

    /** The member leaves on close: its revoke callback runs first, as KafkaConsumer's close runs it. */
    void leave(SimConsumer consumer) {
        if (member != consumer) {
            return;
        }
        RuntimeException failed = callback(() -> consumer.listener().onPartitionsRevoked(partitions(assignment)));
        assignment.clear();
        member = null;
        generation++;
        if (failed != null) {
            throw new KafkaException("Failed to close kafka consumer", failed);
        }
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

    /** Another member of the group owns the partition for a while and routes some records, correctly. */
    private void routeElsewhere(int partition, int count) {
        if (assignment.contains(partition)) {
            return;
        }
        long from = committed.getOrDefault(partition, startOffset(partition));
        long next = from;
        for (ConsumerRecord<byte[], byte[]> r : input.get(partition)) {
            if (r.offset() >= from && count-- > 0) {
                Coords at = new Coords(partition, r.offset());
                if (routed.put(at, expected.get(at)) != null) {
                    violate(at + " was routed again by another member: an earlier commit passed it");
                }
                next = r.offset() + 1;
            }
        }
        committed.put(partition, next);
        committedBy.put(partition, newest().version()); // it runs the newest version
        judgedBy.put(partition, versions.size());
    }

    // ---- the schema registry

    private static SchemaVersion version(int n) {
        return SchemaVersion.ofRegistry(n, n, "fingerprint-" + n, VALIDATOR);
    }

    private SchemaVersion newest() {
        return versions.get(versions.size() - 1);
    }

    /** The loop's {@link dev.loginpipe.common.schema.SchemaSource}. */
    SchemaVersion registryAnswer(SchemaVersion current) throws UnusableSchema {
        if (step < registryDownUntil) {
            throw new UnusableSchema(UnusableSchema.Reason.UNREACHABLE, "sim: the registry does not answer");
        }
        if (unusable != null && current != null) {
            throw unusable;
        }
        return newest();
    }

    /** The loop's periodic refresh, and the refreshes it asked for, run by its refresh thread a poll or two later. */
    private void refreshSchemas() {
        if (live == null) {
            return;
        }
        if (!refreshesAsked.isEmpty() && new Random(seed * 41 + step).nextBoolean()) {
            List<Runnable> asked = List.copyOf(refreshesAsked);
            refreshesAsked.clear();
            asked.forEach(Runnable::run);
        }
        if (step % refreshEvery == 0) {
            live.refresh();
        }
    }

    // ---- the transaction coordinator

    /** What the coordinators do on their own, between calls: time transactions out, complete a prepared commit. */
    void coordinatorsAct() {
        if (openProducer != null && openProducer.openFor(nanos) > transactionTimeoutNanos) {
            exercised.add("transaction.timeout.ms: the coordinator aborts a frozen producer's transaction, fences it");
            abortOpenTransaction();
            epoch++; // the coordinator bumps the epoch: the frozen producer's next call is fenced
        }
        if (frozenAbortAt >= 0 && nanos >= frozenAbortAt) {
            unstable.values().removeIf("frozen member"::equals);
            frozenAbortAt = -1;
            exercised.add("another member's transaction left open (offsets unstable) until it times out");
        }
        if (prepared != null && step >= preparedDoneAt) {
            exercised.add("a prepared commit completed by the coordinator on its own");
            completePrepared();
        }
    }

    /** The member has not polled for longer than max.poll.interval.ms: it leaves the group, its generation ends. */
    void pollIntervalPassed() {
        if (!scripted && member != null && !pollIntervalExpired && nanos - lastPollNanos > maxPollIntervalNanos) {
            pollIntervalExpired = true;
            exercised.add("max.poll.interval.ms passed: the member leaves the group");
            generation++;
        }
    }

    /**
     * A producer with the loop's transactional id initialises (the loop's next one, or a twin's): the coordinator
     * completes a prepared commit and aborts an open transaction first, then bumps the epoch.
     */
    int newProducerEpoch() {
        if (prepared != null) {
            exercised.add("a new producer's initTransactions completes a prepared commit");
        }
        completePrepared();
        if (openProducer != null) {
            exercised.add("a new producer's initTransactions aborts an open transaction");
        }
        abortOpenTransaction();
        return ++epoch;
    }

    /** The coordinator made the commit durable; it completes it within a few polls, or at the next initTransactions. */
    void prepare(List<SimProducer.Sent> sends, Map<TopicPartition, OffsetAndMetadata> offsets) {
        openProducer = null;
        prepared = () -> commit(sends, offsets);
        preparedDoneAt = step + 1 + new Random(seed * 59 + step).nextInt(3);
    }

    private void completePrepared() {
        if (prepared != null) {
            Runnable commit = prepared;
            prepared = null;
            commit.run();
        }
    }

    /** The open transaction of the loop's producer ends unapplied. */
    void abortOpenTransaction() {
        if (openProducer != null) {
            openProducer.abortedByCoordinator();
            openProducer = null;
        }
        unstable.values().removeIf("loop"::equals);
    }

    /**
     * Commits one transaction: its records and offsets together. Checks that it holds no record twice, that no record
     * was committed before, and that its offsets pass no record that is not routed.
     */
    void commit(List<SimProducer.Sent> sends, Map<TopicPartition, OffsetAndMetadata> offsets) {
        Map<Coords, Fate> transaction = new HashMap<>();
        for (SimProducer.Sent sent : sends) {
            int version = Integer.parseInt(sent.version());
            int before = judgedBy.getOrDefault(sent.at().partition(), 0);
            // An unusable answer settles a handover: the running version judges, behind the one others took.
            if (version < before && unusable == null) {
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
        return s.toString() + "; the last client error: " + (lastThrown == null ? "none" : lastThrown.toString());
    }

    String describe() {
        return partitions() + " partitions, " + expected.size() + " records, BATCH_MAX_RECORDS " + maxRecords
                + ", max.poll.records " + maxPollRecords + ", COMMIT_INTERVAL_MS " + commitIntervalMs
                + ", schema refresh every " + refreshEvery + " polls";
    }
}
