package io.ipdrsp.simulator;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Time from writing a record in DATA to receiving the DATA_ACK that covers it, over every acknowledged record of
 * the fleet. A log-linear histogram (HdrHistogram-like: 32 sub-buckets per power of two, so a percentile is within
 * about 3 % of the true value) of microseconds, up to about an hour; lock-free, recorded per run of records that
 * share a send time, so the cost per record is a few nanoseconds.
 */
public final class AckLatency {
    private static final int SUB_BITS = 5;
    private static final int SUB = 1 << SUB_BITS;
    private static final int BUCKETS = (33 - SUB_BITS) * SUB;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong maxMicros = new AtomicLong();

    /** {@code records} records sent {@code nanos} before their covering ack. */
    void record(long nanos, long records) {
        if (records <= 0) {
            return;
        }
        long us = Math.max(0, nanos / 1000);
        counts.addAndGet(index(us), records);
        total.addAndGet(records);
        long m;
        while (us > (m = maxMicros.get()) && !maxMicros.compareAndSet(m, us)) {
            // retry
        }
    }

    static int index(long us) {
        if (us < SUB) {
            return (int) us;
        }
        int exp = 63 - Long.numberOfLeadingZeros(us) - SUB_BITS + 1; // us >> exp is in [SUB/2, SUB)
        int i = exp * SUB + (int) (us >> exp);
        return Math.min(i, BUCKETS - 1);
    }

    /** The highest value (µs) that falls in bucket {@code i}. */
    static long upperBound(int i) {
        if (i < SUB) {
            return i;
        }
        int exp = i / SUB;
        long sub = i % SUB;
        return ((sub + 1) << exp) - 1;
    }

    /** Forgets everything recorded so far (e.g. after a warm-up). */
    public void reset() {
        for (int i = 0; i < BUCKETS; i++) {
            counts.set(i, 0);
        }
        total.set(0);
        maxMicros.set(0);
    }

    /** Records measured since the start or the last {@link #reset()}. */
    public long count() {
        return total.get();
    }

    /** The largest latency seen, in microseconds. */
    public long maxMicros() {
        return maxMicros.get();
    }

    /** The latency (µs, bucket upper bound) that {@code percent} % of the records did not exceed; 0 if none. */
    public long percentileMicros(double percent) {
        long n = 0;
        long[] snapshot = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            snapshot[i] = counts.get(i);
            n += snapshot[i];
        }
        if (n == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(percent / 100.0 * n));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += snapshot[i];
            if (seen >= rank) {
                return Math.min(upperBound(i), maxMicros.get());
            }
        }
        return maxMicros.get();
    }

    @Override
    public String toString() {
        return String.format("ack latency over %d records: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
                count(), percentileMicros(50) / 1000.0, percentileMicros(90) / 1000.0, percentileMicros(99) / 1000.0,
                maxMicros() / 1000.0);
    }
}
