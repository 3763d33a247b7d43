package io.ipdrsp.node.api;

import io.ipdrsp.dedup.audit.DocumentFinalizer;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * {@code ipdr_audit_documents_overdue{exporter}}: documents of the CMTSes this node leads that are not final although
 * their trigger (SESSION_STOP 0/2/6, reboot, idle), the grace and three finalizer passes have gone by — each is also
 * logged once by name with why. Read from the finalizer at every scrape; exporters with none have no series. Alert on
 * {@code max by (exporter) (ipdr_audit_documents_overdue) > 0}. Also {@code ipdr_audit_finalization_failures_total}.
 */
public final class AuditMetrics {
    private AuditMetrics() {
    }

    public static void register(PrometheusRegistry registry, AuditServices audit) {
        registry.register(GaugeWithCallback.builder().name("ipdr_audit_documents_overdue")
                .help("documents not final past their finalization trigger + grace + 3 passes, per CMTS this node"
                        + " leads (each is logged by name)")
                .labelNames("exporter").callback(cb -> {
                    DocumentFinalizer f = audit.finalizer();
                    if (f != null) {
                        f.overdueDocuments().forEach((exporter, n) -> cb.call(n, exporter));
                    }
                }).build());
        registry.register(io.prometheus.metrics.core.metrics.CounterWithCallback.builder()
                .name("ipdr_audit_finalization_failures")
                .help("document (or exporter) finalizations that failed on this node; each is retried")
                .callback(cb -> {
                    DocumentFinalizer f = audit.finalizer();
                    cb.call(f == null ? 0 : f.failures());
                }).build());
    }
}
