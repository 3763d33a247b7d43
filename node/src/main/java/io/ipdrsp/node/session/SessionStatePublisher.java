package io.ipdrsp.node.session;

import io.ipdrsp.dedup.SessionState;
import io.ipdrsp.dedup.StreamRegistry;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes every session's state to the cluster registry (Hazelcast, {@code /api/exporters}) from its own thread,
 * never from an event loop: a session that changes (records, acks) is published at most once per
 * {@value #INTERVAL_MILLIS} ms, a phase change (SESSION_START/STOP, FLOW_STOP, disconnect) at once, and every session
 * at least every {@value #REFRESH_MILLIS} ms so that the registry's time-to-live does not drop a quiet backup.
 */
public final class SessionStatePublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionStatePublisher.class);
    static final long INTERVAL_MILLIS = 1_000;
    static final long REFRESH_MILLIS = 30_000;

    private final String nodeId;
    private final StreamRegistry registry;
    private final ScheduledExecutorService thread;
    private final Set<Handle> handles = ConcurrentHashMap.newKeySet();

    /** One session of one connection. Its methods are cheap and may be called on an event loop. */
    final class Handle {
        private final Object connection;
        private final ExporterState exporter;
        private final ExporterState.SessionStatus status;
        private final AtomicBoolean urgent = new AtomicBoolean();
        private volatile boolean dirty;
        private volatile boolean closed;
        private long lastPublishedMillis; // publisher thread only

        private Handle(Object connection, ExporterState exporter, ExporterState.SessionStatus status) {
            this.connection = connection;
            this.exporter = exporter;
            this.status = status;
        }

        /** Counters moved: published with the next interval. */
        void changed() {
            dirty = true;
        }

        /** The session's phase changed: published now (on the publisher thread). */
        void phaseChanged() {
            dirty = true;
            if (urgent.compareAndSet(false, true)) {
                run(() -> {
                    urgent.set(false);
                    publish(this, System.currentTimeMillis());
                });
            }
        }

        /** The connection is gone: the session is published IDLE, unless a newer connection of the CMTS took over. */
        void closed() {
            closed = true;
            handles.remove(this);
            run(() -> {
                if (exporter.isCurrent(connection) || exporter.isCurrent(null)) {
                    publish(this, System.currentTimeMillis());
                }
            });
        }
    }

    public SessionStatePublisher(String nodeId, StreamRegistry registry) {
        this.nodeId = nodeId;
        this.registry = registry;
        this.thread = DaemonThreads.single("ipdr-session-publisher");
        thread.scheduleWithFixedDelay(this::publishDue, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    Handle register(Object connection, ExporterState exporter, ExporterState.SessionStatus status) {
        Handle h = new Handle(connection, exporter, status);
        handles.add(h);
        return h;
    }

    private void publishDue() {
        long now = System.currentTimeMillis();
        for (Handle h : handles) {
            if ((h.dirty && now - h.lastPublishedMillis >= INTERVAL_MILLIS)
                    || now - h.lastPublishedMillis >= REFRESH_MILLIS) {
                publish(h, now);
            }
        }
    }

    private void publish(Handle h, long now) {
        h.dirty = false;
        h.lastPublishedMillis = now;
        ExporterState.SessionStatus st = h.status;
        String role = h.closed ? "idle" : st.role();
        try {
            registry.publish(new SessionState(nodeId, h.exporter.name(), st.sessionId, st.name,
                    role.toUpperCase(Locale.ROOT), h.closed ? "" : st.documentId, st.exporterBootTime,
                    st.received.sum(), st.stored.sum(), st.lastAckDsn, st.duplicates.sum(), now, st.configId));
        } catch (RuntimeException e) {
            LOG.debug("{}: cluster registry unavailable: {}", h.exporter.name(), e.toString());
        }
    }

    /** Waits until what was handed to the publisher thread so far has been published (tests, shutdown). */
    void sync() throws Exception {
        thread.submit(() -> { }).get(10, TimeUnit.SECONDS);
    }

    private void run(Runnable r) {
        try {
            thread.execute(r);
        } catch (RejectedExecutionException stopped) {
            // node stopping: the registry entries expire with their time-to-live
        }
    }

    /** Stops publishing; this node's entries expire from the registry with their time-to-live. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
