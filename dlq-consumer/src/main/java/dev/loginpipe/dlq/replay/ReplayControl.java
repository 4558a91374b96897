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

    /** Told after each committed transaction (each poll, in a dry run): the counts so far. */
    default void progress(ReplaySummary soFar) {
    }

    /** The command line's control: a new id ({@code cli-} and 8 hex digits), no limit, never cancelled. */
    static ReplayControl commandLine() {
        String id = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        return () -> id;
    }
}
