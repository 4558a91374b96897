package dev.loginpipe.consumer;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.ConfigException;
import dev.loginpipe.common.config.KafkaClientSettings;
import dev.loginpipe.common.config.KafkaClientSettings.ClientKind;
import dev.loginpipe.common.config.Launcher;
import dev.loginpipe.common.config.Service;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.common.config.SettingsDoc;
import dev.loginpipe.common.observability.BrokerProbe;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.common.observability.HttpEndpoint;
import dev.loginpipe.common.observability.Metrics;
import dev.loginpipe.common.observability.PeriodicSummary;
import dev.loginpipe.common.schema.RegistryClient;
import dev.loginpipe.common.schema.RegistrySchemas;
import dev.loginpipe.common.schema.SchemaFile;
import dev.loginpipe.common.schema.SchemaSource;
import dev.loginpipe.common.validation.EventValidator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar consumer.jar}: the validating router, one instance of the consumer group. */
public final class ConsumerMain {
    private static final Logger LOG = LoggerFactory.getLogger("consumer");
    private static final String USAGE = """
            Usage: java -jar consumer.jar [--help]
            Reads INPUT_TOPIC in consumer group GROUP_ID and routes every record exactly once: valid events to
            OUTPUT_TOPIC, everything else to DLQ_TOPIC with the reason in its headers. Stops cleanly on SIGTERM.""";
    private static final long SHUTDOWN_WAIT_SECONDS = 20;
    private static final int MAX_POLL_RECORDS = 2000;

    private ConsumerMain() {
    }

    public static void main(String[] args) {
        if (Launcher.helpRequested(args)) {
            System.out.println(SettingsDoc.help(Service.CONSUMER, USAGE));
            return;
        }
        Config config = Launcher.configure(Service.CONSUMER);
        PrometheusRegistry registry = Metrics.newRegistry();
        ConsumerMetrics metrics = new ConsumerMetrics(registry);
        Health health = new Health();
        HttpEndpoint http;
        try {
            http = HttpEndpoint.start(config, registry, health);
        } catch (ConfigException e) {
            throw Launcher.exit(Service.CONSUMER, e.getMessage());
        }

        RoutingLoop loop;
        try {
            loop = newLoop(config, metrics, health);
        } catch (ConfigException e) {
            throw Launcher.exit(Service.CONSUMER, e.getMessage());
        } catch (RuntimeException | Error e) {
            // Without a loop the HTTP server's thread would keep the JVM up, and /health/live saying 200.
            LOG.error("could not start", e);
            System.exit(1);
            return;
        }
        PeriodicSummary summary = PeriodicSummary.start(LOG, config.get(Settings.LOG_SUMMARY_SECONDS),
                new Summary(metrics)::line);

        AtomicInteger status = new AtomicInteger();
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            loop.stop();
            boolean inTime = false;
            try {
                inTime = finished.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
                if (!inTime) {
                    LOG.warn("did not finish within {} s; exiting 1, the open transaction is aborted by the broker",
                            SHUTDOWN_WAIT_SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // Exit with the loop's status, not the JVM's 143 for SIGTERM: a clean stop is a success, a stuck one not.
            Runtime.getRuntime().halt(inTime ? status.get() : 1);
        }, "shutdown"));

        LOG.info("routing {} -> {} | {} as {} of group {}", config.get(Settings.INPUT_TOPIC),
                config.get(Settings.OUTPUT_TOPIC), config.get(Settings.DLQ_TOPIC),
                config.get(Settings.INSTANCE_ID), config.get(Settings.GROUP_ID));
        try {
            status.set(loop.run());
        } catch (Error e) {
            // run() returns 1 on any exception; an Error must not leave the HTTP server up without a loop either.
            LOG.error("stopping on an unexpected error", e);
            status.set(1);
        }
        summary.close();
        http.close();
        LOG.info("stopped ({})", new Summary(metrics).line());
        finished.countDown();
        System.exit(status.get());
    }

