package dev.loginpipe.common.observability;

import java.util.function.Supplier;

/**
 * What a service says of itself: live while its loop runs, ready while it can do its job (else why not). What it
 * depends on (Kafka answering, its topics existing) can veto readiness with a reason of its own.
 */
public final class Health {
    private volatile boolean live = true;
    private volatile String notReadyReason = "starting";
    private volatile Supplier<String> dependency = () -> null;
    private volatile Supplier<String> warning = () -> null;

    public boolean isLive() {
        return live;
    }

    public boolean isReady() {
        return notReadyReason() == null;
    }

    /** Null when ready. */
    public String notReadyReason() {
        String problem = live ? dependency.get() : null;
        return problem != null ? problem : notReadyReason;
    }

    /** A check that returns null while all is well, or what is wrong, e.g. {@link BrokerProbe#problem()}. */
    public void dependsOn(Supplier<String> problem) {
        dependency = problem;
    }

    /** Something wrong that the service works around (e.g. a schema refresh that failed), or null; shown, not vetoing. */
    public String warning() {
        return warning.get();
    }

    public void warnsOf(Supplier<String> problem) {
        warning = problem;
    }

    public void ready() {
        notReadyReason = null;
    }

    public void notReady(String reason) {
        notReadyReason = reason;
    }

    /** The loop has ended: neither live nor ready. */
    public void stopped() {
        live = false;
        notReadyReason = "stopped";
    }
}
