package dev.loginpipe.common.observability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the cluster every couple of seconds whether it answers and whether the service's topics exist, for
 * readiness: an idle client cannot tell a quiet topic from a dead broker, nor a failed send from a missing topic. While Kafka is out of reach it says so in a rate-limited warning (the clients' own
 * connection warnings are turned off in the services' logging settings).
 */
public final class BrokerProbe implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerProbe.class);
    private static final Duration INTERVAL = Duration.ofSeconds(2);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Admin admin;
    private final String bootstrapServers;
    private final List<String> topics;
    private final ScheduledExecutorService scheduler;
    private final RateLimitedLog warnings = new RateLimitedLog(LOG, 30_000);
    private volatile String problem = "not yet checked";

    private BrokerProbe(Properties adminProps, List<String> topics) {
        this.topics = List.copyOf(topics);
        bootstrapServers = adminProps.getProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        Properties props = new Properties();
        props.putAll(adminProps);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
        admin = Admin.create(props);
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "broker-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts probing with the given admin client settings (bootstrap servers and security) for these topics. */
    public static BrokerProbe start(Properties adminProps, List<String> topics) {
        BrokerProbe probe = new BrokerProbe(adminProps, topics);
        probe.scheduler.scheduleWithFixedDelay(probe::check, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return probe;
    }

    /** Null while the cluster answers; otherwise what is wrong, in a few words. */
    public String problem() {
        return problem;
    }

    private void check() {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
                    .nodes().get(TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            List<String> missing = missingTopics();
            String found = missing.isEmpty() ? null
                    : "topic " + String.join(", ", missing) + " does not exist (create it, e.g. with create-topics.sh)";
            if (found != null) {
                warnings.warn("missing", found + "; waiting for it");
            } else if (problem != null && !problem.equals("not yet checked")) {
                LOG.info("Kafka at {} answers again and has every topic", bootstrapServers);
            }
            problem = found;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            problem = "Kafka at " + bootstrapServers + " does not answer (" + cause.getClass().getSimpleName() + ")";
            warnings.warn("unreachable", problem + "; retrying");
        }
    }

    private List<String> missingTopics() throws InterruptedException {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> e : admin.describeTopics(topics).topicNameValues().entrySet()) {
            try {
                e.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException ex) {
                if (ex.getCause() instanceof UnknownTopicOrPartitionException) {
                    missing.add(e.getKey());
                }
            } catch (TimeoutException ex) {
                // answered by the next check
            }
        }
        return missing;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        admin.close(Duration.ofSeconds(1));
    }
}
