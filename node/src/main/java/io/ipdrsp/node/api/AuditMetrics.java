package io.ipdrsp.node.api;

import io.ipdrsp.dedup.audit.DocumentFinalizer;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The finalizer's health as native Prometheus metrics, read at every scrape:
 * <ul>
 * <li>{@code ipdr_audit_documents_overdue{exporter}}: per CMTS this node leads, documents not final although their
 *     trigger (SESSION_STOP 0/2/6, reboot, idle), the grace and three finalizer passes have gone by (0 when none; each
 *     is also logged once by name with why). Alert on {@code max by (exporter) (ipdr_audit_documents_overdue) > 0}.</li>
 * <li>{@code ipdr_audit_finalization_failures_total}: document or CMTS finalizations that failed (each is retried).</li>
 * <li>{@code ipdr_audit_pass_documents_total{outcome="read"|"skipped"}}: documents the finalizer's passes read, and
 *     quiet ones they skipped because nothing changed since they were last read and nothing is due. {@code read}
 *     growing with the look-back rather than with the documents under way means the passes read every document
 *     again.</li>
 * </ul>
 */
public final class AuditMetrics {
    private AuditMetrics() {
    }

    /** As the node registers them: from its finalizer, none while it has none (not started, finalize: false). */
    public static void register(PrometheusRegistry registry, AuditServices audit) {
        register(registry, () -> {
            DocumentFinalizer f = audit.finalizer();
            return f == null ? Map.of() : f.overdueByLedExporter();
        }, () -> {
            DocumentFinalizer f = audit.finalizer();
            return f == null ? 0 : f.failures();
        });
        registry.register(CounterWithCallback.builder().name("ipdr_audit_pass_documents")
                .help("documents the finalizer's passes on this node read (outcome=read) or skipped as quiet:"
                        + " unchanged since last read and nothing due (outcome=skipped)")
                .labelNames("outcome")
                .callback(cb -> {
                    DocumentFinalizer f = audit.finalizer();
                    cb.call(f == null ? 0 : f.documentsRead(), "read");
                    cb.call(f == null ? 0 : f.documentsSkipped(), "skipped");
                }).build());
    }

    public static void register(PrometheusRegistry registry, Supplier<Map<String, Integer>> overdueByExporter,
            LongSupplier failures) {
        registry.register(GaugeWithCallback.builder().name("ipdr_audit_documents_overdue")
                .help("documents not final past their finalization trigger + grace + 3 passes, per CMTS this node"
                        + " leads (each is logged by name)")
                .labelNames("exporter")
                .callback(cb -> overdueByExporter.get().forEach((exporter, n) -> cb.call(n, exporter))).build());
        registry.register(CounterWithCallback.builder().name("ipdr_audit_finalization_failures")
                .help("document (or CMTS) finalizations that failed on this node; each is retried")
                .callback(cb -> cb.call(failures.getAsLong())).build());
    }
}
