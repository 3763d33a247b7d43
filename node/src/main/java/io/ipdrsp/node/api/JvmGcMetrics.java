package io.ipdrsp.node.api;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.dropwizard.lifecycle.Managed;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * {@code jvm_gc_collection_seconds{gc}} as a histogram of each collection's duration, told by the JVM's GC
 * notifications. The Prometheus Java client's own collector exports that name as a summary of totals; a histogram
 * keeps the name (so {@code _sum} and {@code _count} mean what stock JVM dashboards expect) and adds the distribution,
 * which aggregates across nodes. Stopping removes the listeners (tests run several nodes in one JVM).
 */
public final class JvmGcMetrics implements Managed {
    private static final double[] BUCKETS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Histogram collections = Histogram.builder().name("jvm_gc_collection_seconds").unit(Unit.SECONDS)
            .help("duration of each garbage collection, by collector (from the JVM's GC notifications)")
            .labelNames("gc").classicOnly().classicUpperBounds(BUCKETS).withoutExemplars().build();
    private final NotificationListener listener = this::collected;
    private final List<NotificationEmitter> emitters = new ArrayList<>();

    /** Registers the histogram and starts listening. */
    public static JvmGcMetrics register(PrometheusRegistry registry) {
        JvmGcMetrics m = new JvmGcMetrics();
        registry.register(m.collections);
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            // a 0 series per collector from the start, so that rates are defined before the first collection
            m.collections.labelValues(gc.getName());
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(m.listener, null, null);
                m.emitters.add(e);
            }
        }
        return m;
    }

    private void collected(Notification n, Object handback) {
        if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                    (CompositeData) n.getUserData());
            collections.labelValues(info.getGcName()).observe(info.getGcInfo().getDuration() / 1000.0);
        }
    }

    @Override
    public void start() {
        // listening since register
    }

    @Override
    public void stop() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (ListenerNotFoundException gone) {
                // removed already
            }
        }
        emitters.clear();
    }
}
