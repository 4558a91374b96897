package dev.loginpipe.dlq.replay;

import java.util.UUID;

/**
 * How the caller of {@link Replayer#replay} steers one run: its id, its pace, when to stop, and what it hears back.
 * The command line runs at full speed to the end; the console's redrive plans pass their own.
 */
@FunctionalInterface
public interface ReplayControl {

    /** Names the run: the {@code replay.id} header of every record it publishes, and its ledger entries. */
    String replayId();

    /** Most records published per second; 0 for no limit. */
    default double recordsPerSecond() {
        return 0;
    }

    /** Asked before each transaction: false ends the run there (cancel); may block while the run is paused. */
    default boolean proceed() {
        return true;
    }

    /**
     * The consumer group that remembers how far this run read the DLQ: the configured {@code REPLAY_GROUP_ID}, or a
     * group of its own for a run whose selection must not move another's position (a redrive plan).
     */
    default String groupId(String configured) {
        return configured;
    }

    /** What {@link #limit} answers when the run may publish nothing more. */
    long NOTHING_LEFT = -1;

    /**
     * The most records this run may publish (0: no limit, {@link #NOTHING_LEFT}: none), asked once the run holds the
     * transactional id, so whatever a killed run left open is settled (committed or aborted) before anything is counted.
     */
    default long limit(long configured) {
        return configured;
    }

    /** Told after each committed transaction (each poll, in a dry run): the counts so far. */
    default void progress(ReplaySummary soFar) {
    }

    /** The command line's control: a new id ({@code cli-} and 8 hex digits), no limit, never cancelled. */
    static ReplayControl commandLine() {
        return commandLine(null, 0);
    }

    /** The command line's control with {@code --id} (null: a new {@code cli-} id) and {@code --rate} (0: none). */
    static ReplayControl commandLine(String id, double rate) {
        String replayId = id != null ? id : "cli-" + UUID.randomUUID().toString().substring(0, 8);
        return new ReplayControl() {
            @Override
            public String replayId() {
                return replayId;
            }

            @Override
            public double recordsPerSecond() {
                return rate;
            }
        };
    }
}
