package io.ipdrsp.dedup.audit;

import io.ipdrsp.dedup.SequenceRangeSet;
import io.ipdrsp.storage.SequenceRange;
import io.ipdrsp.storage.Segment;
import java.util.ArrayList;
import java.util.List;

/**
 * The verdict arithmetic, pure: from the stored sequence numbers and the segments of one document to the expected
 * range, the missing ranges, which of them the exporter declared dropped and the verdict.
 *
 * <h2>Expected range</h2>
 * From 0 (SP 2.1 §2.5: DSN starts at 0 for a new documentId; with {@code startsAtZero} false, from the lowest
 * firstRecordSequenceNumber or stored DSN) to the highest DSN known to exist: the highest stored DSN, or
 * {@code firstRecordSequenceNumber - 1} of any segment (a SESSION_START at f says DSNs below f were generated).
 * Records after the last one any collector saw are invisible to the collectors: a drop or loss at the very end of a
 * document cannot be detected here (the next document's declared drops then show as unplaced).
 *
 * <h2>Declared drops</h2>
 * droppedRecordCount is a count, not ranges. An exporter drops the oldest records it still holds and resumes with the
 * oldest one it kept, so the N records declared by a SESSION_START with firstRecordSequenceNumber f are the N
 * DSNs right below f: the <em>window</em> {@code [f - N, f - 1]} (DSNs an earlier declaration already claimed are
 * skipped, so windows of successive declarations never overlap). Within its window a declaration
 * <ul>
 * <li><b>matches</b> the missing DSNs: they are explained;</li>
 * <li>finds some DSNs <b>held</b>: the exporter dropped records a collector had already stored but not yet
 *     acknowledged (typically a node whose writes were slow when the exporter gave up on it) — nothing is missing
 *     there, and the audit reports them as {@code declaredReceived};</li>
 * <li>reaches below the start of the document: the rest is <b>unplaced</b> (drops at the end of the previous
 *     document, announced in this document's first SESSION_START).</li>
 * </ul>
 * Declarations are taken from every segment, whatever its {@code primary} flag (in the vendor guide's failover the
 * standby gets {@code primary=false}, the stream and the declaration), once per SESSION_START, in DSN order
 * ({@link SegmentOrder#declarations}), never in the order of collectors' clocks. A missing DSN outside every window
 * stays unexplained, so a count that falls short
 * leaves INCOMPLETE, and a declaration never explains a gap below its own window (a silent loss further back stays
 * visible). The verdict COMPLETE_WITH_DECLARED_DROPS needs every missing DSN explained.
 */
public final class Completeness {
    private Completeness() {
    }

    /**
     * @param held             stored sequence numbers, inclusive ranges (any order)
     * @param matched          missing DSNs explained by declared drops
     * @param unexplained      missing DSNs nothing explains
     * @param declaredReceived DSNs inside a declaration's window that are stored all the same
     * @param declaredUnplaced declared drops whose window reaches below the start of this document
     * @param failovers        changes of collector between consecutive data-carrying segments ({@link SegmentOrder})
     */
    public record Evaluation(long expectedFirst, long expectedLast, long recordsHeld, List<SequenceRange> held,
            List<SequenceRange> missing, List<SequenceRange> matched, List<SequenceRange> unexplained,
            List<SequenceRange> declaredReceived, long declaredDrops, long declaredUnplaced, int failovers,
            Verdict verdict) {
        public long declaredReceivedCount() {
            return count(declaredReceived);
        }

        public long missingCount() {
            return count(missing);
        }

        public long matchedCount() {
            return count(matched);
        }

        public long unexplainedCount() {
            return count(unexplained);
        }
    }

    static long count(List<SequenceRange> ranges) {
        return ranges.stream().mapToLong(SequenceRange::count).sum();
    }

    public static Evaluation evaluate(List<SequenceRange> stored, List<Segment> segments, boolean startsAtZero,
            boolean finalized) {
        SequenceRangeSet held = SequenceRangeSet.of(stored);
        long last = held.max();
        long lowestStart = Long.MAX_VALUE;
        for (Segment s : segments) {
            last = Math.max(last, s.firstRecordSeq() - 1);
            lowestStart = Math.min(lowestStart, s.firstRecordSeq());
        }
        long first;
        if (last < 0) {
            first = -1;
        } else if (startsAtZero) {
            first = 0;
        } else {
            first = Math.min(held.isEmpty() ? Long.MAX_VALUE : held.min(), lowestStart);
            first = Math.min(first, last);
        }
        List<SequenceRange> missing = last < 0 ? List.of() : held.missing(first, last);

        SequenceRangeSet matched = new SequenceRangeSet();
        SequenceRangeSet received = new SequenceRangeSet();
        SequenceRangeSet claimed = new SequenceRangeSet(); // DSNs some declaration's window already covers
        long declared = 0;
        long unplaced = 0;
        for (SegmentOrder.Declaration d : SegmentOrder.declarations(segments)) {
            long budget = d.count();
            declared += budget;
            long floor = Math.max(first, 0);
            long hi = d.firstRecordSeq() - 1;
            if (budget > 0 && hi >= floor) {
                // the window: the highest `budget` DSNs below f that no earlier declaration claimed
                SequenceRangeSet window = new SequenceRangeSet();
                List<SequenceRange> free = claimed.missing(floor, hi);
                for (int i = free.size() - 1; i >= 0 && budget > 0; i--) {
                    SequenceRange r = free.get(i);
                    long lo = Math.max(r.first(), r.last() - budget + 1);
                    window.add(lo, r.last());
                    budget -= r.last() - lo + 1;
                }
                claimed.addAll(window);
                received.addAll(held.intersection(window));
                for (SequenceRange w : window.ranges()) {
                    for (SequenceRange m : held.missing(w.first(), w.last())) {
                        matched.add(m.first(), m.last());
                    }
                }
            }
            unplaced += budget;
        }
        List<SequenceRange> unexplained = new ArrayList<>();
        for (SequenceRange m : missing) {
            unexplained.addAll(matched.missing(m.first(), m.last()));
        }
        Verdict verdict;
        if (!finalized) {
            verdict = Verdict.OPEN;
        } else if (missing.isEmpty()) {
            verdict = Verdict.COMPLETE;
        } else if (unexplained.isEmpty()) {
            verdict = Verdict.COMPLETE_WITH_DECLARED_DROPS;
        } else {
            verdict = Verdict.INCOMPLETE;
        }
        return new Evaluation(first, last, held.cardinality(), held.ranges(), missing, matched.ranges(), unexplained,
                received.ranges(), declared, unplaced, SegmentOrder.failovers(segments), verdict);
    }
}