    /** The loop with its clients, router, size limits and broker probe. */
    static RoutingLoop newLoop(Config config, ConsumerMetrics metrics, Health health) {
        LiveSchema schemas = liveSchema(config, metrics); // first: a bad registry setting exits before anything connects
        ShadowSchema shadow = shadowSchema(config, metrics);
        Properties producerProps = producerProperties(config);
        Properties consumerProps = consumerProperties(config);
        String output = config.get(Settings.OUTPUT_TOPIC);
        String dlq = config.get(Settings.DLQ_TOPIC);
        int producerMax = Integer.parseInt(producerProps.getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Integer.toString(TopicLimits.KAFKA_DEFAULT_MAX_BYTES)));
        Properties adminProps = config.kafkaProperties(ClientKind.ADMIN);
        TopicLimits limits = new TopicLimits(adminProps, producerMax, List.of(output, dlq));
        RecordRouter router = new RecordRouter(output, dlq, config.get(Settings.GROUP_ID),
                config.get(Settings.INSTANCE_ID), limits.of(output), limits.of(dlq));
        if (shadow != null) {
            router.shadow(shadow);
        }
        limits.start(() -> router.limits(limits.of(output), limits.of(dlq), limits.compacted(output)));
        BrokerProbe probe = BrokerProbe.start(adminProps, List.of(config.get(Settings.INPUT_TOPIC), output, dlq));
        health.dependsOn(() -> schemas.notReadyReason() != null ? schemas.notReadyReason()
                : probe.problem() != null ? probe.problem() : limits.problem());
        health.warnsOf(schemas::warning);
        RoutingLoop.Batching batching = new RoutingLoop.Batching(config.get(Settings.BATCH_MAX_RECORDS),
                Integer.parseInt(consumerProps.getProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG)),
                config.get(Settings.COMMIT_INTERVAL_MS),
                intProperty(consumerProps, ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 300_000),
                intProperty(producerProps, ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000));
        return new RoutingLoop(config.get(Settings.INPUT_TOPIC), List.of(output, dlq),
                Clients.kafka(consumerProps, producerProps), LoopClock.SYSTEM, router, schemas, limits::refreshNow,
                metrics, health, batching, List.of(probe, limits, schemas));
    }

    /** SCHEMA_CANDIDATE, to judge beside the active schema, or null; one that cannot be used is a setting error. */
    private static ShadowSchema shadowSchema(Config config, ConsumerMetrics metrics) {
        String file = config.get(Settings.SCHEMA_CANDIDATE);
        if (file.isEmpty()) {
            return null;
        }
        try {
            ShadowSchema shadow = new ShadowSchema(EventValidator.load(file, config.get(Settings.MAX_JSON_DEPTH)),
                    metrics);
            LOG.info("shadow schema {}: judges every record beside the active one, routes none", file);
            return shadow;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(Settings.SCHEMA_CANDIDATE.name(), e.getMessage());
        }
    }

    /** The schema from the registry when SCHEMA_REGISTRY_URL is set, else from SCHEMA_PATH; refreshed while running. */
    static LiveSchema liveSchema(Config config, ConsumerMetrics metrics) {
        int maxJsonDepth = config.get(Settings.MAX_JSON_DEPTH);
        String registry = config.get(Settings.SCHEMA_REGISTRY_URL);
        SchemaSource source;
        String where;
        if (registry.isEmpty()) {
            where = config.get(Settings.SCHEMA_PATH).source();
            source = new SchemaFile(where, maxJsonDepth);
        } else {
            String subject = RegistrySchemas.subject(config);
            String version = config.get(Settings.SCHEMA_REGISTRY_VERSION);
            where = registry + " subject " + subject + " version " + version;
            source = new RegistrySchemas(RegistryClient.of(config), subject, version, maxJsonDepth);
        }
        return LiveSchema.start(source, where, config.get(Settings.SCHEMA_REFRESH_MS), metrics);
    }

    static Properties consumerProperties(Config config) {
        Properties props = config.kafkaProperties(ClientKind.CONSUMER);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, config.get(Settings.INSTANCE_ID));
        // Exactly once rests on these: a KAFKA_CLIENT_* that differs was refused at start.
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.get(Settings.GROUP_ID));
        KafkaClientSettings.ROUTER_CONSUMER.forEach((name, pinned) -> props.put(name, pinned.value()));
        // A poll never holds more than a transaction may.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                Integer.toString(Math.min(MAX_POLL_RECORDS, config.get(Settings.BATCH_MAX_RECORDS))));
        return props;
    }

    /** A Kafka client's integer setting, or Kafka's default; a value that is not a number is left for the client to refuse. */
    private static int intProperty(Properties props, String name, int kafkasDefault) {
        try {
            return Integer.parseInt(props.getProperty(name, Integer.toString(kafkasDefault)));
        } catch (NumberFormatException e) {
            return kafkasDefault;
        }
    }

    static Properties producerProperties(Config config) {
        Properties props = config.kafkaProperties(ClientKind.PRODUCER);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        // Right after a commit the broker answers the next transaction's first send with CONCURRENT_TRANSACTIONS
        // until its markers are written; the default 100 ms back-off made one batch in eight take 100-250 ms.
        props.putIfAbsent(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "5");
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, config.get(Settings.INSTANCE_ID) + "-tx");
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                config.get(Settings.GROUP_ID) + "-" + config.get(Settings.INSTANCE_ID));
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return props;
    }
}
