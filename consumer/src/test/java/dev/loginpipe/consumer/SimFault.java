package dev.loginpipe.consumer;

/** One fault of a simulated schedule: before the loop's {@code step}-th poll returns, {@code kind} happens. */
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
        /** An eager rebalance: everything revoked, then the partitions picked by arg's bits assigned. */
        REVOKE,
        /** The member was dropped from the group: its partitions are lost, it rejoins at the next poll. */
        LOSE,
        /** The input gets a new partition (no committed offset), and a rebalance gives it out. */
        ADD_PARTITION,
        /** Records arrive on the input (arg: which partition and how many). */
        ARRIVE,
        /** Another member routes records of a partition this one does not own (arg: which, how many). */
        OTHER_MEMBER,
        /**
         * Another member owning a partition this one does not own is SIGKILLed between sendOffsetsToTransaction and
         * EndTxn: the partition's committed offset is unstable until the coordinator times the transaction out.
         */
        OTHER_MEMBER_FROZEN,
        /** SIGTERM: the loop is asked to stop, and started again. */
        STOP,
        /**
         * The loop's thread stops (a long GC pause, a stalled disk) past max.poll.interval.ms, so the member leaves the
         * group; with arg odd, past transaction.timeout.ms too, so an open transaction is aborted and its producer
         * fenced.
         */
        PAUSE,
        /**
         * A new schema version is registered: other members take it at once and route records of a partition this
         * one does not own (arg: which, how many); the loop takes it at its next refresh.
         */
        NEW_SCHEMA,
        /** The registry does not answer the loop's refreshes for a while (arg: how many polls). */
        REGISTRY_DOWN,
        /**
         * From now on the registry answers every refresh of the running process with something unusable, for good
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
