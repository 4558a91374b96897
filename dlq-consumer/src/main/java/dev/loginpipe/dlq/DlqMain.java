package dev.loginpipe.dlq;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.ConfigException;
import dev.loginpipe.common.config.Launcher;
import dev.loginpipe.common.config.Service;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.common.config.SettingsDoc;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.common.observability.HttpEndpoint;
import dev.loginpipe.common.observability.Metrics;
import dev.loginpipe.common.observability.PeriodicSummary;
import dev.loginpipe.common.schema.RegistryClient;
import dev.loginpipe.dlq.access.Users;
import dev.loginpipe.dlq.access.UsersCommand;
import dev.loginpipe.dlq.backtest.Backtest;
import dev.loginpipe.dlq.backtest.BacktestResult;
import dev.loginpipe.dlq.backtest.CandidateSchema;
import dev.loginpipe.dlq.replay.ReplayFencedException;
import dev.loginpipe.dlq.replay.ReplayOptions;
import dev.loginpipe.dlq.replay.ReplayLedger;
import dev.loginpipe.dlq.replay.Replayer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar dlq-consumer.jar [watch|report|replay|export|backtest|user]}: makes the DLQ something people can act on. */
public final class DlqMain {
    private static final Logger LOG = LoggerFactory.getLogger("dlq-consumer");
    static final String USAGE = """
            Usage: java -jar dlq-consumer.jar [command] [options]

            Commands:
              watch                     (default) log each DLQ record as it arrives, in group DLQ_GROUP_ID;
                                        serves /health and /metrics on HTTP_PORT
              report [--json]           count the whole DLQ per reason, per violated field and per schema
                                        version, and what replay published already, then exit
              replay [--to TOPIC] [--reason R] [--signature ID] [--since T] [--until T] [--limit N]
                     [--rate N] [--id ID] [--schema-version V] [--dry-run] [--again]
                                        re-publish DLQ records to INPUT_TOPIC (or TOPIC), each at most once: the
                                        ledger REPLAY_LEDGER_TOPIC skips what any earlier replay published (--again
                                        publishes it anyway); REPLAY_GROUP_ID tracks how far a run read; skips
                                        records replayed MAX_REPLAYS times or truncated.
                                        T: 2025-01-31T12:00:00Z, 2025-01-31 or epoch ms (compared with error.at);
                                        --signature: a failure signature id (console); --rate: most records
                                        a second; --id: the replay.id to write (a redrive plan's id);
                                        --schema-version: only records judged by that schema.version
              export --out FILE         write every DLQ record to FILE as newline-delimited JSON (with its
                                        schema_version)
              console                   runs the DLQ console, now its own program: java -jar dlq-console.jar
                                        (this alias goes in the next release)
              backtest --schema FILE|--registry-version N [--output-records N] [--json]
                                        run a candidate schema (a file, or version N or latest of the registry
                                        subject) over the newest N records of OUTPUT_TOPIC (default 100,000)
                                        and the whole DLQ, as the consumer validates: which records it would
                                        newly reject, which DLQ records it would let through, by signature;
                                        with SCHEMA_REGISTRY_URL set, also what the registry's compatibility
                                        check says of it; reads only, writes nothing
              user --name N --role R [--password | --proxy-only]
                                        add a console account to CONSOLE_USERS_FILE (its password asked twice,
                                        or the first line of stdin), or set its role (and, with --password, a
                                        new password); R: viewer, operator or admin
              user --name N --remove    remove an account
              user --list               list the accounts
              --help                    this text
            Exit status: 0 done, 1 failed (e.g. broker unreachable), 2 bad setting or command line.
            """;
    private static final long SHUTDOWN_GRACE_SECONDS = 10;

    private DlqMain() {
    }

    public static void main(String[] args) throws IOException {
        if (Launcher.helpRequested(args)) {
            System.out.println(SettingsDoc.help(Service.DLQ_CONSUMER, USAGE));
            return;
        }
        CommandLine commandLine;
        try {
            commandLine = CommandLine.parse(args);
        } catch (CommandLine.UsageException e) {
            throw Launcher.exit(Service.DLQ_CONSUMER, e.getMessage());
        }
        if (commandLine.command().equals("user")) {
            user(commandLine);
            return;
        }
        if (commandLine.command().equals("console")) {
            ConsoleAlias.run();
            return;
        }
        Config config = Launcher.configure(Service.DLQ_CONSUMER);
        Replayer replayer;
        try {
            replayer = new Replayer(config);
        } catch (ConfigException e) {
            throw Launcher.exit(Service.DLQ_CONSUMER, e.getMessage());
        }
        try {
            switch (commandLine.command()) {
                case "report" -> report(config, commandLine.flags().contains("--json"));
                case "replay" -> System.out.print(replayer.replay(replayOptions(commandLine, config, replayer),
                        commandLine.replayControl()).text());
                case "export" -> export(config, Path.of(commandLine.values().get("--out")));
                case "backtest" -> backtest(config, commandLine);
                default -> watch(config);
            }
        } catch (ReplayFencedException e) {
            LOG.error("replay stopped: {}", e.getMessage());
            System.exit(1);
        } catch (KafkaException | IllegalStateException e) {
            // One line for people (wrong password, broker gone, fenced replay); nothing was half-committed.
            LOG.error("{} failed: {}", commandLine.command(), ErrorText.of(e));
            System.exit(1);
        }
    }

