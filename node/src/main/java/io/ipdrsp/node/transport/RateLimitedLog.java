package io.ipdrsp.node.transport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Bounds repeated log lines per key (a source address, a CMTS): the first line of an interval is written, the
 * rest of that interval only counted, and the next line written says how many were left out. A hostile peer that
 * fails a thousand times a second thus costs one line per interval, and the count is never lost.
 *
 * <p>Usage, without allocating while suppressed:
 * <pre>{@code
 * long skipped = limiter.admit(address);
 * if (skipped >= 0) LOG.warn("refusing {}{}", address, RateLimitedLog.suppressed(skipped));
 * }</pre>
 * Thread-safe; the number of keys tracked is bounded (beyond it, unknown keys share one window).
 */
public final class RateLimitedLog {
    private static final String OVERFLOW = "*";

    private final long intervalNanos;
    private final int maxKeys;
    private final LongSupplier nanoClock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        long startNanos;
        long suppressed;
        boolean started;
    }

    /** @param nanoClock monotonic clock (System::nanoTime outside tests) */
    public RateLimitedLog(long intervalMillis, int maxKeys, LongSupplier nanoClock) {
        this.intervalNanos = intervalMillis * 1_000_000L;
        this.maxKeys = Math.max(1, maxKeys);
        this.nanoClock = nanoClock;
    }

    /** One line per key per 10 s, at most 1,024 keys. */
    public static RateLimitedLog tenSeconds() {
        return new RateLimitedLog(10_000, 1024, System::nanoTime);
    }

    /**
     * Whether to write a line for {@code key} now: -1 = no (counted as suppressed), otherwise how many lines of this
     * key were suppressed since the last one written (append {@link #suppressed(long)} to the line).
     */
    public long admit(String key) {
        Window w = windows.get(key);
        if (w == null) {
            if (windows.size() >= maxKeys) {
                evictExpired();
            }
            w = windows.size() >= maxKeys ? windows.computeIfAbsent(OVERFLOW, k -> new Window())
                    : windows.computeIfAbsent(key, k -> new Window());
        }
        long now = nanoClock.getAsLong();
        synchronized (w) {
            if (w.started && now - w.startNanos < intervalNanos) {
                w.suppressed++;
                return -1;
            }
            long skipped = w.suppressed;
            w.started = true;
            w.startNanos = now;
            w.suppressed = 0;
            return skipped;
        }
    }

    /** "" or " (N similar suppressed)", for the end of an admitted line. */
    public static String suppressed(long skipped) {
        return skipped > 0 ? " (" + skipped + " similar suppressed)" : "";
    }

    private void evictExpired() {
        long now = nanoClock.getAsLong();
        windows.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                // a window with a count to report is kept so the count is not lost
                return e.getValue().suppressed == 0 && now - e.getValue().startNanos >= intervalNanos;
            }
        });
    }
}
