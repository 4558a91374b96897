package dev.loginpipe.common.config;

import static dev.loginpipe.common.config.Service.CONSUMER;
import static dev.loginpipe.common.config.Service.DLQ_CONSOLE;
import static dev.loginpipe.common.config.Service.DLQ_CONSUMER;
import static dev.loginpipe.common.config.Service.PRODUCER;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import dev.loginpipe.common.validation.EventValidator;

/**
 * Every environment variable of every service, declared once. Kafka client settings are not listed here:
 * any of them passes through as {@code KAFKA_CLIENT_<NAME>} (see {@link KafkaClientSettings}).
 */
public final class Settings {
    public static final Setting<String> BOOTSTRAP_SERVERS = Setting.required("BOOTSTRAP_SERVERS",
            SettingType.HOST_PORT_LIST, "Kafka brokers to bootstrap from.");
    public static final Setting<String> INPUT_TOPIC = Setting.of("INPUT_TOPIC", SettingType.STRING, "user-login",
            "Topic of raw user-login events (the producer writes it, the consumer reads it, replay writes back to it).");
    public static final Setting<String> OUTPUT_TOPIC = Setting.of("OUTPUT_TOPIC", SettingType.STRING,
            "processed-user-login", "Topic that receives the valid events (DLQ console: where redriven records "
                    + "are looked for).", CONSUMER, DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<String> DLQ_TOPIC = Setting.of("DLQ_TOPIC", SettingType.STRING, "user-login-dlq",
            "Dead letter queue: every record that is not a valid event, with the reason in its headers.",
            CONSUMER, DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<String> GROUP_ID = Setting.of("GROUP_ID", SettingType.STRING,
            "user-login-consumer-group", "Consumer group of the validating consumers.", CONSUMER);
    public static final Setting<String> DLQ_GROUP_ID = Setting.of("DLQ_GROUP_ID", SettingType.STRING,
            "dlq-consumer-group", "Consumer group of the DLQ consumer's watch mode.", DLQ_CONSUMER);
    public static final Setting<String> INSTANCE_ID = Setting.computed("INSTANCE_ID", SettingType.STRING,
            Settings::hostName, "host name",
            "Names this instance in logs, DLQ headers and the consumer's transactional id; unique per instance.");
    public static final Setting<EventValidator> SCHEMA_PATH = Setting.computed("SCHEMA_PATH",
            SettingType.STRING.map("a readable file holding a valid draft-07 JSON Schema", EventValidator::load),
            () -> EventValidator.BUNDLED, "bundled schema.json",
            "JSON Schema that events must satisfy (the DLQ console's dry run checks against it too); the consumer "
                    + "watches the file and switches to a changed, valid version without a restart.",
            CONSUMER, DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<Integer> SCHEMA_REFRESH_MS = Setting.of("SCHEMA_REFRESH_MS",
            SettingType.intRange(100, 3_600_000), "5000",
            "How often the consumer looks for a new schema (SCHEMA_PATH's file, or the registry); a new version judges "
                    + "from the next transaction on.", CONSUMER);
    public static final Setting<String> SCHEMA_REGISTRY_URL = Setting.of("SCHEMA_REGISTRY_URL",
            SettingType.OPTIONAL_HTTP_URL, "",
            "Confluent-compatible schema registry API the consumer takes its schema from instead of SCHEMA_PATH, and "
                    + "the DLQ tool's backtest asks about a candidate (Apicurio: http://host:8080/apis/ccompat/v7); "
                    + "empty: SCHEMA_PATH, and no registry check.", CONSUMER, DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<String> SCHEMA_REGISTRY_SUBJECT = Setting.computed("SCHEMA_REGISTRY_SUBJECT",
            SettingType.OPTIONAL_STRING, () -> "", "<INPUT_TOPIC>-value",
            "Registry subject of the event schema (TopicNameStrategy by default).", CONSUMER, DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<String> SCHEMA_REGISTRY_VERSION = Setting.of("SCHEMA_REGISTRY_VERSION",
            SettingType.STRING.map("latest or a version number", v -> {
                if (!v.equals("latest") && Integer.parseInt(v) < 1) {
                    throw new IllegalArgumentException();
                }
                return v;
            }), "latest", "The subject's version to use: the latest (followed as it changes) or one pinned.",
            CONSUMER);
    public static final Setting<String> SCHEMA_REGISTRY_USER = Setting.of("SCHEMA_REGISTRY_USER",
            SettingType.OPTIONAL_STRING, "", "User for HTTP basic authentication to the registry; empty: none.",
            CONSUMER, DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<String> SCHEMA_REGISTRY_PASSWORD = Setting.secret("SCHEMA_REGISTRY_PASSWORD",
            "Password of SCHEMA_REGISTRY_USER.", CONSUMER, DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<String> SCHEMA_REGISTRY_TOKEN = Setting.secret("SCHEMA_REGISTRY_TOKEN",
            "Bearer token sent to the registry (instead of a user and password); empty: none.", CONSUMER, DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<Integer> SCHEMA_REGISTRY_TIMEOUT_MS = Setting.of("SCHEMA_REGISTRY_TIMEOUT_MS",
            SettingType.intRange(100, 60_000), "5000",
            "Longest one registry request may take, connecting and reading the whole answer.", CONSUMER, DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<Integer> SCHEMA_REGISTRY_MAX_BYTES = Setting.of("SCHEMA_REGISTRY_MAX_BYTES",
            SettingType.intRange(1024, 64 * 1024 * 1024), "1048576",
            "Largest registry answer read; a larger one is refused.", CONSUMER, DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<String> SCHEMA_CANDIDATE = Setting.of("SCHEMA_CANDIDATE", SettingType.OPTIONAL_STRING,
            "", "A candidate JSON Schema file judged beside the active schema on live traffic (shadow mode): only "
                    + "the active verdict routes; disagreements are counted by signature in /metrics; empty: none.",
            CONSUMER);
    public static final Setting<Integer> MAX_JSON_DEPTH = Setting.of("MAX_JSON_DEPTH", SettingType.intRange(1, 100_000),
            Integer.toString(EventValidator.DEFAULT_MAX_JSON_DEPTH),
            "Deepest nesting of arrays and objects the consumer validates; deeper documents go to the DLQ as limits "
                    + "(the DLQ tool's backtest validates as the consumer does).", CONSUMER, DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<Integer> BATCH_MAX_RECORDS = Setting.of("BATCH_MAX_RECORDS",
            SettingType.intRange(1, 100_000), "10000",
            "Most records routed in one transaction; larger transactions mean fewer commits.", CONSUMER);
    public static final Setting<Integer> COMMIT_INTERVAL_MS = Setting.of("COMMIT_INTERVAL_MS",
            SettingType.intRange(0, 10_000), "100",
            "Longest a transaction stays open across polls before it is committed; 0 commits after every poll.",
            CONSUMER);
    public static final Setting<Integer> EVENTS_PER_SECOND = Setting.of("EVENTS_PER_SECOND",
            SettingType.intRange(0, Integer.MAX_VALUE), "100", "Events the producer sends per second; 0 sends as fast as it can.",
            PRODUCER);
    public static final Setting<Long> EVENT_COUNT = Setting.of("EVENT_COUNT", SettingType.longAtLeast(0), "0",
            "Events the producer sends before it exits; 0 runs until stopped.", PRODUCER);
    public static final Setting<Double> INVALID_RATIO = Setting.of("INVALID_RATIO", SettingType.fraction(), "0.05",
            "Share of deliberately bad events the producer mixes in.", PRODUCER);
    public static final Setting<Long> SEED = Setting.computed("SEED", SettingType.LONG,
            () -> Long.toString(System.nanoTime()), "random",
            "Seed of the producer's random generator; the same seed sends the same events.", PRODUCER);
    public static final Setting<Boolean> LOG_PAYLOADS = Setting.of("LOG_PAYLOADS", SettingType.BOOLEAN, "false",
            "Log DLQ values, IP addresses and ids in the clear (otherwise they are masked).", DLQ_CONSUMER);
    public static final Setting<Integer> MAX_REPLAYS = Setting.of("MAX_REPLAYS", SettingType.intRange(1, 1000), "3",
            "Times one record may be replayed from the DLQ; records replayed that often are skipped.", DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<String> REPLAY_GROUP_ID = Setting.of("REPLAY_GROUP_ID", SettingType.STRING,
            "dlq-replay", "Consumer group whose committed offsets remember how far replay has read the DLQ "
                    + "(the ledger, not the group, keeps a record from being published twice).", DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<String> REPLAY_LEDGER_TOPIC = Setting.of("REPLAY_LEDGER_TOPIC", SettingType.STRING,
            "user-login-dlq-replayed", "Compacted topic in which replay records every DLQ record it publishes, in the "
                    + "same transaction, so that no run of any group publishes it twice; created when missing.",
            DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<String> REDRIVE_AUDIT_TOPIC = Setting.of("REDRIVE_AUDIT_TOPIC", SettingType.STRING,
            "user-login-dlq-audit", "Topic of the DLQ console's redrive audit trail: every dry run and plan action, "
                    + "each entry signed and chained to the one before; kept forever; created when missing.",
            DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<String> REPLAY_TARGETS = Setting.of("REPLAY_TARGETS", SettingType.OPTIONAL_STRING, "",
            "Topics besides INPUT_TOPIC that replay and redrive plans may publish to, comma-separated; the DLQ, the "
                    + "output, the ledger, the audit trail and internal topics are never allowed.", DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<String> REDRIVE_AUDIT_KEY = Setting.secret("REDRIVE_AUDIT_KEY",
            "Key (32 characters or more) with which the DLQ console signs its audit trail (HMAC-SHA256) and checks it; "
                    + "empty: redrive is read-only.", DLQ_CONSOLE);
    public static final Setting<Integer> HTTP_PORT = Setting.of("HTTP_PORT", SettingType.PORT, "8080",
            "Port of /health/live, /health/ready and /metrics; 0 turns the HTTP server off.");
    public static final Setting<String> HTTP_BIND = Setting.of("HTTP_BIND", SettingType.STRING, "0.0.0.0",
            "Address /health/live, /health/ready and /metrics listen on: 0.0.0.0 (every interface) lets Prometheus "
                    + "and a container's health check reach them; 127.0.0.1 keeps them to this host.");
    public static final Setting<Integer> LOG_SUMMARY_SECONDS = Setting.of("LOG_SUMMARY_SECONDS",
            SettingType.intRange(0, 86_400), "30", "Seconds between summary log lines; 0 turns them off.");

    public static final Setting<Integer> CONSOLE_PORT = Setting.of("CONSOLE_PORT", SettingType.PORT, "8090",
            "Port of the DLQ console (dlq-console.jar).", DLQ_CONSOLE);
    public static final Setting<String> CONSOLE_BIND = Setting.of("CONSOLE_BIND", SettingType.STRING, "127.0.0.1",
            "Address the DLQ console listens on; anything but loopback requires CONSOLE_USERS_FILE, CONSOLE_TOKEN "
                    + "or CONSOLE_TRUSTED_PROXY.", DLQ_CONSOLE);
    public static final Setting<String> CONSOLE_USERS_FILE = Setting.of("CONSOLE_USERS_FILE", SettingType.OPTIONAL_STRING, "",
            "The DLQ console's accounts (name, role, salted PBKDF2 hash), written by 'dlq-consumer.jar user'; "
                    + "empty: none.", DLQ_CONSUMER, DLQ_CONSOLE);
    public static final Setting<String> CONSOLE_TOKEN = Setting.secret("CONSOLE_TOKEN",
            "Shared token for scripts (Authorization: Bearer, or the login form with no name), role 'script': "
                    + "an operator of its own plans; 32 characters or more; empty: none.", DLQ_CONSOLE);
    public static final Setting<String> CONSOLE_TRUSTED_PROXY = Setting.of("CONSOLE_TRUSTED_PROXY",
            SettingType.OPTIONAL_STRING, "", "IP address of a signing-in reverse proxy (oauth2-proxy and the like): its "
                    + "requests' X-Forwarded-User is the user; empty: that header is ignored.", DLQ_CONSOLE);
    public static final Setting<String> CONSOLE_KEYSTORE = Setting.of("CONSOLE_KEYSTORE", SettingType.OPTIONAL_STRING, "",
            "PKCS12 keystore with the DLQ console's certificate and key: it then serves HTTPS only, with Secure "
                    + "cookies; empty: HTTP.", DLQ_CONSOLE);
    public static final Setting<String> CONSOLE_KEYSTORE_PASSWORD = Setting.secret("CONSOLE_KEYSTORE_PASSWORD",
            "Password of CONSOLE_KEYSTORE.", DLQ_CONSOLE);
    public static final Setting<Boolean> CONSOLE_SHOW_VALUES = Setting.of("CONSOLE_SHOW_VALUES", SettingType.BOOLEAN,
            "false", "Show IP addresses and ids in the clear to the token and to a console without accounts (admins "
                    + "always see them, viewers and operators never).", DLQ_CONSOLE);
    public static final Setting<Integer> CONSOLE_INDEX_MAX_RECORDS = Setting.of("CONSOLE_INDEX_MAX_RECORDS",
            SettingType.intRange(1, 200_000_000), "5000000", "Most DLQ records the console indexes (about 26 bytes "
                    + "each); past it the oldest are left out of its lists and counts, and the page says so.",
            DLQ_CONSOLE);

    /** In declaration order: the order of {@code --help} and the README table. */
    public static final List<Setting<?>> ALL = List.of(BOOTSTRAP_SERVERS, INPUT_TOPIC, OUTPUT_TOPIC, DLQ_TOPIC,
            GROUP_ID, DLQ_GROUP_ID, INSTANCE_ID, SCHEMA_PATH, SCHEMA_REFRESH_MS,
            SCHEMA_REGISTRY_URL, SCHEMA_REGISTRY_SUBJECT, SCHEMA_REGISTRY_VERSION, SCHEMA_REGISTRY_USER,
            SCHEMA_REGISTRY_PASSWORD, SCHEMA_REGISTRY_TOKEN, SCHEMA_REGISTRY_TIMEOUT_MS, SCHEMA_REGISTRY_MAX_BYTES,
            SCHEMA_CANDIDATE, MAX_JSON_DEPTH, BATCH_MAX_RECORDS, COMMIT_INTERVAL_MS,
            EVENTS_PER_SECOND, EVENT_COUNT, INVALID_RATIO, SEED, LOG_PAYLOADS, MAX_REPLAYS, REPLAY_GROUP_ID,
            REPLAY_LEDGER_TOPIC, REDRIVE_AUDIT_TOPIC, REPLAY_TARGETS, REDRIVE_AUDIT_KEY, HTTP_PORT, HTTP_BIND, LOG_SUMMARY_SECONDS, CONSOLE_PORT, CONSOLE_BIND,
            CONSOLE_USERS_FILE, CONSOLE_TOKEN, CONSOLE_TRUSTED_PROXY, CONSOLE_KEYSTORE, CONSOLE_KEYSTORE_PASSWORD,
            CONSOLE_SHOW_VALUES, CONSOLE_INDEX_MAX_RECORDS);

    private Settings() {
    }

    public static List<Setting<?>> of(Service service) {
        return ALL.stream().filter(s -> s.usedBy(service)).toList();
    }

    private static String hostName() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "loginpipe";
        }
    }
}
