package io.ipdrsp.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * One IPDR/SP session of a CMTS.
 *
 * @param sessionId           1..255
 * @param name                what GET_SESSIONS_RESPONSE reports
 * @param template            a built-in ({@code SAMIS-TYPE-1}, {@code CMTS-CM-REG-STATUS-TYPE}, {@code CPE-TYPE})
 *                            or the name of a template defined in the scenario
 * @param type                collection method
 * @param interval            document length of a time-interval session; repeat period of an ad-hoc one (null = once)
 * @param stopReason          SESSION_STOP reason at an interval boundary (6 or 0)
 * @param rate                records per second; 0 or less = as fast as acks allow (load mode)
 * @param ackSequenceInterval most DATA messages that may be unacknowledged
 * @param ackTimeInterval     seconds within which an ack must arrive while data is unacknowledged
 * @param records             ad-hoc: records per export; other types: stop generating after this many (-1 = no cap)
 * @param preEncoded          load mode: cycle through a pool of pre-encoded records instead of building each one
 * @param documentIds         how this session's documentIds are made; null = the CMTS's {@link CmtsSpec#documentIds}
 * @param window              most DATA messages that may be unacknowledged when it differs from ackSequenceInterval
 *                            (0 = ackSequenceInterval): the reference exporter's window, e.g. 1,000,000 records
 *                            outstanding while SESSION_START still asks for an ack every 50 ({@link #sendWindow()})
 * @param aligned             time-interval: boundaries on multiples of the interval on the wall clock (a real CMTS's
 *                            quarter hours), so every session of a fleet starts a new document at the same moment;
 *                            false: every interval after the session's own start
 */
public record SessionSpec(int sessionId, String name, String template, SessionType type, Duration interval,
        int stopReason, double rate, int ackSequenceInterval, int ackTimeInterval, long records,
        boolean preEncoded, DocumentIdKind documentIds, int window, boolean aligned) {
    public SessionSpec {
        if (sessionId < 1 || sessionId > 255) {
            throw new IllegalArgumentException("sessionId must be 1..255: " + sessionId);
        }
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(type, "type");
        if (name == null || name.isBlank()) {
            name = "session-" + sessionId;
        }
        if (type == SessionType.TIME_INTERVAL && (interval == null || interval.isNegative() || interval.isZero())) {
            throw new IllegalArgumentException("a time-interval session needs an interval > 0");
        }
        if (ackSequenceInterval < 1) {
            throw new IllegalArgumentException("ackSequenceInterval must be >= 1: " + ackSequenceInterval);
        }
        if (ackTimeInterval < 1) {
            throw new IllegalArgumentException("ackTimeInterval must be >= 1 s: " + ackTimeInterval);
        }
        if (type == SessionType.AD_HOC && records < 1) {
            throw new IllegalArgumentException("an ad-hoc session needs records >= 1");
        }
        if (window < 0) {
            throw new IllegalArgumentException("window must be >= 0 (0: ackSequenceInterval): " + window);
        }
    }

    /** With the ack window as the send window. */
    public SessionSpec(int sessionId, String name, String template, SessionType type, Duration interval,
            int stopReason, double rate, int ackSequenceInterval, int ackTimeInterval, long records,
            boolean preEncoded, DocumentIdKind documentIds) {
        this(sessionId, name, template, type, interval, stopReason, rate, ackSequenceInterval, ackTimeInterval,
                records, preEncoded, documentIds, 0, false);
    }

    /** With the ack window as the send window, boundaries aligned or not. */
    public SessionSpec(int sessionId, String name, String template, SessionType type, Duration interval,
            int stopReason, double rate, int ackSequenceInterval, int ackTimeInterval, long records,
            boolean preEncoded, DocumentIdKind documentIds, boolean aligned) {
        this(sessionId, name, template, type, interval, stopReason, rate, ackSequenceInterval, ackTimeInterval,
                records, preEncoded, documentIds, 0, aligned);
    }

    /** With the CMTS's documentId kind. */
    public SessionSpec(int sessionId, String name, String template, SessionType type, Duration interval,
            int stopReason, double rate, int ackSequenceInterval, int ackTimeInterval, long records,
            boolean preEncoded) {
        this(sessionId, name, template, type, interval, stopReason, rate, ackSequenceInterval, ackTimeInterval,
                records, preEncoded, null);
    }

    /** An event session of {@code template} at 100 records/s with Arris default acks (200 / 60 s). */
    public static SessionSpec event(int sessionId, String template) {
        return new SessionSpec(sessionId, null, template, SessionType.EVENT, null, 6, 100, 200, 60, -1, false);
    }

    public static SessionSpec timeInterval(int sessionId, String template, Duration interval) {
        return new SessionSpec(sessionId, null, template, SessionType.TIME_INTERVAL, interval, 6, 100, 200, 60, -1,
                false);
    }

    public static SessionSpec adHoc(int sessionId, String template, long records) {
        return new SessionSpec(sessionId, null, template, SessionType.AD_HOC, null, 0, 100, 200, 60, records, false);
    }

    public SessionSpec withName(String n) {
        return new SessionSpec(sessionId, n, template, type, interval, stopReason, rate, ackSequenceInterval,
                ackTimeInterval, records, preEncoded, documentIds, window, aligned);
    }

    public SessionSpec withRate(double recordsPerSecond) {
        return new SessionSpec(sessionId, name, template, type, interval, stopReason, recordsPerSecond,
                ackSequenceInterval, ackTimeInterval, records, preEncoded, documentIds, window, aligned);
    }

    public SessionSpec withAcks(int sequenceInterval, int timeIntervalSeconds) {
        return new SessionSpec(sessionId, name, template, type, interval, stopReason, rate, sequenceInterval,
                timeIntervalSeconds, records, preEncoded, documentIds, window, aligned);
    }

    public SessionSpec withRecords(long n) {
        return new SessionSpec(sessionId, name, template, type, interval, stopReason, rate, ackSequenceInterval,
                ackTimeInterval, n, preEncoded, documentIds, window, aligned);
    }

    public SessionSpec withInterval(Duration d) {
        return new SessionSpec(sessionId, name, template, type, d, stopReason, rate, ackSequenceInterval,
                ackTimeInterval, records, preEncoded, documentIds, window, aligned);
    }

    public SessionSpec withStopReason(int reason) {
        return new SessionSpec(sessionId, name, template, type, interval, reason, rate, ackSequenceInterval,
                ackTimeInterval, records, preEncoded, documentIds, window, aligned);
    }

    public SessionSpec withDocumentIds(DocumentIdKind kind) {
        return new SessionSpec(sessionId, name, template, type, interval, stopReason, rate, ackSequenceInterval,
                ackTimeInterval, records, preEncoded, kind, window, aligned);
    }

    /** Load mode: unlimited rate, pre-encoded records. */
    public SessionSpec asLoad() {
        return new SessionSpec(sessionId, name, template, type, interval, stopReason, 0, ackSequenceInterval,
                ackTimeInterval, records, true, documentIds, window, aligned);
    }

    /** Time-interval boundaries on the wall clock's multiples of the interval (see {@code aligned}). */
    public SessionSpec withAlignedBoundaries(boolean on) {
        return new SessionSpec(sessionId, name, template, type, interval, stopReason, rate, ackSequenceInterval,
                ackTimeInterval, records, preEncoded, documentIds, window, on);
    }

    /**
     * At most {@code n} DATA messages unacknowledged (0: ackSequenceInterval, the default). SESSION_START and
     * GET_SESSIONS_RESPONSE still announce ackSequenceInterval.
     */
    public SessionSpec withWindow(int n) {
        return new SessionSpec(sessionId, name, template, type, interval, stopReason, rate, ackSequenceInterval,
                ackTimeInterval, records, preEncoded, documentIds, n, aligned);
    }

    /** How many DATA messages may be unacknowledged: {@code window}, or ackSequenceInterval when it is 0. */
    public int sendWindow() {
        return window > 0 ? window : ackSequenceInterval;
    }

    boolean unlimited() {
        return rate <= 0;
    }
}
