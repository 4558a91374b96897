package dev.loginpipe.common.observability;

/** What a service says of itself: live while its loop runs, ready while it can do its job (else why not). */
public final class Health {
    private volatile boolean live = true;
    private volatile String notReadyReason = "starting";

    public boolean isLive() {
        return live;
    }

    public boolean isReady() {
        return notReadyReason == null;
    }

    /** Null when ready. */
    public String notReadyReason() {
        return notReadyReason;
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
