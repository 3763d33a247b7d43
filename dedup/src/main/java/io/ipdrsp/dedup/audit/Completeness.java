package io.ipdrsp.dedup.audit;

import io.ipdrsp.dedup.SequenceRangeSet;
import io.ipdrsp.storage.SequenceRange;
import io.ipdrsp.storage.Segment;
import java.util.ArrayList;
import java.util.Comparator;
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
 * droppedRecordCount is a count, not ranges, so the matching is conservative: the drops declared by a primary
 * SESSION_START with firstRecordSequenceNumber f can only be records the exporter had before f; they are matched to
 * the not yet matched missing DSNs below f, <b>highest first</b> (an exporter drops the oldest records it still holds,
 * so they lie right below the point where it resumes). Primary segments are taken in start order; declarations that
 * find no missing DSN below their f count as <em>unplaced</em> (typically drops at the end of the previous document,
 * announced in this document's first SESSION_START). Backup segments never carry drops (the exporter declares them to
 * its primary only) and are ignored. A missing DSN is explained only if a declaration made after it covers it; the
 * verdict COMPLETE_WITH_DECLARED_DROPS needs every missing DSN explained, so a count that falls short always leaves
 * INCOMPLETE, and a count that cannot be placed never explains anything.
 */
public final class Completeness {
    private Completeness() {
    }

    /**
     * @param held             stored sequence numbers, inclusive ranges (any order)
     * @param matched          missing DSNs explained by declared drops
     * @param unexplained      missing DSNs nothing explains
     * @param declaredUnplaced declared drops no missing DSN of this document could absorb
     * @param failovers        changes of primary node between consecutive primary segments
     */
    public record Evaluation(long expectedFirst, long expectedLast, long recordsHeld, List<SequenceRange> held,
            List<SequenceRange> missing, List<SequenceRange> matched, List<SequenceRange> unexplained,
            long declaredDrops, long declaredUnplaced, int failovers, Verdict verdict) {
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

    /** Primary segments in the order the exporter started them (node name breaks ties). */
    public static List<Segment> primarySegments(List<Segment> segments) {
        return segments.stream().filter(Segment::primary)
                .sorted(Comparator.comparing(Segment::startedAt).thenComparing(Segment::node)).toList();
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

        // unmatched missing DSNs as mutable [first, last] pairs, ascending
        List<long[]> unmatched = new ArrayList<>();
        for (SequenceRange r : missing) {
            unmatched.add(new long[] {r.first(), r.last()});
        }
        SequenceRangeSet matched = new SequenceRangeSet();
        long declared = 0;
        long unplaced = 0;
        int failovers = 0;
        String previousPrimary = null;
        for (Segment s : primarySegments(segments)) {
            if (previousPrimary != null && !previousPrimary.equals(s.node())) {
                failovers++;
            }
            previousPrimary = s.node();
            long budget = s.droppedRecordCount();
            declared += budget;
            long below = s.firstRecordSeq(); // candidates: DSN < below
            for (int i = unmatched.size() - 1; i >= 0 && budget > 0; i--) {
                long[] r = unmatched.get(i);
                if (r[0] >= below) {
                    continue;
                }
                long hi = Math.min(r[1], below - 1);
                long take = Math.min(budget, hi - r[0] + 1);
                long lo = hi - take + 1;
                matched.add(lo, hi);
                budget -= take;
                // split r into [r0, lo-1] and [hi+1, r1]
                List<long[]> parts = new ArrayList<>(2);
                if (r[0] <= lo - 1) {
                    parts.add(new long[] {r[0], lo - 1});
                }
                if (hi + 1 <= r[1]) {
                    parts.add(new long[] {hi + 1, r[1]});
                }
                unmatched.remove(i);
                unmatched.addAll(i, parts);
            }
            unplaced += budget;
        }
        List<SequenceRange> unexplained = unmatched.stream().map(r -> new SequenceRange(r[0], r[1])).toList();
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
                declared, unplaced, failovers, verdict);
    }
}
