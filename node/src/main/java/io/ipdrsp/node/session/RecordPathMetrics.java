package io.ipdrsp.node.session;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.util.concurrent.atomic.AtomicInteger;

/** Dropwizard metrics of the record path; exported for Prometheus on the admin port. */
public final class RecordPathMetrics {
    final Meter received;
    final Meter stored;
    final Meter acked;
    final Meter duplicates;
    final Meter bytes;
    final Meter writeFailures;
    final Counter errorsSent;
    final Counter errorsReceived;
    final Counter connections;
    final Counter flowStops;
    final Timer writeLatency;
    final AtomicInteger inFlight = new AtomicInteger();

    public RecordPathMetrics(MetricRegistry registry) {
        String p = "ipdr.records";
        received = registry.meter(p + ".received");
        stored = registry.meter(p + ".stored");
        acked = registry.meter(p + ".acked");
        duplicates = registry.meter(p + ".duplicates");
        bytes = registry.meter(p + ".bytes");
        writeFailures = registry.meter(p + ".write-failures");
        writeLatency = registry.timer(p + ".write-latency");
        registry.register(p + ".in-flight", (Gauge<Integer>) inFlight::get);
        errorsSent = registry.counter("ipdr.protocol.errors-sent");
        errorsReceived = registry.counter("ipdr.protocol.errors-received");
        connections = registry.counter("ipdr.connections.open");
        flowStops = registry.counter("ipdr.flow-stops");
    }

    public int inFlight() {
        return inFlight.get();
    }
}
