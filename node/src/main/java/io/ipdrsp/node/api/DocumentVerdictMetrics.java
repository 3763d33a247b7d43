package io.ipdrsp.node.api;

import io.dropwizard.lifecycle.Managed;
import io.ipdrsp.dedup.audit.DocumentFinalizer;
import io.ipdrsp.node.NodeServices;
import io.ipdrsp.node.session.ExporterMetrics;
import io.ipdrsp.node.store.NodeStorage;
import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.AuditStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code ipdr_documents{exporter,verdict}} current: every {@link #REFRESH} (and half a second after this node's
 * finalizer finalized a document) it counts, per exporter, the documents started within the last {@link #WINDOW} whose
 * audit summary ({@code audit_by_day}) is FINAL, by verdict. The numbers come from Cassandra, where the leader of each
 * CMTS writes the verdicts, so every node reports the same cluster-wide numbers whichever node finalized; exporters
 * are the configured ones plus every exporter with audit rows in the window. Runs on its own thread, never on an
 * event loop; a failed read keeps the last values. Managed after {@link AuditServices}, so it is stopped first.
 */
public final class DocumentVerdictMetrics implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(DocumentVerdictMetrics.class);
    /** Documents started this long ago at most are counted. */
    public static final Duration WINDOW = Duration.ofHours(24);
    public static final Duration REFRESH = Duration.ofSeconds(30);

    private final NodeServices services;
    private final AuditServices audit;
    private final ExporterMetrics metrics;
    private final AtomicBoolean soonQueued = new AtomicBoolean();
    private final AtomicLong refreshes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile ScheduledExecutorService scheduler;
    /** Exporters whose series are set (refresher thread only). */
    private Set<String> reported = Set.of();

    public DocumentVerdictMetrics(NodeServices services, AuditServices audit, ExporterMetrics metrics) {
        this.services = services;
        this.audit = audit;
        this.metrics = metrics;
    }

    @Override
    public void start() {
        String node = services.config().getNode().getId();
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ipdr-verdict-metrics-" + node);
            t.setDaemon(true);
            return t;
        });
        scheduler = s;
        s.scheduleWithFixedDelay(this::refreshSafely, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
        DocumentFinalizer f = audit.finalizer();
        if (f != null) {
            f.addFinalizedListener(key -> refreshSoon());
        }
    }

    /** Coalesced refresh shortly after a finalization on this node (its write to audit_by_day has completed). */
    private void refreshSoon() {
        ScheduledExecutorService s = scheduler;
        if (s != null && soonQueued.compareAndSet(false, true)) {
            try {
                s.schedule(() -> {
                    soonQueued.set(false);
                    refreshSafely();
                }, 500, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                soonQueued.set(false);
            }
        }
    }

    private void refreshSafely() {
        try {
            refresh();
            refreshes.incrementAndGet();
        } catch (RuntimeException e) {
            if (failures.getAndIncrement() % 20 == 0) {
                LOG.warn("ipdr_documents not refreshed (keeps the last values): {}", e.toString());
            }
        }
    }

    /** One refresh on the calling thread (blocking Cassandra reads). */
    void refresh() {
        NodeStorage store = services.store();
        if (store == null) {
            return; // not started yet, or stopping
        }
        AuditStore a = store.storage().audit();
        Instant to = Instant.now();
        Instant from = to.minus(WINDOW);
        TreeSet<String> exporters = new TreeSet<>();
        exporters.addAll(services.directory().all());
        exporters.addAll(a.auditedExporters(from, to));
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        for (String exporter : exporters) {
            Map<String, Long> byVerdict = new HashMap<>();
            for (AuditRow r : a.auditByDay(exporter, from, to)) {
                if (DocumentFinalizer.STATE_FINAL.equals(r.state())) {
                    byVerdict.merge(r.verdict(), 1L, Long::sum);
                }
            }
            counts.put(exporter, byVerdict);
        }
        metrics.documents(counts, reported);
        reported = Set.copyOf(counts.keySet());
    }

    /** Successful refreshes so far. */
    public long refreshes() {
        return refreshes.get();
    }

    @Override
    public void stop() throws InterruptedException {
        ScheduledExecutorService s = scheduler;
        scheduler = null;
        if (s != null) {
            s.shutdownNow();
            s.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
