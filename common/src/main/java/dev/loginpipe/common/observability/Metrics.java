package dev.loginpipe.common.observability;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The registry a service exports on {@code /metrics}: its own {@code loginpipe_*} series plus the JVM's. */
public final class Metrics {
    public static final String PREFIX = "loginpipe_";

    private Metrics() {
    }

    public static PrometheusRegistry newRegistry() {
        PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        return registry;
    }
}
