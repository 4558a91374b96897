package dev.loginpipe.dlq.console;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.ConfigException;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.dlq.console.access.Accounts;
import dev.loginpipe.dlq.access.Users;
import dev.loginpipe.dlq.redrive.AuditKeys;
import dev.loginpipe.dlq.redrive.RedriveApi;
import dev.loginpipe.dlq.redrive.RedriveOpener;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.LoggerFactory;

/**
 * The DLQ console on {@code CONSOLE_BIND:CONSOLE_PORT}. Indexes the DLQ in the
 * background and serves the page and its API until {@link #close()}.
 */
public final class Console implements AutoCloseable {
    /** A token people could guess or brute-force offline is no better than none. */
    static final int MIN_TOKEN = 32;
    private final IndexReader reader;
    private final Thread readerThread;
    /** What reads Kafka for requests (fetchers, backtest, shadow) and the plans' engine, closed in this order. */
    private final List<AutoCloseable> parts;
    private final ConsoleServer server;
    private final RedriveOpener redrive;
    private final CountDownLatch closed = new CountDownLatch(1);

    private Console(IndexReader reader, Thread readerThread, List<AutoCloseable> parts, ConsoleServer server,
                    RedriveOpener redrive) {
        this.reader = reader;
        this.readerThread = readerThread;
        this.parts = parts;
        this.server = server;
        this.redrive = redrive;
    }

    /**
     * Starts indexing and serving. A bad bind address, a port in use, a keystore that cannot be read, a token shorter
     * than {@link #MIN_TOKEN} characters, or a non-loopback address without accounts, token or proxy is
     * a {@link ConfigException} naming the variable, thrown before anything connects. Nothing here waits for the
     * brokers: the index fills and redrive plans come back from their audit trail in the background.
     */
    public static Console start(Config config, Health health, ReplayedRecords replayed, PrometheusRegistry registry) {
        String bind = config.get(Settings.CONSOLE_BIND);
        InetAddress address = address(Settings.CONSOLE_BIND.name(), bind);
        String proxy = config.get(Settings.CONSOLE_TRUSTED_PROXY);
        InetAddress trustedProxy = proxy.isEmpty() ? null : address(Settings.CONSOLE_TRUSTED_PROXY.name(), proxy);
        String token = config.get(Settings.CONSOLE_TOKEN);
        if (!token.isEmpty() && token.length() < MIN_TOKEN) {
            throw new ConfigException(Settings.CONSOLE_TOKEN.name(), "needs " + MIN_TOKEN + " characters or more "
                    + "(e.g. openssl rand -hex 16)");
        }
        AuditKeys.of(config); // a bad key is a setting error now, not when the trail is first read
        Users users = users(config);
        Accounts accounts = new Accounts(users, token, config.get(Settings.CONSOLE_SHOW_VALUES));
        if (!address.isLoopbackAddress() && trustedProxy == null && accounts.open()) {
            throw new ConfigException(Settings.CONSOLE_USERS_FILE.name(), "accounts (or CONSOLE_TOKEN) are required "
                    + "when CONSOLE_BIND (" + bind + ") is not a loopback address: anyone who reaches it would read "
                    + "the DLQ");
        }
        SSLContext tls = ConsoleTls.of(config);
        String topic = config.get(Settings.DLQ_TOPIC);
        ObjectMapper json = new ObjectMapper();
        int maxReplays = config.get(Settings.MAX_REPLAYS);
        DlqIndex index = new DlqIndex(config.get(Settings.CONSOLE_INDEX_MAX_RECORDS));
        Signatures signatures = new Signatures();
        ConsoleServer server;
        RedriveOpener redrive = RedriveOpener.start(config);
        RecordFetcher fetcher = new RecordFetcher(config, topic, "console-pages", RecordFetcher.FOR_PAGES);
        // A dry run has a consumer of its own: pages do not wait for it.
        RecordFetcher bulkFetcher = new RecordFetcher(config, topic, "console-dry-run", RecordFetcher.FOR_BULK);
        ConsoleBacktest backtest = new ConsoleBacktest(config, json);
        ConsoleShadow shadow = new ConsoleShadow(config, json);
        CandidateExamples examples = new CandidateExamples(config, config.get(Settings.OUTPUT_TOPIC), json);
        List<AutoCloseable> parts = List.of(fetcher, bulkFetcher, backtest, shadow, examples, redrive);
        try {
            ConsoleApi api = new ConsoleApi(topic, index, signatures, replayed, maxReplays, health,
                    new RecordPages(index, signatures, fetcher, replayed, json),
                    new RecordDetail(signatures, fetcher, replayed, json),
                    new DryRun(index, signatures, bulkFetcher, config.get(Settings.SCHEMA_PATH), json),
                    new ConsoleApi.Candidates(config, backtest, shadow, examples), config.get(Settings.MAX_JSON_DEPTH), json);
            Guard guard = new Guard(accounts, address.isLoopbackAddress(), trustedProxy);
            RedriveApi redriveApi = new RedriveApi(redrive, config.get(Settings.INPUT_TOPIC), replayed::entry);
            EventStreams events = new EventStreams(index, health, redriveApi, json, guard::stillFor);
            server = new ConsoleServer(new InetSocketAddress(address, config.get(Settings.CONSOLE_PORT)), tls, guard,
                    new Endpoints(api, redriveApi, accounts, events, tls != null), events, json);
        } catch (IOException e) {
            closeAll(parts);
            if (e instanceof BindException || e.getCause() instanceof BindException) {
                throw new ConfigException(Settings.CONSOLE_PORT.name(), "cannot listen on " + bind + ":"
                        + config.get(Settings.CONSOLE_PORT) + " (" + ErrorText.of(e) + ")");
            }
            throw new ConfigException(Settings.CONSOLE_BIND.name(), "cannot listen on " + bind + ": " + e.getMessage());
        }
        IndexReader reader = new IndexReader(config, topic, index, signatures, health);
        Thread thread = new Thread(reader, "console-index");
        thread.setDaemon(true);
        thread.start();
        CounterWithCallback.builder().name("loginpipe_console_users_file_rejected_total")
                .help("Times the DLQ console found CONSOLE_USERS_FILE changed into one it cannot read or parse "
                        + "(nobody gains rights from it; see the log)")
                .callback(cb -> cb.call(users.rejectedReads())).register(registry);
        return new Console(reader, thread, parts, server, redrive);
    }

    private static InetAddress address(String setting, String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new ConfigException(setting, "cannot resolve '" + text + "'");
        }
    }

    /** The accounts of CONSOLE_USERS_FILE (none when it is empty); a file that does not parse names its line. */
    private static Users users(Config config) {
        String file = config.get(Settings.CONSOLE_USERS_FILE);
        if (file.isEmpty()) {
            return Users.none();
        }
        try {
            return Users.load(Path.of(file));
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(Settings.CONSOLE_USERS_FILE.name(), file + ": " + e.getMessage());
        }
    }

    /** Whether redrive has read its audit trail (until then its endpoints answer 503 with the reason). */
    boolean redriveAvailable() {
        return redrive.unavailable() == null;
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
        closeAll(parts);
        closed.countDown();
    }

    /** Stopping the plans' engine leaves a running plan running in the trail: it runs on after the restart. */
    private static void closeAll(List<AutoCloseable> parts) {
        for (AutoCloseable part : parts) {
            try {
                part.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LoggerFactory.getLogger("dlq-console").warn("closing {}: {}", part.getClass().getSimpleName(),
                        ErrorText.of(e));
            }
        }
    }
}
