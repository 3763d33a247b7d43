package io.ipdrsp.node.session;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.ipdrsp.dedup.ConflictAlarm;
import io.ipdrsp.dedup.DedupMetrics;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;

/**
 * The record path's and dedup's metrics, exported for Prometheus on the admin port; every name is catalogued in
 * {@code ops/observability/metrics.yaml}. Counts and gauges are Dropwizard metrics (also in the admin JSON
 * {@code /metrics}): a Meter or a Counter that only goes up becomes a Prometheus counter ({@code _total}), a value that
 * goes up and down is a Gauge. Latencies are native Prometheus histograms in seconds (a Dropwizard Timer would be a
 * summary, whose quantiles cannot be aggregated across nodes), and the failover and integrity counts are labelled by
 * CMTS, also native: {@link #register}. The labelled per-CMTS session metrics are {@link #exporters()}.
 */
public final class RecordPathMetrics {
    /** Receipt → durable write: 1 ms … 30 s (a write is retried until storage.stopFlowAfterSeconds). */
    static final double[] WRITE_BUCKETS = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30};
    /** Failover SESSION_START → first durable record: 50 ms … 2 min. */
    static final double[] TAKEOVER_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

    final Meter received;
    final Meter stored;
    final Meter acked;
    /** Every record received again: D flag, below firstRecordSequenceNumber, or found already stored by dedup. */
    final Meter duplicates;
    /** Dedup outcomes: the same bytes were already stored / different bytes were (integrity alarm). */
    final Meter duplicateOutcomes;
    final Meter conflictOutcomes;
    final Meter bytes;
    final Meter writeFailures;
    final Counter errorsReceived;
    /** CMTS connections open now: counted up and down, exported as the gauge {@code ipdr_connections_open}. */
    final Counter connections = new Counter();
    final Counter flowStops;
    final Histogram writeLatency = Histogram.builder().name("ipdr_records_write_latency_seconds").unit(Unit.SECONDS)
            .help("time from a record's receipt to its durable write, which gates the DATA_ACK")
            .classicOnly().classicUpperBounds(WRITE_BUCKETS).withoutExemplars().build();
    /** Failover SESSION_START on this node → its first durable record of that document (dedup measures it). */
    final Histogram takeover = Histogram.builder().name("ipdr_failover_takeover_seconds").unit(Unit.SECONDS)
            .help("takeover time: failover SESSION_START on the new primary to its first durable record")
            .classicOnly().classicUpperBounds(TAKEOVER_BUCKETS).withoutExemplars().build();
    final AtomicInteger inFlight = new AtomicInteger();
    /** Labelled per-CMTS/session metrics (native Prometheus; registered by {@link #register}). */
    final ExporterMetrics exporters = new ExporterMetrics();
    private volatile DedupMetrics dedup;
    private final MetricRegistry registry;

    public RecordPathMetrics(MetricRegistry registry) {
        this.registry = registry;
        String p = "ipdr.records";
        received = registry.meter(p + ".received");
        stored = registry.meter(p + ".stored");
        acked = registry.meter(p + ".acked");
        duplicates = registry.meter(p + ".duplicates");
        duplicateOutcomes = registry.meter(p + ".already-stored");
        conflictOutcomes = registry.meter(p + ".conflicts");
        bytes = registry.meter(p + ".received-bytes");
        writeFailures = registry.meter(p + ".write-failures");
        registry.register(p + ".in-flight", (Gauge<Integer>) inFlight::get);
        errorsReceived = registry.counter("ipdr.protocol.errors-received");
        registry.register("ipdr.connections.open", (Gauge<Long>) connections::getCount);
        flowStops = registry.counter("ipdr.flow-stops");
        dedupCounter(registry, "ipdr.dedup.duplicates-flagged", DedupMetrics::duplicatesFlagged);
        dedupCounter(registry, "ipdr.dedup.duplicates-unflagged", DedupMetrics::duplicatesUnflagged);
        dedupCounter(registry, "ipdr.dedup.late-duplicates", DedupMetrics::lateDuplicates);
        dedupCounter(registry, "ipdr.dedup.plain-writes", DedupMetrics::plainWrites);
        dedupCounter(registry, "ipdr.dedup.checked-writes", DedupMetrics::checkedWrites);
        dedupCounter(registry, "ipdr.dedup.checked-absent", DedupMetrics::checkedAbsent);
        dedupCounter(registry, "ipdr.dedup.range-flush-failures", DedupMetrics::rangeFlushFailures);
        dedupCounter(registry, "ipdr.dedup.rebuilds", DedupMetrics::rebuilds);
    }

    /** Reads dedup's counters from now on (0 before) and feeds its takeover times to the takeover histogram. */
    public void bind(DedupMetrics m) {
        dedup = m;
        m.onTakeover(ms -> takeover.observe(ms / 1000.0));
    }

    /**
     * Adds the native metrics to the registry the admin {@code /prometheus} serves (once): the two histograms, the
     * labelled session metrics, and {@code ipdr_failovers_total{exporter}} and
     * {@code ipdr_integrity_alarms_total{exporter,kind}} read from dedup at each scrape. Those two carry a 0 series for
     * every configured CMTS from the start, so that {@code increase()} sees the first failover or alarm (a series that
     * appears at 1 has no increase).
     */
    public void register(PrometheusRegistry registry, Collection<String> configuredExporters) {
        List<String> configured = List.copyOf(new TreeSet<>(configuredExporters));
        registry.register(writeLatency);
        registry.register(takeover);
        exporters.register(registry);
        registry.register(CounterWithCallback.builder().name("ipdr_failovers")
                .help("first durable record of a stretch started as primary on this node, for a session of the CMTS"
                        + " whose previous primary (the last node to store its data as primary) was another node")
                .labelNames("exporter").callback(cb -> {
                    DedupMetrics m = dedup;
                    Map<String, Long> counts = withZeros(configured, m == null ? Map.of() : m.failoversByExporter());
                    counts.forEach((exporter, n) -> cb.call(n, exporter));
                }).build());
        registry.register(CounterWithCallback.builder().name("ipdr_integrity_alarms")
                .help("record numbers of the CMTS stored in differing versions whose alarm this node raised (once in"
                        + " the cluster), by how the conflict was found (kind: read_back, document_check)")
                .labelNames("exporter", "kind").callback(cb -> {
                    DedupMetrics m = dedup;
                    Map<String, Map<ConflictAlarm.Found, Long>> counts = new TreeMap<>();
                    configured.forEach(e -> counts.put(e, Map.of()));
                    if (m != null) {
                        counts.putAll(m.integrityAlarmsByExporter());
                    }
                    counts.forEach((exporter, byKind) -> {
                        for (ConflictAlarm.Found f : ConflictAlarm.Found.values()) {
                            cb.call(byKind.getOrDefault(f, 0L), exporter, f.label());
                        }
                    });
                }).build());
    }

    private static Map<String, Long> withZeros(List<String> configured, Map<String, Long> counts) {
        Map<String, Long> out = new TreeMap<>();
        configured.forEach(e -> out.put(e, 0L));
        out.putAll(counts);
        return out;
    }

    /** A Dropwizard Counter (exported as {@code <name>_total}) whose value is one of dedup's monotonic counters. */
    /**
     * {@code ipdr_metadata_writes_pending}: the session layer's metadata writes (segment starts and stops, document
     * rows, templates, segment progress) asked for and not stored yet. A backlog delays what the audit sees: no
     * document is finalized before its SESSION_STOP's segment row is stored (docs/performance.md "Fleet").
     */
    public void metadataWritesPending(java.util.function.IntSupplier pending) {
        registry.remove("ipdr.metadata.writes-pending"); // a restarted session layer replaces the last one's
        registry.register("ipdr.metadata.writes-pending", (Gauge<Integer>) pending::getAsInt);
    }

    private void dedupCounter(MetricRegistry registry, String name, ToLongFunction<DedupMetrics> value) {
        registry.register(name, new Counter() {
            @Override
            public long getCount() {
                DedupMetrics m = dedup;
                return m == null ? 0 : value.applyAsLong(m);
            }

            @Override
            public void inc(long n) {
                throw new UnsupportedOperationException(name + " is read from dedup");
            }

            @Override
            public void dec(long n) {
                throw new UnsupportedOperationException(name + " is read from dedup");
            }
        });
    }

    /** The labelled metrics of the CMTS sessions. */
    public ExporterMetrics exporters() {
        return exporters;
    }

    public int inFlight() {
        return inFlight.get();
    }
}
