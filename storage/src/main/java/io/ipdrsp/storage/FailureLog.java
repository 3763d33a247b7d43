package io.ipdrsp.storage;

import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * One log line per burst of failures of one kind, not one per request: when Cassandra is overloaded or away, every
 * request of a burst fails alike (issue 19: 19 064 identical lines in one session start). The first failure of a burst
 * is logged at once; later ones are counted, and the count with the last error is logged when a failure comes after
 * {@code quiet} has passed, or when {@link #success()} reports the kind working again ("recovered after N failures").
 * {@link #success()} is one volatile read outside a burst, so it may be called on every completion.
 */
public final class FailureLog {
    private final Logger log;
    private final Level level;
    private final String what;
    private final long quietNanos;
    private final java.util.function.LongSupplier clock;
    private volatile boolean failing;
    /** Guarded by this. */
    private long burstStartNanos;
    private long lastLoggedNanos;
    private long unlogged;
    private long total;
    private String lastError;

    /**
     * @param what  the kind of request, as the log line names it ("metadata writes", "read-backs", …)
     * @param quiet how long further failures are only counted after a logged one
     */
    public FailureLog(Logger log, Level level, String what, Duration quiet) {
        this(log, level, what, quiet, System::nanoTime);
    }

    /** With a clock ({@link System#nanoTime} semantics) for tests. */
    FailureLog(Logger log, Level level, String what, Duration quiet, java.util.function.LongSupplier clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.log = Objects.requireNonNull(log, "log");
        this.level = Objects.requireNonNull(level, "level");
        this.what = Objects.requireNonNull(what, "what");
        this.quietNanos = quiet.toNanos();
    }

    /** One failure; {@code detail} names the request (e.g. the document) for the line that gets logged. */
    public void failure(String detail, Throwable error) {
        long now = clock.getAsLong();
        String line = null;
        synchronized (this) {
            total++;
            lastError = detail + ": " + error;
            if (!failing) {
                failing = true;
                burstStartNanos = now;
                lastLoggedNanos = now;
                total = 1;
                line = what + " failing: " + lastError + " (further failures counted, logged every "
                        + Duration.ofNanos(quietNanos).toSeconds() + " s)";
            } else if (now - lastLoggedNanos >= quietNanos) {
                line = what + " still failing: " + (unlogged + 1) + " more failures in the last "
                        + seconds(now - lastLoggedNanos) + " s, " + total + " since " + seconds(now - burstStartNanos)
                        + " s ago; last: " + lastError;
                lastLoggedNanos = now;
                unlogged = 0;
            } else {
                unlogged++;
            }
        }
        if (line != null) {
            log.atLevel(level).log(line);
        }
    }

    /** A request of this kind succeeded: ends a burst with one line. */
    public void success() {
        if (!failing) {
            return;
        }
        String line;
        synchronized (this) {
            if (!failing) {
                return;
            }
            failing = false;
            line = what + " recovered after " + total + " failures in " + seconds(clock.getAsLong() - burstStartNanos)
                    + " s; last: " + lastError;
            unlogged = 0;
        }
        log.info(line);
    }

    /** Failures of the current burst (0 when none). */
    public synchronized long failuresInBurst() {
        return failing ? total : 0;
    }

    private static long seconds(long nanos) {
        return Math.max(0, nanos / 1_000_000_000L);
    }
}
