package io.ipdrsp.node.session;

/**
 * When to send DATA_ACK and with which DSN, for one document stretch (SESSION_START..SESSION_STOP). Pure logic on
 * an injected clock (every method takes "now"); the owner calls it from one thread (the connection's event loop).
 *
 * <p>Records are numbered in arrival order ("tickets"). The ack point is the highest DSN among the longest prefix
 * of arrivals whose writes have all succeeded — never a record whose write is pending or failed, even when later
 * ones are durable (SP 2.1 §2.12.1: ack only what is safely stored). It never moves backwards.
 *
 * <p>An ack is due, once something durable is not yet acked, when
 * <ul>
 *   <li>(sequence) at least {@code sequenceTrigger} durable records are not yet acked — a little before
 *       {@code ackSequenceInterval}, because the exporter stalls at that many un-acked messages; or, at most once per
 *       {@link #periodNanos() ack period} after the last ack not sent for this reason (at most 1 s, so a backlog of
 *       completions cannot send an ack per record):</li>
 *   <li>(deadline) the oldest un-acked arrival is about to exceed {@code ackTimeInterval} (ack early by a margin so
 *       that the exporter never fails over only because of our timing); or</li>
 *   <li>(tail) no DATA arrived for {@link #QUIET_NANOS}: the stream paused or ended, so what is durable is acked
 *       within about a second of becoming durable instead of waiting for the deadline.</li>
 * </ul>
 * Hence at most about one DATA_ACK per 0.75 × ackSequenceInterval records plus one per ack period, whatever the
 * write lag. Coalescing never costs the margin: the exporter times ackTimeInterval from the last DATA_ACK it got
 * while data is pending (SP 2.1 §2.12.1), and the period is shorter than ackTimeInterval minus the margin.
 */
public final class AckTracker {
    /** A stream silent this long has paused or ended: ack its durable tail (well below the 1 s promise). */
    static final long QUIET_NANOS = 250_000_000L;
    private static final long MAX_PERIOD_NANOS = 1_000_000_000L;

    private final int ackSequenceInterval;
    private final int ackTimeIntervalSeconds;
    private final int sequenceTrigger;
    private final long ackTimeNanos;
    private final long marginNanos;
    private final long periodNanos;

    // ring of arrivals not yet covered by the durable prefix
    private long[] dsns = new long[64];
    private boolean[] durable = new boolean[64];
    private long firstTicket; // ticket at ring head
    private long nextTicket;

    private long prefixDsn = -1; // highest DSN in the durable prefix, -1 = nothing yet
    private boolean hasPrefix;
    private long ackedDsn = -1;
    private boolean hasAcked;
    private long durableUnacked; // arrivals in the durable prefix not covered by the last sent ack
    private long oldestUnackedArrival = Long.MIN_VALUE; // nanos of the oldest arrival not covered by the last ack
    private boolean anyUnacked;
    private long[] arrivalTimes = new long[64];
    private long lastArrival;
    private long lastTimedAckNanos = Long.MIN_VALUE / 2; // last ack not sent by the sequence trigger

    /**
     * @param ackSequenceInterval from SESSION_START (messages); values below 1 are treated as 1
     * @param ackTimeIntervalSeconds from SESSION_START (seconds); values below 1 are treated as 1
     */
    public AckTracker(int ackSequenceInterval, int ackTimeIntervalSeconds) {
        this.ackSequenceInterval = Math.max(1, ackSequenceInterval);
        this.ackTimeIntervalSeconds = Math.max(1, ackTimeIntervalSeconds);
        this.sequenceTrigger = Math.max(1, this.ackSequenceInterval - this.ackSequenceInterval / 4);
        long ms = Math.max(1, ackTimeIntervalSeconds) * 1000L;
        this.ackTimeNanos = ms * 1_000_000L;
        this.marginNanos = margin(ms) * 1_000_000L;
        this.periodNanos = Math.min(MAX_PERIOD_NANOS, ackTimeNanos - marginNanos);
    }

    /** Ack this much before ackTimeInterval: 10 %, at least 250 ms, at most 2 s, never more than half. */
    static long margin(long ackTimeMillis) {
        return Math.min(ackTimeMillis / 2, Math.max(250, Math.min(ackTimeMillis / 10, 2000)));
    }

    /** Registers an arrival; returns its ticket for {@link #durable(long)}. */
    public long received(long dsn, long nowNanos) {
        int size = (int) (nextTicket - firstTicket);
        if (size == dsns.length) {
            grow();
        }
        int i = slot(nextTicket);
        dsns[i] = dsn;
        durable[i] = false;
        arrivalTimes[i] = nowNanos;
        lastArrival = nowNanos;
        if (!anyUnacked) {
            anyUnacked = true;
            oldestUnackedArrival = nowNanos;
        }
        return nextTicket++;
    }

