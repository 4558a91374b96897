package dev.loginpipe.dlq.console;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.ConfigException;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.dlq.redrive.RedriveApi;
import dev.loginpipe.dlq.redrive.RedriveOpener;

/**
 * {@code dlq-consumer.jar console}: the DLQ console on {@code CONSOLE_BIND:CONSOLE_PORT}. Indexes the DLQ in the
 * background and serves the page and its API until {@link #close()}.
 */
public final class Console implements AutoCloseable {
    private final IndexReader reader;
    private final Thread readerThread;
    private final RecordFetcher fetcher;
    private final RecordFetcher bulkFetcher;
    private final ConsoleServer server;
    private final RedriveOpener redrive;
    private final CountDownLatch closed = new CountDownLatch(1);

    private Console(IndexReader reader, Thread readerThread, RecordFetcher fetcher, RecordFetcher bulkFetcher,
                    ConsoleServer server, RedriveOpener redrive) {
        this.reader = reader;
        this.readerThread = readerThread;
        this.fetcher = fetcher;
        this.bulkFetcher = bulkFetcher;
        this.server = server;
        this.redrive = redrive;
    }

    /**
     * Starts indexing and serving. A bad bind address, a port in use, or a non-loopback address without a token is
     * a {@link ConfigException} naming the variable, thrown before anything connects. Nothing here waits for the
     * brokers: the index fills and redrive plans come back from their audit trail in the background.
     */
    public static Console start(Config config, Health health, ReplayedRecords replayed) {
        String token = config.get(Settings.CONSOLE_TOKEN);
        String bind = config.get(Settings.CONSOLE_BIND);
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new ConfigException(Settings.CONSOLE_BIND.name(), "cannot resolve '" + bind + "'");
        }
        if (!address.isLoopbackAddress() && token.isEmpty()) {
            throw new ConfigException(Settings.CONSOLE_TOKEN.name(), "required when CONSOLE_BIND (" + bind
                    + ") is not a loopback address: anyone who reaches it would read the DLQ");
        }
        String topic = config.get(Settings.DLQ_TOPIC);
        ObjectMapper json = new ObjectMapper();
        Display display = new Display(!config.get(Settings.CONSOLE_SHOW_VALUES));
        int maxReplays = config.get(Settings.MAX_REPLAYS);
        DlqIndex index = new DlqIndex(config.get(Settings.CONSOLE_INDEX_MAX_RECORDS));
        Signatures signatures = new Signatures();
        ConsoleServer server;
        RedriveOpener redrive = RedriveOpener.start(config);
        RecordFetcher fetcher = new RecordFetcher(config, topic, "console-pages", RecordFetcher.FOR_PAGES);
        // A dry run has a consumer of its own: pages do not wait for it.
        RecordFetcher bulkFetcher = new RecordFetcher(config, topic, "console-dry-run", RecordFetcher.FOR_BULK);
        try {
            ConsoleApi api = new ConsoleApi(topic, index, signatures, replayed, maxReplays, display, health,
                    new RecordPages(index, signatures, fetcher, replayed, display, json),
                    new RecordDetail(signatures, fetcher, replayed, display, json),
                    new DryRun(index, signatures, bulkFetcher, config.get(Settings.SCHEMA_PATH), display, json), json);
            server = new ConsoleServer(new InetSocketAddress(address, config.get(Settings.CONSOLE_PORT)),
                    new Guard(token, address.isLoopbackAddress()), api,
                    new RedriveApi(redrive, config.get(Settings.INPUT_TOPIC), replayed::entry), index, health, json);
        } catch (BindException e) {
            fetcher.close();
            bulkFetcher.close();
            closeQuietly(redrive);
            throw new ConfigException(Settings.CONSOLE_PORT.name(), "cannot listen on " + bind + ":"
                    + config.get(Settings.CONSOLE_PORT) + " (" + e.getMessage() + ")");
        } catch (IOException e) {
            fetcher.close();
            bulkFetcher.close();
            closeQuietly(redrive);
            throw new ConfigException(Settings.CONSOLE_BIND.name(), "cannot listen on " + bind + ": " + e.getMessage());
        }
        IndexReader reader = new IndexReader(config, topic, index, signatures, health);
        Thread thread = new Thread(reader, "console-index");
        thread.setDaemon(true);
        thread.start();
        return new Console(reader, thread, fetcher, bulkFetcher, server, redrive);
    }

    /** The port it listens on (CONSOLE_PORT, or the one the system chose for 0). */
    public int port() {
        return server.port();
    }

    /** Blocks until {@link #close()}. */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    @Override
    public void close() {
        server.close();
        reader.stop();
        try {
            readerThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fetcher.close();
        bulkFetcher.close();
        closeQuietly(redrive);
        closed.countDown();
    }

    /** Stops the plans' engine; a running plan stays running in the trail and runs on after the restart. */
    private static void closeQuietly(RedriveOpener redrive) {
        try {
            redrive.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
