package io.ipdrsp.dedup.audit;

import io.ipdrsp.storage.Receipt;
import io.ipdrsp.storage.Segment;
import io.ipdrsp.storage.StoredSequences;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How far each segment got by what it made durable, not only by what its node reported. A segment's highest DSN is
 * written with its first ack, then at most every 10 s, and at SESSION_STOP: a node killed or frozen first leaves it
 * stale or missing, and {@link SegmentOrder} then sorts the stretch too early or takes it for one that carried no data
 * — two changes of collector collapsed into one (the chaos soak: 1,121 failovers counted of 1,181). Every stored
 * version keeps the receipts of the stretches that wrote it, and a receipt's stretch number is its node's clock when
 * the stretch began (microseconds), just after the node started the segment on that same clock: so a receipt belongs
 * to its node's latest segment that started no later than the receipt's stretch.
 */
final class SegmentReach {
    private SegmentReach() {
    }

    /** {@code segments}, each with its highest DSN raised to the highest one stored with its receipts. */
    static List<Segment> withStored(List<Segment> segments, List<StoredSequences.Reach> reached) {
        Map<Segment, Long> raised = new HashMap<>();
        for (StoredSequences.Reach r : reached) {
            Segment owner = ownerOf(segments, r.receipt());
            if (owner != null && (owner.highestSeq() == null || r.highestSeq() > owner.highestSeq())) {
                raised.merge(owner, r.highestSeq(), Math::max);
            }
        }
        if (raised.isEmpty()) {
            return segments;
        }
        List<Segment> out = new ArrayList<>(segments.size());
        for (Segment s : segments) {
            Long h = raised.get(s);
            out.add(h == null ? s : s.withHighestSeq(h));
        }
        return out;
    }

    /** The receipt's node's latest segment that started no later than the receipt's stretch; null if none. */
    private static Segment ownerOf(List<Segment> segments, Receipt receipt) {
        Segment owner = null;
        for (Segment s : segments) {
            Instant start = s.startedAt();
            long startMicros = start.getEpochSecond() * 1_000_000L + start.getNano() / 1_000;
            if (s.node().equals(receipt.node()) && startMicros <= receipt.stretch()
                    && (owner == null || start.isAfter(owner.startedAt()))) {
                owner = s;
            }
        }
        return owner;
    }
}
