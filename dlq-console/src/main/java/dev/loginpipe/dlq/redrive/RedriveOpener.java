package dev.loginpipe.dlq.redrive;

import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.observability.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the console's {@link Redrive} in the background. Its plans come back from the audit trail, which lives on
 * the brokers, and the console serves its pages whether they answer or not: until the trail has been read, redrive
 * is {@link #unavailable()} with the reason, and the attempt is repeated every {@link #RETRY_MS} ms (a rate-limited
 * warning says the same).
 */
public final class RedriveOpener implements AutoCloseable {
    private static final long RETRY_MS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger("dlq-console");

    private final Config config;
    private final RateLimitedLog warnings = new RateLimitedLog(LOG, 30_000);
    private final Thread thread;
    private volatile Redrive redrive;
    private volatile String problem = "its audit trail is being read from the brokers";
    private boolean closed;

    private RedriveOpener(Config config) {
        this.config = config;
        this.thread = new Thread(this::open, "redrive-open");
        thread.setDaemon(true);
    }

    public static RedriveOpener start(Config config) {
        RedriveOpener opener = new RedriveOpener(config);
        opener.thread.start();
        return opener;
    }

    private void open() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Redrive opened = Redrive.open(config);
                synchronized (this) {
                    if (!closed) {
                        redrive = opened;
                        return;
                    }
                }
                opened.close();
                return;
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return; // closed while reading
                }
                problem = "its audit trail cannot be read (" + ErrorText.of(e) + ")";
                warnings.warn("redrive", unavailable());
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(RETRY_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The engine, or null while it is not open yet ({@link #unavailable()} says why). */
    Redrive redrive() {
        return redrive;
    }

    /** Why redrive cannot be used yet, or null once it can. */
    public String unavailable() {
        return redrive != null ? null : "redrive is not available yet: " + problem + "; the console keeps trying every "
                + RETRY_MS / 1000 + " s";
    }

    /** Stops trying, and stops the engine if it was open (a running plan runs on after the restart). */
    @Override
    public void close() throws InterruptedException {
        synchronized (this) {
            closed = true;
        }
        thread.interrupt();
        thread.join(10_000);
        Redrive open = redrive;
        if (open != null) {
            open.close();
        }
    }
}
