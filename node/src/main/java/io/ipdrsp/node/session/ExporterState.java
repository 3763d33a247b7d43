package io.ipdrsp.node.session;

import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.protocol.DecoderOptions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The live state of one configured CMTS, written by the event loop of its current connection and read by REST and
 * health checks from any thread. Survives reconnects (template history, counters, protocol-failure back-off).
 *
 * <p>The link state belongs to one connection at a time: a connection {@link #attach attaches} when it comes up and
 * only the attached one may change or {@link #detach} it, so the late close of a replaced connection cannot mark a
 * CMTS with a live session DISCONNECTED.
 */
public final class ExporterState {
    /** Connection life cycle as shown in {@code /api/exporters}. */
    public enum Link { DISCONNECTED, CONNECTING, HANDSHAKE, CONNECTED }

    /** One session as last seen; fields are updated in place by {@link SessionCounters} on the event loop. */
    public static final class SessionStatus {
        public final int sessionId;
        volatile String name = "";
        volatile String description = "";
        volatile String state = "OFFERED";
        volatile Boolean primary;
        /** DATA arrived in the current SESSION_START..SESSION_STOP stretch (whatever its primary flag said). */
        volatile boolean receivingData;
        volatile String documentId = "";
        volatile long exporterBootTime;
        volatile long firstRecordSequenceNumber = -1;
        volatile long droppedRecordCount;
        volatile int configId = -1;
        final LongAdder received = new LongAdder();
        final LongAdder stored = new LongAdder();
        final LongAdder duplicates = new LongAdder();
        /** Records below firstRecordSequenceNumber that were first sends, not re-sends (not duplicates). */
        final LongAdder firstSendsBelowFirstRecordSequence = new LongAdder();
        final LongAdder acked = new LongAdder();
        volatile long lastAckDsn = -1;
        volatile long lastAckAtMillis;

        SessionStatus(int sessionId) {
            this.sessionId = sessionId;
        }

        /**
         * primary: this node receives the session's data stream — told {@code primary=true}, or DATA arrived on a
         * {@code primary=false} stretch (the vendor guide's failover hands the stream to a standby that way, digest
         * §1.9: the flag names the configured primary, not who gets the data); backup: started with
         * {@code primary=false} and no DATA yet (a standby told of the document); idle: no started session.
         */
        public String role() {
            Boolean p = primary;
            if (!"ACTIVE".equals(state) || p == null) {
                return "idle";
            }
            return p || receivingData ? "primary" : "backup";
        }

        public SessionView view() {
            return new SessionView(sessionId, name, description, state, role(), documentId, exporterBootTime,
                    firstRecordSequenceNumber, droppedRecordCount, configId, received.sum(), stored.sum(),
                    acked.sum(), duplicates.sum(), firstSendsBelowFirstRecordSequence.sum(), lastAckDsn,
                    instant(lastAckAtMillis));
        }
    }

    public record SessionView(int sessionId, String name, String description, String state, String role,
                              String documentId, long exporterBootTime, long firstRecordSequenceNumber,
                              long droppedRecordCount, int configId, long received, long stored, long acked,
                              long duplicates, long firstSendsBelowFirstRecordSequence, long lastAckDsn,
                              Instant lastAckAt) {
    }

    /** A wall-clock time in millis as shown (ISO-8601 in JSON), null for 0 (never). */
    static Instant instant(long epochMillis) {
        return epochMillis == 0 ? null : Instant.ofEpochMilli(epochMillis);
    }

    private final ExporterConfig config;
    private final DecoderOptions decoderOptions;
    private final Map<Integer, TemplateHistory> histories = new ConcurrentHashMap<>();
    private final Map<Integer, SessionStatus> sessions = new ConcurrentHashMap<>();
    private final AtomicReference<Object> connection = new AtomicReference<>();
    private final ProtocolFailures failures;
    volatile Link link = Link.DISCONNECTED;
    volatile String remote = "";
    volatile long connectedSinceMillis;
    volatile int capabilities;
    private volatile String lastError = "";
    final AtomicLong connects = new AtomicLong();
    final LongAdder errorsSent = new LongAdder();
    final LongAdder errorsReceived = new LongAdder();

    public ExporterState(ExporterConfig config) {
        this(config, System::nanoTime);
    }

    /** @param nanoClock the clock of the protocol-failure back-off (tests move their own) */
    ExporterState(ExporterConfig config, LongSupplier nanoClock) {
        this.config = config;
        this.decoderOptions = DecoderOptions.DEFAULT.withIpv6Raw(config.isIpv6Raw());
        this.failures = new ProtocolFailures(config.getName(), nanoClock);
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

    /** Repeated protocol failures of this CMTS and the back-off they impose. */
    public ProtocolFailures failures() {
        return failures;
    }

    TemplateHistory history(int sessionId) {
        return histories.computeIfAbsent(sessionId, id -> new TemplateHistory(decoderOptions));
    }

    SessionStatus session(int sessionId) {
        return sessions.computeIfAbsent(sessionId, SessionStatus::new);
    }

    /** A connection to this CMTS came up: from now on it owns the link state (HANDSHAKE). */
    void attach(Object conn, String remoteAddress) {
        connection.set(conn);
        linkChanged(Link.HANDSHAKE, remoteAddress);
    }

    /** The link state of {@code conn}; ignored unless {@code conn} is the attached connection. */
    void linkChanged(Object conn, Link l, String remoteAddress) {
        if (connection.get() == conn) {
            linkChanged(l, remoteAddress);
        }
    }

    /** {@code conn} closed: DISCONNECTED, unless another connection has replaced it meanwhile. */
    void detach(Object conn) {
        if (connection.compareAndSet(conn, null)) {
            linkChanged(Link.DISCONNECTED, null);
            for (SessionStatus s : sessions.values()) {
                s.state = "DISCONNECTED";
            }
        }
    }

    /** Whether {@code conn} is the connection that owns the link state now. */
    boolean isCurrent(Object conn) {
        return connection.get() == conn;
    }

    /** Dialing (or a dial failed) while no connection is up: CONNECTING / DISCONNECTED. */
    public void dialing(boolean inProgress) {
        if (connection.get() == null) {
            linkChanged(inProgress ? Link.CONNECTING : Link.DISCONNECTED, null);
        }
    }

    private void linkChanged(Link l, String remoteAddress) {
        link = l;
        if (remoteAddress != null) {
            remote = remoteAddress;
        }
        if (l == Link.CONNECTED) {
            connectedSinceMillis = System.currentTimeMillis();
            connects.incrementAndGet();
        }
    }

    /** The latest problem, shown as {@code lastError} (behind an active protocol-failure alarm). */
    public void error(String text) {
        lastError = text;
    }

    private String lastErrorShown() {
        String alarm = failures.alarm();
        return alarm == null ? lastError : alarm + " | last: " + lastError;
    }

    /** An ERROR was sent to this CMTS. */
    public void errorSent(String text) {
        errorsSent.increment();
        error(text);
    }

    /** Snapshot for {@code /api/exporters}. Per-exporter totals are the sums over its sessions. */
    public View view() {
        List<SessionView> s = new TreeMap<>(sessions).values().stream().map(SessionStatus::view).toList();
        String role = s.stream().map(SessionView::role).reduce("idle",
                (a, b) -> a.equals("primary") || b.equals("primary") ? "primary"
                        : a.equals("backup") || b.equals("backup") ? "backup" : "idle");
        String doc = s.stream().filter(v -> !v.documentId().isEmpty()).map(SessionView::documentId).findFirst()
                .orElse("");
        long lastAck = s.stream().mapToLong(SessionView::lastAckDsn).max().orElse(-1);
        Instant lastAckAt = s.stream().map(SessionView::lastAckAt).filter(java.util.Objects::nonNull)
                .max(java.util.Comparator.naturalOrder()).orElse(null);
        return new View(config.getName(), config.getAddress(), config.getPort(),
                config.getDirection().name().toLowerCase(java.util.Locale.ROOT), link.name(), remote,
                instant(connectedSinceMillis), capabilities, role, doc, s.stream().mapToLong(SessionView::received).sum(),
                s.stream().mapToLong(SessionView::stored).sum(), s.stream().mapToLong(SessionView::acked).sum(),
                s.stream().mapToLong(SessionView::duplicates).sum(), lastAck, lastAckAt, errorsSent.sum(),
                errorsReceived.sum(), lastErrorShown(), s);
    }

    public record View(String name, String address, int port, String direction, String connection, String remote,
                       Instant connectedSince, int capabilities, String role, String documentId, long received,
                       long stored, long acked, long duplicates, long lastAckDsn, Instant lastAckAt,
                       long errorsSent, long errorsReceived, String lastError, List<SessionView> sessions) {
    }
}
