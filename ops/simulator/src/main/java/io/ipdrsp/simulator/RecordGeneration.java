package io.ipdrsp.simulator;

import io.ipdrsp.protocol.SessionStopReason;
import java.util.ArrayDeque;

/**
 * Where a session's records come from and where they go when nobody takes them: the rate's token bucket, the
 * buffer bound (oldest dropped and declared), silent losses, and drops on purpose. Event-loop confined; works on
 * the session's document queue.
 */
final class RecordGeneration {
    private final SessionSpec spec;
    private final int bufferCapacity;
    private final ArrayDeque<ExportDocument> docs;
    private double tokens;
    private long generatedTotal;
    private long pendingDeclaredDrops;
    private long dropRequest;
    private long dropAt = -1;

    RecordGeneration(SessionSpec spec, int bufferCapacity, ArrayDeque<ExportDocument> docs) {
        this.spec = spec;
        this.bufferCapacity = bufferCapacity;
        this.docs = docs;
    }

    /** A fresh start (first start, or after a reboot). */
    void restart() {
        tokens = 0;
        generatedTotal = 0;
    }

    /** The exporter lost its memory (reboot): nothing is pending any more. */
    void forget() {
        pendingDeclaredDrops = 0;
        dropRequest = 0;
        dropAt = -1;
    }

    /** Rated sessions: {@code dtNanos} more of the rate, generated into the newest document. */
    void accrue(long dtNanos, boolean activeCollector) {
        tokens = Math.min(tokens + spec.rate() * dtNanos / 1e9, Math.max(1, spec.rate()));
        long n = (long) tokens;
        if (n > 0) {
            tokens -= generate(n, activeCollector);
        }
    }

    /** Generates up to n records into the newest document; returns how many the tokens paid for. */
    private long generate(long n, boolean activeCollector) {
        ExportDocument t = docs.peekLast();
        if (t == null || t.closing) {
            return n; // nothing to generate into (ad-hoc between exports): the tokens lapse
        }
        if (capped()) {
            n = Math.min(n, spec.records() - generatedTotal);
        }
        n = Math.min(n, t.limit - t.nextGen);
        if (n <= 0) {
            closeIfComplete(t);
            return 0;
        }
        long buffered = 0;
        for (ExportDocument d : docs) {
            buffered += d.buffered();
        }
        if (buffered + n > bufferCapacity) {
            if (activeCollector) {
                n = Math.max(0, bufferCapacity - buffered); // a live but slow collector: the exporter waits
            } else {
                dropOldest(buffered + n - bufferCapacity);
            }
        }
        if (n > 0) {
            add(t, n);
        }
        return n;
    }

    /** Load mode: records are made as the window opens, up to a window ahead of what is held. */
    void generateOnDemand(ExportDocument d, int window) {
        if (d.closing || d != docs.peekLast()) {
            return;
        }
        long want = d.held + window;
        if (capped()) {
            want = Math.min(want, d.nextGen + (spec.records() - generatedTotal));
        }
        want = Math.min(want, d.limit);
        if (want > d.nextGen) {
            add(d, want - d.nextGen);
        }
        closeIfComplete(d);
    }

    private void add(ExportDocument t, long n) {
        t.entry.generated(t.nextGen, t.nextGen + n - 1);
        t.nextGen += n;
        generatedTotal += n;
        closeIfComplete(t);
    }

    /**
     * The session-wide {@code records} cap (ad-hoc sessions count per export instead, through the document
     * limit: counting every export against the cap is what made a second ad-hoc export empty).
     */
    private boolean capped() {
        return spec.records() > 0 && spec.type() != SessionType.AD_HOC;
    }

    /**
     * An ad-hoc export is complete at its record count. An event session's {@code records} cap only stops
     * generation: an open-ended event session never sends SESSION_STOP except to hand off (seed 004, §6.2.2), so
     * its document stays open — hand-offs and fail-backs still move it — until the CMTS stops (SESSION_STOP 2).
     */
    private static void closeIfComplete(ExportDocument t) {
        if (t.nextGen >= t.limit) {
            t.close(SessionStopReason.END_OF_DATA);
        }
    }

    /** No collector can take records and the buffer is full: the oldest go, declared at the next start. */
    private void dropOldest(long k) {
        for (ExportDocument d : docs) {
            if (k <= 0) {
                break;
            }
            long take = Math.min(k, d.buffered());
            if (take <= 0) {
                continue;
            }
            declareDropped(d, d.held, d.held + take - 1);
            d.held += take;
            d.nextSend = Math.max(d.nextSend, d.held);
            k -= take;
        }
    }

    private void declareDropped(ExportDocument d, long from, long to) {
        for (long[] r : d.holes.missingIn(from, to).ranges()) {
            d.entry.droppedDeclared(r[0], r[1]);
            pendingDeclaredDrops += r[1] - r[0] + 1;
        }
    }

    /** {@code n} DSNs skipped without telling anyone: an undeclared gap. */
    void loseSilently(long n) {
        ExportDocument d = docs.peekLast();
        if (d == null) {
            return;
        }
        long from = d.nextGen;
        d.entry.generated(from, from + n - 1);
        d.entry.lostSilently(from, from + n - 1);
        d.holes.add(from, from + n - 1);
        d.nextGen += n;
        generatedTotal += n;
    }

    /** Drop {@code n} records on purpose; nothing past what is sent now goes out until the drop is declared. */
    void requestDrop(long n) {
        ExportDocument h = docs.peekFirst();
        if (h == null) {
            return;
        }
        if (dropRequest == 0) {
            dropAt = h.nextSend;
        }
        dropRequest += n;
    }

    /**
     * Drops the requested records once everything sent before them is acknowledged (or nothing more can be: no
     * open active connection). Returns true when it did, so the session stops with reason 3 and starts again.
     */
    boolean applyDrop(boolean acking) {
        ExportDocument d = docs.peekFirst();
        if (dropRequest == 0 || d == null || acking && d.held < Math.min(dropAt, d.maxSent)) {
            return false;
        }
        long from = d.held;
        long to = from + dropRequest - 1;
        if (to >= d.nextGen) {
            d.entry.generated(d.nextGen, to);
            generatedTotal += to + 1 - d.nextGen;
            d.nextGen = to + 1;
        }
        declareDropped(d, from, to);
        d.held = to + 1;
        d.nextSend = Math.max(d.nextSend, d.held);
        dropRequest = 0;
        dropAt = -1;
        return true;
    }

    /** One past the last DSN of {@code d} that may be sent now (a pending drop holds back what follows it). */
    long sendLimit(ExportDocument d) {
        return dropRequest > 0 ? Math.min(d.nextGen, dropAt) : d.nextGen;
    }

    /** The drops to declare in the next SESSION_START to an active collector (and forgets them). */
    long takeDeclaredDrops() {
        long n = pendingDeclaredDrops;
        pendingDeclaredDrops = 0;
        return n;
    }
}
