package io.ipdrsp.dedup.audit;

import io.ipdrsp.storage.Segment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A document's segments in the order the <b>exporter</b> produced them, from what it said (SP 2.1 digest §1.9,
 * ruling 4): never from the collectors' clocks, which differ between nodes (two segments 16 ms apart on two nodes
 * once put a hand-off after the end of the document and left it suspended for 15 minutes).
 *
 * <p>The key of a segment is how far the exporter had got by its end: its <em>position</em>
 * {@code max(firstRecordSequenceNumber - 1, highest DSN received in it)} (DSNs only grow within a document). Ties —
 * segments that carried no data, or whose highest DSN the node did not report — are broken by
 * firstRecordSequenceNumber, then a SESSION_STOP that ended the document (0/2/6) after every other stop, then a
 * segment still open after a stopped one (it is the stretch under way); only then, among segments the exporter's
 * facts cannot tell apart, the node clock and the node name, so that every reader sorts the same rows the same way.
 *
 * <p>The {@code primary} flag is not used: it tells which collector the exporter is configured to prefer, not who
 * receives the data (in the vendor guide's failover the standby gets {@code primary=false} and the whole stream).
 */
final class SegmentOrder {
    private SegmentOrder() {
    }

    static final Comparator<Segment> EXPORTER_ORDER = Comparator.comparingLong(SegmentOrder::position)
            .thenComparingLong(Segment::firstRecordSeq)
            .thenComparing(Segment::endedDocument)
            .thenComparing(s -> s.stoppedAt() == null)
            .thenComparing(Segment::startedAt)
            .thenComparing(Segment::node);

    /** The highest DSN the exporter had produced by the end of the segment, as far as the segment shows. */
    static long position(Segment s) {
        long p = s.firstRecordSeq() - 1;
        return s.highestSeq() != null && s.highestSeq() > p ? s.highestSeq() : p;
    }

    static List<Segment> sorted(List<Segment> segments) {
        List<Segment> out = new ArrayList<>(segments);
        out.sort(EXPORTER_ORDER);
        return out;
    }

    /** The last segment in the exporter's order, or null. */
    static Segment latest(List<Segment> segments) {
        return segments.stream().max(EXPORTER_ORDER).orElse(null);
    }

    /**
     * When the exporter ended the document: the earliest stop of a segment that received SESSION_STOP 0, 2 or 6, or
     * null. Such a stop ends the documentId for good (SP 2.1 §4.3.4: the next SESSION_START carries a new one), so a
     * segment that sorts after it — a SESSION_START a node processed late, then its hand-off — cannot re-open it.
     */
    static Instant ended(List<Segment> segments) {
        Instant at = null;
        for (Segment s : segments) {
            if (s.endedDocument() && s.stoppedAt() != null && (at == null || s.stoppedAt().isBefore(at))) {
                at = s.stoppedAt();
            }
        }
        return at;
    }

    /**
     * Whether the segment carried the data stream: it received a DSN when the node reported its highest one; when it
     * did not (rows before migration 6, a stretch still open), the exporter's {@code primary} flag is the best hint.
     */
    static boolean carriedData(Segment s) {
        return s.highestSeq() != null ? s.highestSeq() >= 0 : s.primary();
    }

    /** A drop declaration: SESSION_START's firstRecordSequenceNumber and droppedRecordCount. */
    record Declaration(long firstRecordSeq, long count) {
    }

    /**
     * The drops the exporter declared, in DSN order, from <b>every</b> segment whatever its primary flag (the
     * declaration comes with the SESSION_START that resumes the stream, on whichever collector gets it). The same
     * SESSION_START seen by several collectors — the same (firstRecordSequenceNumber, droppedRecordCount) — counts
     * once; two different counts at one restart point are two successive declarations (the exporter restarted there
     * twice, dropping more in between).
     */
    static List<Declaration> declarations(List<Segment> segments) {
        java.util.TreeSet<Declaration> out = new java.util.TreeSet<>(Comparator
                .comparingLong(Declaration::firstRecordSeq).thenComparingLong(Declaration::count));
        for (Segment s : segments) {
            if (s.droppedRecordCount() > 0) {
                out.add(new Declaration(s.firstRecordSeq(), s.droppedRecordCount()));
            }
        }
        return List.copyOf(out);
    }

    /** Changes of collector between consecutive data-carrying segments in the exporter's order. */
    static int failovers(List<Segment> segments) {
        int n = 0;
        String previous = null;
        for (Segment s : sorted(segments)) {
            if (!carriedData(s)) {
                continue;
            }
            if (previous != null && !previous.equals(s.node())) {
                n++;
            }
            previous = s.node();
        }
        return n;
    }
}
