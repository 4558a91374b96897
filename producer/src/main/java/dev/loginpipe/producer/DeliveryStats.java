package dev.loginpipe.producer;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.loginpipe.common.observability.Health;
import dev.loginpipe.common.observability.RateLimitedLog;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.clients.producer.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What became of each send: acknowledged or failed, and how long the broker took. A failure is logged (rate-limited)
 * and counted, never dropped silently. The broker acknowledging turns the service ready; a failure makes it not ready.
 */
public final class DeliveryStats {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryStats.class);

    private final Counter sent;
    private final Counter failed;
    private final Histogram latency;
    private final Health health;
    private final RateLimitedLog failures = new RateLimitedLog(LOG, 10_000);
    private final long startNanos = System.nanoTime();

    public DeliveryStats(PrometheusRegistry registry, Health health) {
        this.health = health;
        this.sent = Counter.builder().name("loginpipe_producer_records_sent_total")
                .help("Records the broker acknowledged (acks=all).").register(registry);
        this.failed = Counter.builder().name("loginpipe_producer_send_failures_total")
                .help("Records that could not be delivered; each one is also logged.").register(registry);
        this.latency = Histogram.builder().name("loginpipe_producer_send_latency_seconds")
                .help("Time from handing a record to the Kafka client to the broker's acknowledgement.")
                .classicOnly().register(registry);
    }

    /** The callback of one send handed to the client now. */
    public Callback callback() {
        long sendNanos = System.nanoTime();
        return (metadata, exception) -> {
            if (exception == null) {
                sent.inc();
                latency.observe((System.nanoTime() - sendNanos) / 1e9);
                health.ready();
            } else {
                failed(exception);
            }
        };
    }

    /** A send that failed, before or after the client took it. */
    public void failed(Exception exception) {
        failed.inc();
        health.notReady("last send failed: " + exception.getClass().getSimpleName());
        failures.warn(exception.getClass().getName(), "send failed: " + exception);
    }

    public long sent() {
        return (long) sent.get();
    }

    public long failed() {
        return (long) failed.get();
    }

    /** One line for people: "sent 1000, failed 0 in 2.0 s (500 events/s)". */
    public String summary() {
        double seconds = (System.nanoTime() - startNanos) / (double) TimeUnit.SECONDS.toNanos(1);
        return String.format(Locale.ROOT, "sent %d, failed %d in %.1f s (%.0f events/s)", sent(), failed(), seconds,
                seconds > 0 ? sent() / seconds : 0.0);
    }
}
