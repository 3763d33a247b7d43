package io.ipdrsp.node.api;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;

/**
 * Dropwizard's Jetty thread-pool gauges and logback event meters under Prometheus names with the varying part as a
 * label, read from the Dropwizard registry at each scrape:
 * <ul>
 * <li>{@code jetty_thread_pool_threads{pool}}, {@code jetty_thread_pool_utilization_ratio{pool}} (busy threads / max),
 *     {@code jetty_thread_pool_queued_jobs{pool}}: pool {@code dw} serves the API, {@code dw-admin} the admin port;</li>
 * <li>{@code logback_appender_total{level}}: log events by level ({@code all}, {@code error}, {@code warn}, …).</li>
 * </ul>
 * Dropwizard names each pool's metric apart ({@code org.eclipse.jetty.util.thread.QueuedThreadPool.dw.size}); one
 * Prometheus metric per quantity with a label is what aggregates and what dashboards expect.
 */
final class InfrastructureMetrics {
    private static final String POOL = "org.eclipse.jetty.util.thread.QueuedThreadPool.";
    private static final String LOG_EVENTS = "ch.qos.logback.core.Appender.";

    private InfrastructureMetrics() {
    }

    static void register(PrometheusRegistry registry, MetricRegistry dropwizard) {
        pool(registry, dropwizard, "jetty_thread_pool_threads", "size", "threads in the Jetty thread pool");
        pool(registry, dropwizard, "jetty_thread_pool_utilization_ratio", "utilization",
                "busy threads / maximum threads of the Jetty thread pool");
        pool(registry, dropwizard, "jetty_thread_pool_queued_jobs", "jobs", "jobs waiting for a Jetty pool thread");
        registry.register(CounterWithCallback.builder().name("logback_appender")
                .help("log events by level (all = every event)").labelNames("level").callback(cb -> {
                    for (Map.Entry<String, Meter> e : dropwizard.getMeters(
                            (name, m) -> name.startsWith(LOG_EVENTS)).entrySet()) {
                        cb.call(e.getValue().getCount(), e.getKey().substring(LOG_EVENTS.length()));
                    }
                }).build());
    }

    /** One gauge over every pool's {@code POOL + <pool> + "." + quantity}. */
    private static void pool(PrometheusRegistry registry, MetricRegistry dropwizard, String name, String quantity,
            String help) {
        String suffix = "." + quantity;
        registry.register(GaugeWithCallback.builder().name(name).help(help + " (pool dw: API, dw-admin: admin port)")
                .labelNames("pool").callback(cb -> {
                    for (Map.Entry<String, Gauge> e : dropwizard.getGauges(
                            (n, m) -> n.startsWith(POOL) && n.endsWith(suffix)).entrySet()) {
                        String pool = e.getKey().substring(POOL.length(), e.getKey().length() - suffix.length());
                        if (!pool.contains(".") && e.getValue().getValue() instanceof Number v) {
                            cb.call(v.doubleValue(), pool);
                        }
                    }
                }).build());
    }
}