    /** The options of {@code replay}; a target that may not be replayed to is a usage error (exit 2). */
    private static ReplayOptions replayOptions(CommandLine commandLine, Config config, Replayer replayer) {
        ReplayOptions options = commandLine.replayOptions(config.get(Settings.INPUT_TOPIC));
        try {
            replayer.targets().check(options.to());
        } catch (IllegalArgumentException e) {
            throw Launcher.exit(Service.DLQ_CONSUMER, "--" + e.getMessage());
        }
        return options;
    }

    private static void backtest(Config config, CommandLine commandLine) {
        String registryVersion = commandLine.values().get("--registry-version");
        CandidateSchema candidate;
        try {
            if (!config.get(Settings.SCHEMA_REGISTRY_URL).isEmpty()) {
                RegistryClient.of(config); // its settings are checked before anything runs
            }
            candidate = registryVersion != null ? CandidateSchema.ofRegistry(config, registryVersion)
                    : CandidateSchema.ofFile(commandLine.values().get("--schema"), config.get(Settings.MAX_JSON_DEPTH));
        } catch (ConfigException e) {
            throw Launcher.exit(Service.DLQ_CONSUMER, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw Launcher.exit(Service.DLQ_CONSUMER, (registryVersion != null ? "--registry-version: " : "--schema: ")
                    + e.getMessage());
        }
        String records = commandLine.values().get("--output-records");
        BacktestResult result = new Backtest(config, candidate).run(records == null ? 100_000 : Long.parseLong(records),
                () -> false);
        System.out.print(commandLine.flags().contains("--json") ? result.json() + System.lineSeparator()
                : result.text());
    }

    /** Changes CONSOLE_USERS_FILE; talks to no broker, so it needs no BOOTSTRAP_SERVERS. */
    private static void user(CommandLine commandLine) throws IOException {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putIfAbsent(Settings.BOOTSTRAP_SERVERS.name(), "unused:9092");
        String file;
        try {
            file = Config.load(Service.DLQ_CONSUMER, env).get(Settings.CONSOLE_USERS_FILE);
        } catch (ConfigException e) {
            throw Launcher.exit(Service.DLQ_CONSUMER, e.getMessage());
        }
        if (file.isEmpty()) {
            throw Launcher.exit(Service.DLQ_CONSUMER, "CONSOLE_USERS_FILE: required by the user command");
        }
        try {
            Users users = Users.load(Path.of(file));
            String name = commandLine.values().get("--name");
            System.out.print(commandLine.flags().contains("--list") ? UsersCommand.list(users)
                    : commandLine.flags().contains("--remove") ? UsersCommand.remove(users, name)
                    : UsersCommand.put(users, name, commandLine.values().get("--role"),
                            commandLine.flags().contains("--password"), commandLine.flags().contains("--proxy-only")));
        } catch (IllegalArgumentException e) {
            throw Launcher.exit(Service.DLQ_CONSUMER, "CONSOLE_USERS_FILE: " + file + ": " + e.getMessage());
        } catch (UsersCommand.Refused e) {
            throw Launcher.exit(Service.DLQ_CONSUMER, e.getMessage());
        }
    }

    private static void report(Config config, boolean json) {
        Report report = new Report(config.get(Settings.DLQ_TOPIC), ReplayLedger.read(config, false)::contains);
        DlqScan.forEach(config, report::add);
        System.out.print(json ? report.json() + System.lineSeparator() : report.table());
    }

    private static void export(Config config, Path out) throws IOException {
        Writer writer;
        try {
            writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw Launcher.exit(Service.DLQ_CONSUMER, "--out: cannot write " + out);
        }
        try (writer) {
            Exporter exporter = new Exporter(writer);
            DlqScan.forEach(config, exporter::write);
            System.out.printf("exported %d records to %s%n", exporter.written(), out);
        }
    }

    /** Runs until SIGTERM, then closes the consumer (committing what it logged) and exits 0. */
    private static void watch(Config config) {
        PrometheusRegistry registry = Metrics.newRegistry();
        Health health = new Health();
        Watcher watcher = new Watcher(config, new DlqMetrics(registry, config.get(Settings.MAX_REPLAYS)), health);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicInteger status = new AtomicInteger(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            watcher.stop();
            try {
                stopped.await(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // Without this the JVM would end with 143 even after a clean stop.
            Runtime.getRuntime().halt(status.get());
        }, "sigterm"));
        try (HttpEndpoint http = startHttp(config, registry, health);
             PeriodicSummary summary = PeriodicSummary.start(LOG, config.get(Settings.LOG_SUMMARY_SECONDS),
                     watcher::summary)) {
            LOG.info("watching {} in group {}", config.get(Settings.DLQ_TOPIC), config.get(Settings.DLQ_GROUP_ID));
            watcher.run();
            status.set(0);
        } finally {
            stopped.countDown();
        }
    }

    private static HttpEndpoint startHttp(Config config, PrometheusRegistry registry, Health health) {
        try {
            return HttpEndpoint.start(config, registry, health);
        } catch (ConfigException e) {
            throw Launcher.exit(Service.DLQ_CONSUMER, e.getMessage());
        }
    }
}
