package dev.loginpipe.common.observability;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the cluster every couple of seconds whether it answers, for readiness: an idle client cannot tell a quiet
 * topic from a dead broker. While Kafka is out of reach it says so in a rate-limited warning (the clients' own
 * connection warnings are turned off in the services' logging settings).
 */
public final class BrokerProbe implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerProbe.class);
    private static final Duration INTERVAL = Duration.ofSeconds(2);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Admin admin;
    private final String bootstrapServers;
    private final ScheduledExecutorService scheduler;
    private final RateLimitedLog warnings = new RateLimitedLog(LOG, 30_000);
    private volatile String problem = "not yet checked";

    private BrokerProbe(Properties adminProps) {
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

    /** Starts probing with the given admin client settings (bootstrap servers and security). */
    public static BrokerProbe start(Properties adminProps) {
        BrokerProbe probe = new BrokerProbe(adminProps);
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
            if (problem != null && !problem.equals("not yet checked")) {
                LOG.info("Kafka at {} answers again", bootstrapServers);
            }
            problem = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            problem = "Kafka at " + bootstrapServers + " does not answer (" + cause.getClass().getSimpleName() + ")";
            warnings.warn("unreachable", problem + "; retrying");
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        admin.close(Duration.ofSeconds(1));
    }
}
