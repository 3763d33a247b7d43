package io.ipdrsp.bench;

import io.ipdrsp.simulator.Ledger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** What the soak reads of the simulator's ledger while it runs: where each session's data goes, and failovers. */
final class SoakLedger {
    private SoakLedger() {
    }

    /**
     * Failovers so far: a CMTS moving a document's data stream to another node (SESSION_STARTs to a collector that
     * takes the data, each to another collector than the one before).
     */
    static long moves(Ledger ledger) {
        long n = 0;
        for (Ledger.Document d : ledger.documents()) {
            n += collectorChanges(d, Ledger.Start::takesData);
        }
        return n;
    }

    private static long collectorChanges(Ledger.Document d, Predicate<Ledger.Start> counted) {
        long n = 0;
        String last = null;
        for (Ledger.Start s : d.starts()) {
            if (counted.test(s)) {
                n += last != null && !last.equals(s.collector()) ? 1 : 0;
                last = s.collector();
            }
        }
        return n;
    }

    /** "cmts/session" → the node taking its data now (the last such SESSION_START of its latest document). */
    static Map<String, String> dataCollectors(Ledger ledger) {
        Map<String, Ledger.Document> latest = new HashMap<>();
        for (Ledger.Document d : ledger.documents()) {
            latest.merge(d.cmts() + "/" + d.sessionId(), d,
                    (a, b) -> b.firstSentNanos() > a.firstSentNanos() ? b : a);
        }
        Map<String, String> out = new HashMap<>();
        latest.forEach((session, d) -> {
            List<Ledger.Start> starts = d.starts();
            for (int i = starts.size() - 1; i >= 0; i--) {
                if (starts.get(i).takesData()) {
                    out.put(session, starts.get(i).collector());
                    break;
                }
            }
        });
        return out;
    }

    /** "cmts/session" → records acknowledged so far, over all its documents. */
    static Map<String, Long> ackedPerSession(Ledger ledger) {
        Map<String, Long> out = new HashMap<>();
        for (Ledger.Document d : ledger.documents()) {
            out.merge(d.cmts() + "/" + d.sessionId(), d.acked().count(), Long::sum);
        }
        return out;
    }
}
