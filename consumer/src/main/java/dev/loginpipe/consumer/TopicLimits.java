package dev.loginpipe.consumer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.loginpipe.common.ErrorText;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The largest record that both the producer and each topic accept ({@code max.message.bytes}, the producer's
 * {@code max.request.size}). Read at start, then on a thread of its own, never the routing thread: again whenever a
 * size error says a limit may have changed, and every 5 s while a limit cannot be read, with one Admin client kept
 * open. Until a limit is read, Kafka's default is assumed, and said so in the log and in readiness.
 */
final class TopicLimits implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicLimits.class);
    /** Kafka's default for both the producer's max.request.size and a topic's max.message.bytes (about 1 MiB). */
    static final int KAFKA_DEFAULT_MAX_BYTES = 1_048_576;
    private static final long RETRY_MS = 5_000;

    private final Properties adminProps;
    private final int producerMax;
    private final List<String> topics;
    private final Map<String, Integer> limits = new HashMap<>();
    private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "size-limits");
        t.setDaemon(true);
        return t;
    });
    private Admin admin;
    private Runnable onChange = () -> { };
    private volatile String problem;

    TopicLimits(Properties adminProps, int producerMax, List<String> topics) {
        this.adminProps = new Properties();
        this.adminProps.putAll(adminProps);
        this.adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        this.adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        this.producerMax = producerMax;
        this.topics = List.copyOf(topics);
        topics.forEach(topic -> limits.put(topic, Math.min(producerMax, KAFKA_DEFAULT_MAX_BYTES)));
    }

    /** Reads the limits now, then keeps them: {@code onChange} runs whenever one changes. */
    void start(Runnable onChange) {
        this.onChange = onChange;
        refresh();
        reader.scheduleWithFixedDelay(() -> {
            if (problem != null) {
                refresh();
            }
        }, RETRY_MS, RETRY_MS, TimeUnit.MILLISECONDS);
    }

    /** Reads them again soon, off the caller's thread (a size error said a limit may have changed). */
    void refreshSoon() {
        reader.execute(this::refresh);
    }

    /** Reads every topic's limit; a topic whose limit cannot be read keeps its last value. */
    private synchronized void refresh() {
        List<ConfigResource> resources = topics.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
        String unknown = null;
        boolean changed = false;
        try {
            if (admin == null) {
                admin = Admin.create(adminProps);
            }
            for (var entry : admin.describeConfigs(resources).values().entrySet()) {
                String topic = entry.getKey().name();
                try {
                    int max = Math.min(producerMax, Integer.parseInt(
                            entry.getValue().get().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value()));
                    if (max != limits.get(topic)) {
                        LOG.info("records to {} are kept under {} bytes", topic, max);
                        changed = true;
                    }
                    limits.put(topic, max);
                } catch (Exception e) {
                    unknown = "cannot read max.message.bytes of " + topic + " (" + ErrorText.of(e)
                            + "); records to it are kept under " + limits.get(topic) + " bytes";
                    LOG.warn(unknown);
                }
            }
        } catch (RuntimeException e) {
            unknown = "cannot read max.message.bytes (" + ErrorText.of(e) + "); Kafka's default is assumed";
            LOG.warn(unknown);
        }
        problem = unknown;
        if (changed) {
            onChange.run();
        }
    }

    synchronized int of(String topic) {
        return limits.get(topic);
    }

    /** Null once every limit was read; else which one is assumed. */
    String problem() {
        return problem;
    }

    @Override
    public void close() {
        reader.shutdownNow();
        synchronized (this) {
            if (admin != null) {
                admin.close(Duration.ofSeconds(1));
            }
        }
    }
}
