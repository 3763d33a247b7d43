package io.ipdrsp.simulator;

/**
 * When the not yet acknowledged DSNs of one document were last written, as runs (from, to, nanos) in DSN order;
 * an ack pops what it covers into {@link AckLatency}. A re-send (after a hand-off) replaces the runs it overlaps,
 * so latency is measured from the send that got acknowledged. Event-loop confined.
 */
final class SendTimes {
    private long[] from = new long[16];
    private long[] to = new long[16];
    private long[] at = new long[16];
    private int head;
    private int size;

    void sent(long first, long last, long nanos) {
        while (size > 0) {
            int t = slot(size - 1);
            if (from[t] >= first) {
                size--;
            } else {
                if (to[t] >= first) {
                    to[t] = first - 1;
                }
                break;
            }
        }
        if (size > 0) {
            int t = slot(size - 1);
            if (at[t] == nanos && to[t] == first - 1) {
                to[t] = last;
                return;
            }
        }
        if (size == from.length) {
            grow();
        }
        int i = slot(size++);
        from[i] = first;
        to[i] = last;
        at[i] = nanos;
    }

    /**
     * Everything from {@code lowest} up to {@code dsn} is acknowledged at {@code nanos}; runs below {@code lowest}
     * (records dropped after they were sent) are forgotten without a measurement.
     */
    void acked(long lowest, long dsn, long nanos, AckLatency latency) {
        while (size > 0 && from[head] < lowest) {
            if (to[head] < lowest) {
                head = (head + 1) % from.length;
                size--;
            } else {
                from[head] = lowest;
            }
        }
        while (size > 0 && from[head] <= dsn) {
            long end = Math.min(to[head], dsn);
            latency.record(nanos - at[head], end - from[head] + 1);
            if (to[head] <= dsn) {
                head = (head + 1) % from.length;
                size--;
            } else {
                from[head] = dsn + 1;
            }
        }
    }

    private int slot(int k) {
        return (head + k) % from.length;
    }

    private void grow() {
        int n = from.length;
        long[] f = new long[n * 2];
        long[] t = new long[n * 2];
        long[] a = new long[n * 2];
        for (int k = 0; k < size; k++) {
            int s = slot(k);
            f[k] = from[s];
            t[k] = to[s];
            a[k] = at[s];
        }
        from = f;
        to = t;
        at = a;
        head = 0;
    }
}
