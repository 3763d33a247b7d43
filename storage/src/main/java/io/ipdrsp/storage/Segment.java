package io.ipdrsp.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * One SESSION_START..SESSION_STOP stretch of a document as one node received it.
 *
 * @param startedAt          this node's clock at SESSION_START: with {@code node} it keys the row; it is not an order
 *                           between nodes (see {@code SegmentOrder} in dedup: segments are ordered by the exporter's
 *                           own facts)
 * @param primary            the exporter's {@code primary} flag of SESSION_START (which collector is its configured
 *                           primary, not necessarily who receives the data: SP 2.1 digest §1.9)
 * @param firstRecordSeq     firstRecordSequenceNumber of SESSION_START
 * @param droppedRecordCount droppedRecordCount of SESSION_START
 * @param stoppedAt          null while the stretch is open
 * @param stopReasonCode     SESSION_STOP reasonCode, or null while open or when the stretch ended without one
 * @param stopReasonInfo     SESSION_STOP reasonInfo, or null
 * @param highestSeq         the highest DSN this node received in the stretch, -1 when it received none, null when
 *                           not reported (rows written before migration 6, or a stretch still open)
 */
public record Segment(RecordKey key, Instant startedAt, String node, boolean primary, long firstRecordSeq,
        long droppedRecordCount, int ackTimeInterval, int ackSequenceInterval, Instant stoppedAt,
        Integer stopReasonCode, String stopReasonInfo, Long highestSeq) {
    public Segment {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(node, "node");
    }

    /** A segment whose highest received DSN is not reported. */
    public Segment(RecordKey key, Instant startedAt, String node, boolean primary, long firstRecordSeq,
            long droppedRecordCount, int ackTimeInterval, int ackSequenceInterval, Instant stoppedAt,
            Integer stopReasonCode, String stopReasonInfo) {
        this(key, startedAt, node, primary, firstRecordSeq, droppedRecordCount, ackTimeInterval, ackSequenceInterval,
                stoppedAt, stopReasonCode, stopReasonInfo, null);
    }

    /** This segment with {@code seq} as its highest received DSN. */
    public Segment withHighestSeq(long seq) {
        return new Segment(key, startedAt, node, primary, firstRecordSeq, droppedRecordCount, ackTimeInterval,
                ackSequenceInterval, stoppedAt, stopReasonCode, stopReasonInfo, seq);
    }

    /** SESSION_STOP 0 (end of data), 2 (exporter terminating) or 6 (end of IPDRDoc): the documentId is done. */
    public boolean endedDocument() {
        return stopReasonCode != null && (stopReasonCode == 0 || stopReasonCode == 2 || stopReasonCode == 6);
    }
}
