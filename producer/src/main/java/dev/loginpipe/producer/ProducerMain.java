package dev.loginpipe.producer;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.ConfigException;
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
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar producer.jar [--from FILE|-]}: generated events, or your own lines, to the input topic. */
public final class ProducerMain {
    private static final Logger LOG = LoggerFactory.getLogger("producer");
    static final String USAGE = """
            Usage: java -jar producer.jar [--from FILE|-]

            Sends user-login events to INPUT_TOPIC, keyed by user_id.
              (no arguments)   generates events: EVENTS_PER_SECOND, EVENT_COUNT, INVALID_RATIO, SEED
              --from FILE|-    sends each non-empty line of FILE (or stdin) as one record, paced by
                               EVENTS_PER_SECOND and cut off after EVENT_COUNT (0: all lines); a line
                               longer than a record may be (max.request.size less 512 bytes) is not sent
              --help           this text
            On SIGTERM it flushes and prints a summary (sent, failed, rate, lines not sent).
            Exit status: 0 all delivered; 1 some record not delivered (a send failed, or a line was
            too long to send), or the topic not reachable; 2 bad setting or command line.
            """;
    /** How long SIGTERM waits for the records in flight before giving up on them. */
    private static final long SHUTDOWN_GRACE_SECONDS = 20;
    /** Some record not delivered, or the topic not reachable at start. */
    private static final int EXIT_FAILED = 1;
    /** Bytes a record takes besides its value when it is the only one of its batch (key not counted). */
    static final int RECORD_OVERHEAD_BYTES = 512;

    private ProducerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (Launcher.helpRequested(args)) {
            System.out.println(SettingsDoc.help(Service.PRODUCER, USAGE));
            return;
        }
        String from = parseFrom(args);
        Config config = Launcher.configure(Service.PRODUCER);
        EventSource source = from == null
                ? new GeneratedEvents(config.get(Settings.SEED), config.get(Settings.INVALID_RATIO), Clock.systemUTC())
                : new LinesSource(open(from), maxLineBytes(producerProperties(config)));
        Sigterm sigterm = Sigterm.install(SHUTDOWN_GRACE_SECONDS, EXIT_FAILED);
        int status = EXIT_FAILED;
        try {
            status = run(config, source, sigterm::stopWith);
        } finally {
            sigterm.finished(status);
        }
        System.exit(status);
    }

    /** The file named by {@code --from}, "-" for stdin, or null for generated events. */
    private static String parseFrom(String[] args) {
        if (args.length == 0) {
            return null;
        }
        if (args.length == 2 && args[0].equals("--from")) {
            return args[1];
        }
        throw Launcher.exit(Service.PRODUCER, "unknown arguments '" + String.join(" ", args) + "', see --help");
    }

    /** The input of {@code --from}: a channel, so that closing it ends a read that blocks on stdin. */
    private static ReadableByteChannel open(String from) {
        try {
            if (from.equals("-")) {
                return new FileInputStream(FileDescriptor.in).getChannel();
            }
            if (Files.isDirectory(Path.of(from))) {
                throw new IOException("a directory");
            }
            return FileChannel.open(Path.of(from));
        } catch (IOException | InvalidPathException e) {
            throw Launcher.exit(Service.PRODUCER, "--from: cannot read " + from);
        }
    }

    /** The longest line worth sending: what the Kafka producer accepts ({@code max.request.size}) less the framing. */
    static int maxLineBytes(Properties producerProperties) {
        Object size = producerProperties.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                ProducerConfig.configDef().defaultValues().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
        return Math.max(1, (Integer) ConfigDef.parseType(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, size, ConfigDef.Type.INT)
                - RECORD_OVERHEAD_BYTES);
    }

    /** Sends everything, or until {@code stopHandle}'s action is run, and returns the exit status. */
    static int run(Config config, EventSource source, Consumer<Runnable> stopHandle) throws Exception {
        PrometheusRegistry registry = Metrics.newRegistry();
        Health health = new Health();
        String topic = config.get(Settings.INPUT_TOPIC);
        try (HttpEndpoint http = startHttp(config, registry, health);
             BrokerProbe probe = BrokerProbe.start(config.kafkaProperties(ClientKind.ADMIN), List.of(topic));
             Producer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(config),
                     new ByteArraySerializer(), new ByteArraySerializer());
             source) {
            health.dependsOn(probe::problem);
            DeliveryStats stats = new DeliveryStats(registry, health);
            EventSender sender = new EventSender(producer, topic, stats,
                    new RateLimiter(config.get(Settings.EVENTS_PER_SECOND)), config.get(Settings.EVENT_COUNT));
            stopHandle.accept(() -> stop(sender, source));
            try (PeriodicSummary summary = PeriodicSummary.start(LOG, config.get(Settings.LOG_SUMMARY_SECONDS),
                    stats::summary)) {
                if (!topicAvailable(producer, topic, config)) {
                    return EXIT_FAILED;
                }
                health.ready();
                LOG.info("sending to {}", topic);
                sender.run(source);
                return stats.failed() > 0 || source.skipped() > 0 ? EXIT_FAILED : 0;
            } finally {
                health.stopped();
                LOG.info(stats.summary() + (source.skipped() > 0 ? "; not sent: " + source.skipped()
                        + " line(s) too long to be a record" : ""));
                if (stats.failed() > 0) {
                    LOG.error("{} records were not delivered", stats.failed());
                }
            }
        }
    }

    /** Ends the loop after the record in hand; closing the source ends a read that waits on stdin. */
    private static void stop(EventSender sender, EventSource source) {
        sender.stop();
        try {
            source.close();
        } catch (IOException e) {
            LOG.warn("closing the input: {}", e.toString());
        }
    }

    /** Fails fast when the topic or the brokers cannot be reached, rather than failing every send after a minute. */
    private static boolean topicAvailable(Producer<byte[], byte[]> producer, String topic, Config config) {
        try {
            producer.partitionsFor(topic);
            return true;
        } catch (KafkaException e) {
            LOG.error("topic {} is not available at {}: {}", topic, config.get(Settings.BOOTSTRAP_SERVERS),
                    e.getMessage());
            return false;
        }
    }

    private static HttpEndpoint startHttp(Config config, PrometheusRegistry registry, Health health) {
        try {
            return HttpEndpoint.start(config, registry, health);
        } catch (ConfigException e) {
            throw Launcher.exit(Service.PRODUCER, e.getMessage());
        }
    }

    /** Throughput without giving up safety: idempotent, acks=all, batched and compressed; KAFKA_CLIENT_* wins. */
    static Properties producerProperties(Config config) {
        Properties props = new Properties();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "producer-" + config.get(Settings.INSTANCE_ID));
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(128 * 1024));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.putAll(config.kafkaProperties(ClientKind.PRODUCER));
        return props;
    }
}