    /** The write of {@code ticket} succeeded at the configured consistency. */
    public void durable(long ticket) {
        if (ticket < firstTicket || ticket >= nextTicket) {
            return; // already covered, or a ticket of another tracker generation
        }
        durable[slot(ticket)] = true;
        while (firstTicket < nextTicket && durable[slot(firstTicket)]) {
            long dsn = dsns[slot(firstTicket)];
            if (!hasPrefix || dsn > prefixDsn) {
                prefixDsn = dsn;
            }
            hasPrefix = true;
            durableUnacked++;
            firstTicket++;
        }
    }

    /** Records received and not yet covered by a sent ack (pending writes included). */
    public long unacked() {
        return durableUnacked + (nextTicket - firstTicket);
    }

    /** Durable records not yet covered by a sent ack (what the next ack will cover). */
    public long durableUnacked() {
        return durableUnacked;
    }

    /** Writes not yet durable. */
    public long pendingWrites() {
        return nextTicket - firstTicket;
    }

    /** True when an ack must be sent now: {@link #ackValue()} is then the DSN to put in DATA_ACK. */
    public boolean ackDue(long nowNanos) {
        if (durableUnacked == 0 || !hasPrefix || (hasAcked && prefixDsn <= ackedDsn)) {
            return false;
        }
        if (durableUnacked >= sequenceTrigger) {
            return true;
        }
        return nowNanos - lastTimedAckNanos >= periodNanos
                && (nowNanos - oldestUnackedArrival >= ackTimeNanos - marginNanos
                        || nowNanos - lastArrival >= QUIET_NANOS);
    }

    /** The DSN a DATA_ACK would carry now, -1 if nothing is durable yet. */
    public long ackValue() {
        return hasPrefix ? prefixDsn : -1;
    }

    /** Call after sending a DATA_ACK with {@link #ackValue()}. */
    public void acked(long nowNanos) {
        if (durableUnacked < sequenceTrigger) {
            lastTimedAckNanos = nowNanos; // sequence acks are bounded by the records; only timed ones by the period
        }
        ackedDsn = prefixDsn;
        hasAcked = true;
        durableUnacked = 0;
        if (firstTicket < nextTicket) {
            oldestUnackedArrival = arrivalTimes[slot(firstTicket)];
            anyUnacked = true;
        } else {
            anyUnacked = false;
        }
    }

    /** The last DSN sent in a DATA_ACK, -1 if none. */
    public long lastAcked() {
        return hasAcked ? ackedDsn : -1;
    }

    /**
     * When {@link #ackDue} may next become true by time alone (nanos on the same clock), or Long.MAX_VALUE when
     * nothing is received and un-acked. Meaningful while something durable waits: the owner arms a timer for it.
     */
    public long nextDeadline() {
        if (!anyUnacked) {
            return Long.MAX_VALUE;
        }
        long byTime = Math.min(oldestUnackedArrival + ackTimeNanos - marginNanos, lastArrival + QUIET_NANOS);
        return Math.max(byTime, lastTimedAckNanos + periodNanos);
    }

    /** Time-based acks are at least this far apart: min(1 s, ackTimeInterval minus the margin). */
    public long periodNanos() {
        return periodNanos;
    }

    /** How long the oldest un-acked record has waited (0 if none): the storage-failure bound is measured on it. */
    public long oldestWaitNanos(long nowNanos) {
        return anyUnacked ? nowNanos - oldestUnackedArrival : 0;
    }

    public int ackSequenceInterval() {
        return ackSequenceInterval;
    }

    public int ackTimeIntervalSeconds() {
        return ackTimeIntervalSeconds;
    }

    private int slot(long ticket) {
        return (int) (ticket % dsns.length);
    }

    private void grow() {
        int n = dsns.length;
        long[] d = new long[n * 2];
        boolean[] b = new boolean[n * 2];
        long[] t = new long[n * 2];
        for (long k = firstTicket; k < nextTicket; k++) {
            int from = (int) (k % n);
            int to = (int) (k % (n * 2));
            d[to] = dsns[from];
            b[to] = durable[from];
            t[to] = arrivalTimes[from];
        }
        dsns = d;
        durable = b;
        arrivalTimes = t;
    }

    @Override
    public String toString() {
        return "AckTracker[acked=" + lastAcked() + ", prefix=" + ackValue() + ", pending=" + pendingWrites()
                + ", durableUnacked=" + durableUnacked + ", window=" + ackSequenceInterval + "]";
    }
}
