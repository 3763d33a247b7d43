package io.ipdrsp.node.session;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repeated protocol failures of one CMTS and the back-off they impose. A CMTS whose records this node cannot take
 * (typically an encoding the node is not configured for, such as ipV6Addr sent raw while {@code ipv6Raw} is false)
 * would otherwise be answered with ERROR, reconnect at once and re-send its whole window, many times a second.
 *
 * <p>Only connections that completed the handshake count (a stranger's garbage on the CMTS's address costs nothing
 * and re-sends nothing), and only errors in what the CMTS sent (ERROR 1, 2, 3), not keep-alive expiry. From the
 * {@value #THRESHOLD}rd failure in a row on, the next connection waits {@value #BASE_MILLIS} ms, doubling per
 * failure up to {@value #MAX_MILLIS} ms: the node redials that late, and refuses the CMTS's own connections at
 * CONNECT until then. A healthy session (records acknowledged for {@value #HEALTHY_MILLIS} ms) resets it. When
 * the failures are decode errors, one alarm line names the switch that most likely fixes them; the alarm also stays
 * in front of the CMTS's {@code lastError} on {@code /api/exporters} until the reset. Thread-safe.
 */
public final class ProtocolFailures {
    private static final Logger LOG = LoggerFactory.getLogger(ProtocolFailures.class);
    static final int THRESHOLD = 3;
    static final long BASE_MILLIS = 1_000;
    static final long MAX_MILLIS = 120_000;
    static final long HEALTHY_MILLIS = 10_000;
    private static final long MS = 1_000_000L;

    private final String exporter;
    private final LongSupplier nanoClock;
    private int consecutive;
    private long blockedUntilNanos;
    private boolean blocked;
    private String alarm;

    ProtocolFailures(String exporter, LongSupplier nanoClock) {
        this.exporter = exporter;
        this.nanoClock = nanoClock;
    }

    /**
     * A connection that had completed the handshake ended in a protocol failure.
     *
     * @param decodeError whether it was a decode error (ERROR 3), for the alarm
     * @param hint        the configuration switch that most likely explains a decode error (for the alarm)
     */
    public synchronized void failed(boolean decodeError, String detail, String hint) {
        consecutive++;
        if (consecutive < THRESHOLD) {
            return;
        }
        long delay = Math.min(MAX_MILLIS, BASE_MILLIS << Math.min(consecutive - THRESHOLD, 20));
        blocked = true;
        blockedUntilNanos = nanoClock.getAsLong() + delay * MS;
        if (alarm == null && decodeError) {
            alarm = "ALARM: " + consecutive + " connections in a row ended in decode errors (" + detail + "): the"
                    + " CMTS probably encodes records differently than this collector decodes them; check " + hint
                    + ". Backing off: reconnects are delayed up to " + MAX_MILLIS / 1000 + " s until a session works";
            LOG.error("{}: {}", exporter, alarm);
        }
        LOG.warn("{}: {} protocol failures in a row; next connection in {} ms", exporter, consecutive, delay);
    }

    /** A session of this CMTS acknowledged records for a while: the failures are over. */
    public synchronized void healthy() {
        if (consecutive > 0 || alarm != null) {
            LOG.info("{}: healthy session again after {} protocol failures", exporter, consecutive);
        }
        consecutive = 0;
        blocked = false;
        alarm = null;
    }

    /** How long a new connection must still wait (0 = none). */
    public synchronized long remainingMillis() {
        if (!blocked) {
            return 0;
        }
        long left = blockedUntilNanos - nanoClock.getAsLong();
        return left <= 0 ? 0 : (left + MS - 1) / MS;
    }

    /** Failures in a row so far. */
    public synchronized int consecutive() {
        return consecutive;
    }

    /** The active alarm text, or null. */
    public synchronized String alarm() {
        return alarm;
    }
}
