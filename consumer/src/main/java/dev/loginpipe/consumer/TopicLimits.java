package dev.loginpipe.consumer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.loginpipe.common.ErrorText;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The largest record that both the producer and each topic accept ({@code max.request.size}, the topic's
 * {@code max.message.bytes}). Read at start and again whenever a size error says a limit may have changed; while a
 * topic's limit cannot be read, Kafka's default is assumed, and said so in the log and in readiness.
 */
final class TopicLimits {
    private static final Logger LOG = LoggerFactory.getLogger(TopicLimits.class);
    /** Kafka's default for both the producer's max.request.size and a topic's max.message.bytes (about 1 MiB). */
    static final int KAFKA_DEFAULT_MAX_BYTES = 1_048_576;

    private final Properties adminProps;
    private final int producerMax;
    private final List<String> topics;
    private final Map<String, Integer> limits = new HashMap<>();
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

    /** Reads every topic's limit; a topic whose limit cannot be read keeps its last value. */
    synchronized void refresh() {
        List<ConfigResource> resources = topics.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
        String unknown = null;
        try (Admin admin = Admin.create(adminProps)) {
            for (var entry : admin.describeConfigs(resources).values().entrySet()) {
                String topic = entry.getKey().name();
                try {
                    int max = Math.min(producerMax, Integer.parseInt(
                            entry.getValue().get().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value()));
                    if (max != limits.get(topic)) {
                        LOG.info("records to {} are kept under {} bytes", topic, max);
                    }
                    limits.put(topic, max);
                } catch (Exception e) {
                    unknown = "cannot read max.message.bytes of " + topic + " (" + ErrorText.of(e)
                            + "); records to it are kept under " + limits.get(topic) + " bytes";
                    LOG.warn(unknown);
                }
            }
        }
        problem = unknown;
    }

    synchronized int of(String topic) {
        return limits.get(topic);
    }

    /** Null once every limit was read; else which one is assumed. */
    String problem() {
        return problem;
    }
}
