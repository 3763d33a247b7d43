package io.ipdrsp.bench;

import io.ipdrsp.simulator.Ledger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** What one fleet run measured, and how it is printed. */
record FleetResult(int cmtses, int sessions, Startup startup, List<Boundary> boundaries, Window window,
                   long ackTimeouts, FleetAudit.Result audit) {

    /** p50 / p99 / max of a list of milliseconds ("-" when empty). */
    static String percentiles(List<Long> millis) {
        if (millis.isEmpty()) {
            return "-";
        }
        List<Long> s = new ArrayList<>(millis);
        Collections.sort(s);
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f s", at(s, 0.50) / 1e3, at(s, 0.99) / 1e3,
                s.get(s.size() - 1) / 1e3);
    }

    private static long at(List<Long> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    /**
     * Each session's start: from the fleet's start to its first DATA (connect, CONNECT, GET_SESSIONS, FLOW_START,
     * templates, SESSION_START) and from that DATA to the first DATA_ACK.
     */
    record Startup(List<Long> toFirstData, List<Long> firstAck, int neverAcked) {
        static Startup of(List<Ledger.Document> docs, FleetRun.Clock clock) {
            List<Long> data = new ArrayList<>();
            List<Long> ack = new ArrayList<>();
            int never = 0;
            String last = "";
            for (Ledger.Document d : docs) { // by CMTS, session, then opening order: the first is the session's
                String session = d.cmts() + "/" + d.sessionId();
                if (session.equals(last) || d.firstSentNanos() == 0) {
                    continue;
                }
                last = session;
                data.add((d.firstSentNanos() - clock.startNanos) / 1_000_000);
                if (d.firstAckedNanos() == 0) {
                    never++;
                } else {
                    ack.add((d.firstAckedNanos() - d.firstSentNanos()) / 1_000_000);
                }
            }
            return new Startup(data, ack, never);
        }
    }

    /**
     * The documents that a boundary started (time-interval sessions, first DATA within the interval after it): from
     * the boundary to their first DATA_ACK, and from their first DATA to it.
     */
    record Boundary(long atMillis, int documents, List<Long> sinceBoundary, List<Long> sinceFirstData,
                    int notAcked) {
        static Boundary of(long at, List<Ledger.Document> docs, FleetRun.Clock clock, long interval) {
            List<Long> since = new ArrayList<>();
            List<Long> data = new ArrayList<>();
            int n = 0;
            int unacked = 0;
            for (Ledger.Document d : docs) {
                long sent = d.firstSentNanos() == 0 ? -1 : clock.wallMillis(d.firstSentNanos());
                if (d.sessionId() > 2 || sent < at || sent >= at + interval) {
                    continue;
                }
                n++;
                if (d.firstAckedNanos() == 0) {
                    unacked++;
                    continue;
                }
                since.add(clock.wallMillis(d.firstAckedNanos()) - at);
                data.add((d.firstAckedNanos() - d.firstSentNanos()) / 1_000_000);
            }
            return new Boundary(at, n, since, data, unacked);
        }
    }

    /** The measured window: records, the node's CPU, memory and dedup counters. */
    record Window(List<Long> boundaries, double seconds, long acked, double nodeCpuSeconds, long rssMiB,
                  long heapAfterGcMiB, double plainWrites, double checkedWrites, double rebuilds, double stored,
                  String loadBefore, String loadAfter) {
    }

    void print() {
        System.out.printf(Locale.ROOT, "%n-- %d CMTSes (%d sessions) --%n", cmtses, sessions);
        System.out.printf(Locale.ROOT, "connect: every session streaming %.1f s after the fleet started; per session"
                + " to first DATA p50/p99/max %s%n", max(startup.toFirstData()) / 1e3,
                percentiles(startup.toFirstData()));
        System.out.printf(Locale.ROOT, "first ack per session (after its first DATA): p50/p99/max %s; never acked %d%n",
                percentiles(startup.firstAck()), startup.neverAcked());
        for (Boundary b : boundaries) {
            System.out.printf(Locale.ROOT, "boundary %s: %d new documents; first ack after the boundary p50/p99/max %s"
                    + " (after their first DATA %s); not acked %d%n", java.time.Instant.ofEpochMilli(b.atMillis()),
                    b.documents(), percentiles(b.sinceBoundary()), percentiles(b.sinceFirstData()), b.notAcked());
        }
        double records = window.plainWrites() + window.checkedWrites();
        System.out.printf(Locale.ROOT, "window %.0f s: %,d records acked (%.0f/s), %,.0f stored; ack timeouts %d%n",
                window.seconds(), window.acked(), window.acked() / window.seconds(), window.stored(), ackTimeouts);
        System.out.printf(Locale.ROOT, "reads before write: none by design; read-backs after write %.4f per record "
                + "(%,.0f of %,.0f); range-set rebuilds %,.0f (%.2f per session)%n",
                records == 0 ? 0 : window.checkedWrites() / records, window.checkedWrites(), records,
                window.rebuilds(), window.rebuilds() / sessions);
        System.out.printf(Locale.ROOT, "node: CPU %.2f cores, %.1f CPU s per 100k records; RSS %d MiB; heap after GC "
                + "%d MiB; load average %s -> %s%n", window.nodeCpuSeconds() / window.seconds(),
                window.acked() == 0 ? Double.NaN : window.nodeCpuSeconds() * 100_000 / window.acked(),
                window.rssMiB(), window.heapAfterGcMiB(), window.loadBefore(), window.loadAfter());
        audit.print();
    }

    private static long max(List<Long> l) {
        return l.stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
