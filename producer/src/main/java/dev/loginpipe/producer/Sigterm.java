package dev.loginpipe.producer;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM (or Ctrl-C): stop the send loop, wait for it to flush and print its summary, then end the JVM with the
 * run's own status; without this the JVM would end with 143 even when everything was delivered.
 */
final class Sigterm {
    private static final Logger LOG = LoggerFactory.getLogger("producer");

    private final CountDownLatch finished = new CountDownLatch(1);
    private final long graceSeconds;
    private final int statusIfUnfinished;
    private volatile int status;
    private Runnable stop = () -> { };
    private boolean requested;

    private Sigterm(long graceSeconds, int statusIfUnfinished) {
        this.graceSeconds = graceSeconds;
        this.statusIfUnfinished = statusIfUnfinished;
        this.status = statusIfUnfinished;
    }

    /** Handles the signal from now on; {@code graceSeconds} bounds the wait for records in flight. */
    static Sigterm install(long graceSeconds, int statusIfUnfinished) {
        Sigterm sigterm = new Sigterm(graceSeconds, statusIfUnfinished);
        Runtime.getRuntime().addShutdownHook(new Thread(sigterm::onSignal, "sigterm"));
        return sigterm;
    }

    /** What stopping means once the loop runs; a signal that came before runs it now, so the loop never starts. */
    void stopWith(Runnable stop) {
        boolean already;
        synchronized (this) {
            this.stop = stop;
            already = requested;
        }
        if (already) {
            stop.run();
        }
    }

    /** The run is over (normally or not); the JVM may end with {@code status}. */
    void finished(int status) {
        this.status = status;
        finished.countDown();
    }

    private void onSignal() {
        Runnable action;
        synchronized (this) {
            requested = true;
            action = stop;
        }
        action.run();
        try {
            if (!finished.await(graceSeconds, TimeUnit.SECONDS)) {
                LOG.error("records still in flight after {} s; not delivered", graceSeconds);
                status = statusIfUnfinished;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(status);
    }
}
