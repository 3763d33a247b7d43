package io.ipdrsp.node.session;

import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.protocol.DecoderOptions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live state of one configured CMTS, written by the event loop of its current connection and read by REST and
 * health checks from any thread. Survives reconnects (template history, counters).
 */
public final class ExporterState {
    /** Connection life cycle as shown in {@code /api/exporters}. */
    public enum Link { DISCONNECTED, CONNECTING, HANDSHAKE, CONNECTED }

    /** One session as last seen; fields are updated in place from the event loop. */
    public static final class SessionStatus {
        public final int sessionId;
        volatile String name = "";
        volatile String description = "";
        volatile String state = "OFFERED";
        volatile Boolean primary;
        volatile String documentId = "";
        volatile long exporterBootTime;
        volatile long firstRecordSequenceNumber = -1;
        volatile long droppedRecordCount;
        volatile int configId = -1;
        final LongAdder received = new LongAdder();
        final LongAdder stored = new LongAdder();
        final LongAdder duplicates = new LongAdder();
        volatile long lastAckDsn = -1;
        volatile long lastAckAtMillis;
        volatile long ackedRecords;

        SessionStatus(int sessionId) {
            this.sessionId = sessionId;
        }

        public String role() {
            Boolean p = primary;
            if (!"ACTIVE".equals(state) || p == null) {
                return "idle";
            }
            return p ? "primary" : "backup";
        }

        public SessionView view() {
            return new SessionView(sessionId, name, description, state, role(), documentId, exporterBootTime,
                    firstRecordSequenceNumber, droppedRecordCount, configId, received.sum(), stored.sum(),
                    ackedRecords, duplicates.sum(), lastAckDsn, lastAckAtMillis);
        }
    }

    public record SessionView(int sessionId, String name, String description, String state, String role,
                              String documentId, long exporterBootTime, long firstRecordSequenceNumber,
                              long droppedRecordCount, int configId, long received, long stored, long acked,
                              long duplicates, long lastAckDsn, long lastAckAtMillis) {
    }

    private final ExporterConfig config;
    private final TemplateHistory.Factory historyFactory;
    private final Map<Integer, TemplateHistory> histories = new ConcurrentHashMap<>();
    private final Map<Integer, SessionStatus> sessions = new ConcurrentHashMap<>();
    volatile Link link = Link.DISCONNECTED;
    volatile String remote = "";
    volatile long connectedSinceMillis;
    volatile int capabilities;
    volatile String lastError = "";
    volatile long lastErrorAtMillis;
    final AtomicLong connects = new AtomicLong();
    final LongAdder received = new LongAdder();
    final LongAdder stored = new LongAdder();
    final LongAdder acked = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder errorsSent = new LongAdder();
    final LongAdder errorsReceived = new LongAdder();
    volatile long lastAckAtMillis;

    public ExporterState(ExporterConfig config) {
        this.config = config;
        DecoderOptions opts = DecoderOptions.DEFAULT.withIpv6Raw(config.isIpv6Raw());
        this.historyFactory = () -> new TemplateHistory(opts);
    }

    public ExporterConfig config() {
        return config;
    }

    public String name() {
        return config.getName();
    }

    public Link link() {
        return link;
    }

    TemplateHistory history(int sessionId) {
        return histories.computeIfAbsent(sessionId, id -> historyFactory.create());
    }

    SessionStatus session(int sessionId) {
        return sessions.computeIfAbsent(sessionId, SessionStatus::new);
    }

    public void linkChanged(Link l, String remoteAddress) {
        link = l;
        if (remoteAddress != null) {
            remote = remoteAddress;
        }
        if (l == Link.CONNECTED) {
            connectedSinceMillis = System.currentTimeMillis();
            connects.incrementAndGet();
        }
        if (l == Link.DISCONNECTED) {
            for (SessionStatus s : sessions.values()) {
                s.state = "DISCONNECTED";
            }
        }
    }

    void error(String text) {
        lastError = text;
        lastErrorAtMillis = System.currentTimeMillis();
    }

    /** Snapshot for {@code /api/exporters}. */
    public View view() {
        List<SessionView> s = new TreeMap<>(sessions).values().stream().map(SessionStatus::view).toList();
        String role = s.stream().map(SessionView::role).reduce("idle",
                (a, b) -> a.equals("primary") || b.equals("primary") ? "primary"
                        : a.equals("backup") || b.equals("backup") ? "backup" : "idle");
        String doc = s.stream().filter(v -> !v.documentId().isEmpty()).map(SessionView::documentId).findFirst()
                .orElse("");
        long lastAck = s.stream().mapToLong(SessionView::lastAckDsn).max().orElse(-1);
        return new View(config.getName(), config.getAddress(), config.getPort(),
                config.getDirection().name().toLowerCase(java.util.Locale.ROOT), link.name(), remote,
                connectedSinceMillis, capabilities, role, doc, received.sum(), stored.sum(), acked.sum(),
                duplicates.sum(), lastAck, lastAckAtMillis, errorsSent.sum(), errorsReceived.sum(), lastError, s);
    }

    public record View(String name, String address, int port, String direction, String connection, String remote,
                       long connectedSinceMillis, int capabilities, String role, String documentId, long received,
                       long stored, long acked, long duplicates, long lastAckDsn, long lastAckAtMillis,
                       long errorsSent, long errorsReceived, String lastError, List<SessionView> sessions) {
    }
}
