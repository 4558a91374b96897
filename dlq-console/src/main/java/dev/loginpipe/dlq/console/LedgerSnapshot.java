package dev.loginpipe.dlq.console;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.dlq.replay.ReplayLedger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the replay ledger says was published, for the console's "already replayed" counts and each record's history:
 * read at start and again every {@link #REFRESH_SECONDS} seconds in the background (a redrive or a CLI replay adds
 * entries meanwhile). While the ledger cannot be read, the last reading stands.
 */
public final class LedgerSnapshot implements ReplayedRecords, AutoCloseable {
    static final long REFRESH_SECONDS = 30;
    private static final Logger LOG = LoggerFactory.getLogger(LedgerSnapshot.class);

    private final Config config;
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ledger-snapshot");
        t.setDaemon(true);
        return t;
    });
    private volatile ReplayLedger ledger;
    private volatile LedgerHistory history = LedgerHistory.EMPTY;

    private LedgerSnapshot(Config config) {
        this.config = config;
    }

    public static LedgerSnapshot follow(Config config) {
        return follow(config, TimeUnit.SECONDS.toMillis(REFRESH_SECONDS));
    }

    /** Read every {@code refreshMillis} ms (tests, whose ledgers are small, read it every second). */
    static LedgerSnapshot follow(Config config, long refreshMillis) {
        LedgerSnapshot snapshot = new LedgerSnapshot(config);
        snapshot.refresher.scheduleWithFixedDelay(snapshot::refresh, 0, refreshMillis, TimeUnit.MILLISECONDS);
        return snapshot;
    }

    private void refresh() {
        try {
            LedgerHistory reading = new LedgerHistory();
            ledger = ReplayLedger.read(config, false, reading);
            history = reading.freeze();
        } catch (RuntimeException e) {
            LOG.warn("cannot read the replay ledger ({}); already-replayed counts stay as they were", ErrorText.of(e));
        }
    }

    @Override
    public boolean replayed(int partition, long offset) {
        ReplayLedger current = ledger;
        return current != null && current.contains(partition, offset);
    }

    @Override
    public JsonNode entry(int partition, long offset) {
        return history.entry(partition, offset);
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
