package io.ipdrsp.node.api;

import io.dropwizard.core.setup.Environment;
import io.ipdrsp.node.NodeServices;
import io.ipdrsp.node.config.ExporterConfig;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryPoolAllocationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;

/**
 * What the admin port's {@code /prometheus} serves, and the one place that decides it (ops/observability/metrics.yaml
 * catalogues every name; the node's ObservedSeriesTest compares a real scrape with it):
 * <ul>
 * <li>the record path, dedup, cluster and audit metrics ({@code ipdr_*}): Dropwizard counters and gauges, native
 *     histograms in seconds and the labelled per-CMTS metrics;</li>
 * <li>JVM and process metrics under the Prometheus Java client's standard names ({@code jvm_*}, {@code process_*}),
 *     with GC durations as a histogram ({@link JvmGcMetrics});</li>
 * <li>infrastructure without addresses in names: HTTP requests per connector ({@link HttpRequestMetrics}), Jetty's
 *     thread pools and logback's log events by level ({@link InfrastructureMetrics}). Every other Dropwizard metric
 *     (Jetty's per-connector timers named after bind address and port, its summaries) stays in the admin JSON
 *     {@code /metrics} only.</li>
 * </ul>
 */
public final class PrometheusMetrics {
    private PrometheusMetrics() {
    }

    /**
     * Builds the registry, registers the HTTP filters and the GC listener's lifecycle, and serves the registry at
     * {@code /prometheus} on the admin port.
     */
    public static PrometheusRegistry install(Environment env, NodeServices services, AuditServices audit) {
        PrometheusRegistry registry = new PrometheusRegistry();
        DropwizardExports.builder().dropwizardRegistry(env.metrics())
                .metricFilter((name, metric) -> name.startsWith("ipdr.")).register(registry);
        InfrastructureMetrics.register(registry, env.metrics());
        services.metrics().register(registry,
                services.config().getExporters().stream().map(ExporterConfig::getName).toList());
        AuditMetrics.register(registry, audit);
        registerJvm(registry);
        env.lifecycle().manage(JvmGcMetrics.register(registry));
        // first in the chain (refused logins are requests too); REQUEST dispatches only: an error page's dispatch is
        // the same request, counted once
        Histogram http = HttpRequestMetrics.register(registry);
        env.servlets().addFilter("http-metrics", HttpRequestMetrics.on(http, "application"))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        env.admin().addFilter("http-metrics", HttpRequestMetrics.on(http, "admin"))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        env.admin().addServlet("prometheus", new PrometheusMetricsServlet(registry)).addMapping("/prometheus");
        return registry;
    }

    /** jvm_* and process_*: what JvmMetrics registers, except its GC summary (JvmGcMetrics is the histogram). */
    static void registerJvm(PrometheusRegistry registry) {
        JvmThreadsMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        JvmMemoryMetrics.builder().register(registry);
        JvmMemoryPoolAllocationMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
        ProcessMetrics.builder().register(registry);
    }
}
