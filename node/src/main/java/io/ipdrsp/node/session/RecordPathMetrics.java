package io.ipdrsp.node.session;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.ipdrsp.dedup.DedupMetrics;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;

/**
 * Dropwizard metrics of the record path and of dedup; exported for Prometheus on the admin port. Every name here is
 * catalogued in {@code ops/observability/metrics.yaml} (status exported), which ops/helm-check compares with a scrape.
 * The labelled per-CMTS metrics are native Prometheus metrics: {@link #exporters()}.
 */
public final class RecordPathMetrics {
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
    final Counter connections;
    final Counter flowStops;
    final Timer writeLatency;
    /** Failover SESSION_START on this node → its first durable record of that document (dedup measures it). */
    final Timer takeover;
    final AtomicInteger inFlight = new AtomicInteger();
    /** Labelled per-CMTS/session metrics (native Prometheus; registered by the node next to DropwizardExports). */
    final ExporterMetrics exporters = new ExporterMetrics();
    private volatile DedupMetrics dedup;

    public RecordPathMetrics(MetricRegistry registry) {
        String p = "ipdr.records";
        received = registry.meter(p + ".received");
        stored = registry.meter(p + ".stored");
        acked = registry.meter(p + ".acked");
        duplicates = registry.meter(p + ".duplicates");
        duplicateOutcomes = registry.meter(p + ".already-stored");
        conflictOutcomes = registry.meter(p + ".conflicts");
        bytes = registry.meter(p + ".bytes");
        writeFailures = registry.meter(p + ".write-failures");
        writeLatency = registry.timer(p + ".write-latency");
        registry.register(p + ".in-flight", (Gauge<Integer>) inFlight::get);
        errorsReceived = registry.counter("ipdr.protocol.errors-received");
        connections = registry.counter("ipdr.connections.open");
        flowStops = registry.counter("ipdr.flow-stops");
        takeover = registry.timer("ipdr.failover.takeover");
        dedupCounter(registry, "ipdr.integrity.alarms", DedupMetrics::integrityAlarms);
        dedupCounter(registry, "ipdr.failovers", DedupMetrics::failoversObserved);
        dedupCounter(registry, "ipdr.dedup.duplicates-flagged", DedupMetrics::duplicatesFlagged);
        dedupCounter(registry, "ipdr.dedup.duplicates-unflagged", DedupMetrics::duplicatesUnflagged);
        dedupCounter(registry, "ipdr.dedup.late-duplicates", DedupMetrics::lateDuplicates);
        dedupCounter(registry, "ipdr.dedup.plain-writes", DedupMetrics::plainWrites);
        dedupCounter(registry, "ipdr.dedup.checked-writes", DedupMetrics::checkedWrites);
        dedupCounter(registry, "ipdr.dedup.checked-absent", DedupMetrics::checkedAbsent);
        dedupCounter(registry, "ipdr.dedup.range-flush-failures", DedupMetrics::rangeFlushFailures);
        dedupCounter(registry, "ipdr.dedup.rebuilds", DedupMetrics::rebuilds);
    }

    /** Reads dedup's counters from now on (0 before) and feeds its takeover times to {@code ipdr.failover.takeover}. */
    public void bind(DedupMetrics m) {
        dedup = m;
        m.onTakeover(ms -> takeover.update(ms, TimeUnit.MILLISECONDS));
    }

    /** A Dropwizard Counter (exported as {@code <name>_total}) whose value is one of dedup's monotonic counters. */
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

    /** The labelled metrics; {@link ExporterMetrics#register} them in the registry that /prometheus serves. */
    public ExporterMetrics exporters() {
        return exporters;
    }

    public int inFlight() {
        return inFlight.get();
    }
}
