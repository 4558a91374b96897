package dev.loginpipe.consumer;

/**
 * One fault of a simulated schedule: in the {@code step}-th poll of any loop (counted over all of them), {@code kind}
 * happens to that loop, or to the clients' next matching call, whichever loop makes it.
 */
record SimFault(int step, Kind kind, int arg) {
    enum Kind {
        /** The next send fails with an error a retry outlives (the transaction becomes abortable). */
        SEND_ERROR,
        /** The next sendOffsetsToTransaction times out. */
        OFFSETS_ERROR,
        /** The next commit fails with an abortable error. */
        COMMIT_ERROR,
        /** The next commit times out after the coordinator committed it (outcome unknown to the client). */
        COMMIT_TIMEOUT_COMMITTED,
        /** The next commit times out before the coordinator committed it; a retried commit completes it. */
        COMMIT_TIMEOUT_PENDING,
        /** The producer meets an error it cannot abort that is not fencing: it must be replaced. */
        PRODUCER_BROKEN,
        /**
         * The next commit reaches the coordinator, which makes it durable (PREPARE_COMMIT) and completes it, but the
         * client meets an error its EndTxn handler does not map ("Unhandled error in EndTxnResponse"): fatal, not
         * fenced, though the transaction is committed. The next producer's initTransactions waits for it to complete.
         */
        COMMIT_FATAL_APPLIED,
        /** The next abort times out. */
        ABORT_TIMEOUT,
        /** The next committed-offsets fetch times out (brokers or coordinator briefly away). */
        COMMITTED_TIMEOUT,
        /** A twin with the same transactional id starts: this producer is fenced (arg picks Kafka's answer). */
        FENCE,
        /** SIGSTOP past the session timeout while a twin started: fenced and dropped from the group at once. */
        ZOMBIE,
        /** A rebalance: this loop gets the partitions picked by arg's bits (all, when it is alone), others the rest. */
        REVOKE,
        /** The member was dropped from the group: its partitions are lost, it rejoins at the next poll. */
        LOSE,
        /** The input gets a new partition (no committed offset), and a rebalance gives it out. */
        ADD_PARTITION,
        /** Records arrive on the input (arg: which partition and how many). */
        ARRIVE,
        /**
         * The process is frozen (SIGSTOP) at its next commit, between sendOffsetsToTransaction and EndTxn: its
         * heartbeats stop too, so the group drops it and gives its partitions to the other loops, whose committed
         * offsets stay unstable while its transaction is open. With arg odd it stays frozen past
         * transaction.timeout.ms (the coordinator aborts the transaction and fences it), else for half of it; then it
         * resumes, a zombie.
         */
        FROZEN_IN_COMMIT,
        /** SIGTERM: the loop is asked to stop, and started again. */
        STOP,
        /**
         * The loop's thread stops after this poll (a stalled disk, a call that hangs; heartbeats go on) past
         * max.poll.interval.ms, so the member leaves the group and its partitions go to the others; with arg odd,
         * past transaction.timeout.ms too, so an open transaction is aborted and its producer fenced. The others run
         * meanwhile; then it resumes.
         */
        PAUSE,
        /** A new schema version is registered: this loop takes it at once, the others at their next refresh. */
        NEW_SCHEMA,
        /** The registry does not answer the loop's refreshes for a while (arg: how many polls). */
        REGISTRY_DOWN,
        /**
         * From now on the registry answers every refresh of the running processes with something unusable, for good
         * (arg picks what: its rotated credentials refused, the pinned version deleted, latest turned AVRO, a $ref
         * that does not resolve); a process started again gets the newest version.
         */
        REGISTRY_UNUSABLE
    }

    @Override
    public String toString() {
        return "step " + step + ": " + kind + (arg == 0 ? "" : "(" + arg + ")");
    }
}
