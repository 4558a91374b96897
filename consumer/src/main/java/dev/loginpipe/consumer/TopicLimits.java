package dev.loginpipe.consumer;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.loginpipe.common.ErrorText;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each topic accepts: the largest record that both the producer and the topic take ({@code max.message.bytes},
 * the producer's {@code max.request.size}), and whether it is compacted ({@code cleanup.policy} holds {@code compact}:
 * a record without a key is refused). Read at start, every 5 s on a thread of its own while a setting cannot be read,
 * and again whenever the brokers refuse a record (a setting may have changed), with one Admin client kept open. Until
 * a topic's settings are read, Kafka's defaults are assumed (1 MiB, not compacted), and said so in the log and in
 * readiness.
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
    private final Set<String> compacted = new HashSet<>();
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

    /**
     * Reads them again now, on the caller's thread (the routing thread, after the brokers refused a record: the
     * transaction is aborted and the loop backs off anyway); the Admin client's timeouts bound the wait. The retry then
     * dead-letters what the settings read now refuse, instead of finding each such record by a failed transaction.
     */
    void refreshNow() {
        refresh();
    }

    /** Reads every topic's settings; a topic whose settings cannot be read keeps its last values. */
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
                    Config config = entry.getValue().get();
                    int max = Math.min(producerMax, Integer.parseInt(
                            config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value()));
                    if (max != limits.get(topic)) {
                        LOG.info("records to {} are kept under {} bytes", topic, max);
                        changed = true;
                    }
                    limits.put(topic, max);
                    ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
                    boolean compact = policy != null && policy.value() != null
                            && policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT);
                    if (compact ? compacted.add(topic) : compacted.remove(topic)) {
                        LOG.info(compact ? "{} is compacted: valid events without a key go to the DLQ as rejected"
                                : "{} is no longer compacted", topic);
                        changed = true;
                    }
                } catch (Exception e) {
                    unknown = "cannot read the settings of " + topic + " (" + ErrorText.of(e)
                            + "); records to it are kept under " + limits.get(topic) + " bytes";
                    LOG.warn(unknown);
                }
            }
        } catch (RuntimeException e) {
            unknown = "cannot read the topics' settings (" + ErrorText.of(e) + "); Kafka's defaults are assumed";
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

    /** Whether the topic refuses records without a key (as last read). */
    synchronized boolean compacted(String topic) {
        return compacted.contains(topic);
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
