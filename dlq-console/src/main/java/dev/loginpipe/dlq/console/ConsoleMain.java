package dev.loginpipe.dlq.console;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.ConfigException;
import dev.loginpipe.common.config.Launcher;
import dev.loginpipe.common.config.Service;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.common.config.SettingsDoc;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.common.observability.HttpEndpoint;
import dev.loginpipe.common.observability.Metrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar dlq-console.jar}: the DLQ console, served until SIGTERM. */
public final class ConsoleMain {
    private static final Logger LOG = LoggerFactory.getLogger("dlq-console");
    static final String USAGE = """
            Usage: java -jar dlq-console.jar [--help]

            The DLQ console, a web page on CONSOLE_BIND:CONSOLE_PORT: failures grouped by signature, records,
            payloads with the error marked, dry runs, candidate schemas (backtest and shadow) and redrive plans,
            for the accounts of CONSOLE_USERS_FILE (written by 'java -jar dlq-consumer.jar user'), CONSOLE_TOKEN or
            a trusted proxy; /health and /metrics on HTTP_PORT.
            Exit status: 0 stopped by SIGTERM, 2 bad setting.
            """;

    private ConsoleMain() {
    }

    public static void main(String[] args) {
        if (Launcher.helpRequested(args)) {
            System.out.println(SettingsDoc.help(Service.DLQ_CONSOLE, USAGE));
            return;
        }
        if (args.length > 0) {
            throw Launcher.exit(Service.DLQ_CONSOLE, "unknown argument '" + args[0] + "' (see --help)");
        }
        Config config = Launcher.configure(Service.DLQ_CONSOLE);
        PrometheusRegistry registry = Metrics.newRegistry();
        Health health = new Health();
        LedgerSnapshot ledger = LedgerSnapshot.follow(config);
        Console console;
        try {
            console = Console.start(config, health, ledger, registry);
        } catch (ConfigException e) {
            throw Launcher.exit(Service.DLQ_CONSOLE, e.getMessage());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ledger.close();
            console.close();
            Runtime.getRuntime().halt(0);
        }, "sigterm"));
        try (HttpEndpoint http = HttpEndpoint.start(config, registry, health)) {
            LOG.info("DLQ console on http://{}:{}/ (indexing {})", config.get(Settings.CONSOLE_BIND), console.port(),
                    config.get(Settings.DLQ_TOPIC));
            console.awaitClose();
        } catch (ConfigException e) {
            throw Launcher.exit(Service.DLQ_CONSOLE, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
