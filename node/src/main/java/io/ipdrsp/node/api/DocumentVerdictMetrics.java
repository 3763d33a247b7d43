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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code ipdr_documents{exporter,verdict}} current: every {@link #REFRESH} it counts, per exporter, the documents
 * started within the last {@link #WINDOW} whose audit summary ({@code audit_by_day}) is FINAL, by verdict; half a
 * second after this node's finalizer finalized documents it counts again for <em>their</em> exporters only. The
 * numbers come from Cassandra, where the leader of each CMTS writes the verdicts, so every node reports the same
 * cluster-wide numbers whichever node finalized; exporters are the configured ones plus every exporter with audit rows
 * in the window. Runs on its own thread, never on an event loop; a failed read keeps the last values. Managed after
 * {@link AuditServices}, so it is stopped first.
 *
 * <p>Why only their exporters: a whole count reads every exporter's summaries of the window (two day partitions
 * each). Done after every finalization, it ran back to back while a 1,000-CMTS fleet's boundary was finalized —
 * about ten {@code audit_by_day} partition reads per finalized document, the most-read table of the run
 * (docs/performance.md "Fleet").
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
    /** Exporters with a finalization on this node since their last count (any thread adds, the refresher takes). */
    private final Set<String> finalizedSince = ConcurrentHashMap.newKeySet();
    /** The counts as last read, per exporter (refresher thread only). */
    private Map<String, Map<String, Long>> counts = new TreeMap<>();
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
        s.scheduleWithFixedDelay(() -> refreshSafely(false), 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
        DocumentFinalizer f = audit.finalizer();
        if (f != null) {
            f.addFinalizedListener(key -> {
                finalizedSince.add(key.exporter());
                refreshSoon();
            });
        }
    }

    /**
     * Coalesced count of the exporters finalized on this node, shortly after (their writes to audit_by_day have
     * completed).
     */
    private void refreshSoon() {
        ScheduledExecutorService s = scheduler;
        if (s != null && soonQueued.compareAndSet(false, true)) {
            try {
                s.schedule(() -> {
                    soonQueued.set(false);
                    refreshSafely(true);
                }, 500, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                soonQueued.set(false);
            }
        }
    }

    private void refreshSafely(boolean finalizedOnly) {
        try {
            if (finalizedOnly) {
                refreshFinalized();
            } else {
                refresh();
            }
            refreshes.incrementAndGet();
        } catch (RuntimeException e) {
            if (failures.getAndIncrement() % 20 == 0) {
                LOG.warn("ipdr_documents not refreshed (keeps the last values): {}", e.toString());
            }
        }
    }

    /** A whole count on the calling thread (blocking Cassandra reads). */
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
        publish(countAgain(a, exporters, new TreeMap<>(), from, to));
    }

    /** Counts again the exporters finalized on this node since their last count; the others keep their numbers. */
    private void refreshFinalized() {
        NodeStorage store = services.store();
        if (store == null || finalizedSince.isEmpty()) {
            return;
        }
        AuditStore a = store.storage().audit();
        Instant to = Instant.now();
        Instant from = to.minus(WINDOW);
        publish(countAgain(a, Set.copyOf(finalizedSince), new TreeMap<>(counts), from, to));
    }

    /**
     * Counts {@code exporters} into {@code into}. They leave {@link #finalizedSince} before their reads (a finalization
     * during a read brings its exporter back for the next count) and return to it when a read fails.
     */
    private Map<String, Map<String, Long>> countAgain(AuditStore a, Set<String> exporters,
            Map<String, Map<String, Long>> into, Instant from, Instant to) {
        Set<String> due = new java.util.HashSet<>(finalizedSince);
        due.retainAll(exporters);
        finalizedSince.removeAll(due);
        try {
            for (String exporter : exporters) {
                into.put(exporter, count(a, exporter, from, to));
            }
            return into;
        } catch (RuntimeException e) {
            finalizedSince.addAll(due);
            throw e;
        }
    }

    private static Map<String, Long> count(AuditStore a, String exporter, Instant from, Instant to) {
        Map<String, Long> byVerdict = new HashMap<>();
        for (AuditRow r : a.auditByDay(exporter, from, to)) {
            if (DocumentFinalizer.STATE_FINAL.equals(r.state())) {
                byVerdict.merge(r.verdict(), 1L, Long::sum);
            }
        }
        return byVerdict;
    }

    private void publish(Map<String, Map<String, Long>> next) {
        metrics.documents(next, reported);
        reported = Set.copyOf(next.keySet());
        counts = next;
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
