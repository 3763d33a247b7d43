package io.ipdrsp.dedup.audit;

import io.ipdrsp.storage.Segment;
import io.ipdrsp.storage.StoredSequences;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How far each segment got by what it made durable, not only by what its node reported. A segment's highest DSN is
 * written with its acks, at most once a second, and at SESSION_STOP: a node killed or frozen first leaves it stale or
 * missing, and {@link SegmentOrder} then sorts the stretch too early or takes it for one that carried no data — two
 * changes of collector collapsed into one (the chaos soak: 1,121 failovers counted of 1,181). Every stored version
 * keeps the receipts of the stretches that wrote it, and a receipt's stretch number is its node's clock when the
 * stretch began (microseconds), just after the node started the segment on that same clock: so a receipt belongs to
 * its node's latest segment that started no later than the receipt's stretch.
 */
final class SegmentReach {
    private SegmentReach() {
    }

    /** {@code segments}, each with its highest DSN raised to the highest one stored with its receipts. */
    static List<Segment> withStored(List<Segment> segments, List<StoredSequences.Reach> reached) {
        if (reached.isEmpty() || segments.isEmpty()) {
            return segments;
        }
        List<Segment> byStart = new ArrayList<>(segments);
        byStart.sort(Comparator.comparing(Segment::startedAt));
        long[] highest = new long[byStart.size()];
        for (int i = 0; i < highest.length; i++) {
            Long h = byStart.get(i).highestSeq();
            highest[i] = h == null ? Long.MIN_VALUE : h;
        }
        for (StoredSequences.Reach r : reached) {
            int owner = -1;
            for (int i = 0; i < byStart.size(); i++) {
                Segment s = byStart.get(i);
                long startMicros = s.startedAt().getEpochSecond() * 1_000_000L + s.startedAt().getNano() / 1_000;
                if (s.node().equals(r.node()) && startMicros <= r.stretch()) {
                    owner = i; // the latest so far: segments are in start order
                }
            }
            if (owner >= 0 && r.highestSeq() > highest[owner]) {
                highest[owner] = r.highestSeq();
            }
        }
        List<Segment> out = new ArrayList<>(segments.size());
        for (Segment s : segments) {
            int i = byStart.indexOf(s);
            Long h = s.highestSeq();
            out.add(highest[i] == Long.MIN_VALUE || (h != null && h == highest[i]) ? s
                    : new Segment(s.key(), s.startedAt(), s.node(), s.primary(), s.firstRecordSeq(),
                            s.droppedRecordCount(), s.ackTimeInterval(), s.ackSequenceInterval(), s.stoppedAt(),
                            s.stopReasonCode(), s.stopReasonInfo(), highest[i]));
        }
        return out;
    }
}
