package io.ipdrsp.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * One SESSION_START..SESSION_STOP stretch of a document as one node received it.
 *
 * @param primary            whether the exporter treated this node as its primary collector for the stretch
 * @param firstRecordSeq     firstRecordSequenceNumber of SESSION_START
 * @param droppedRecordCount droppedRecordCount of SESSION_START
 * @param stoppedAt          null while the stretch is open
 * @param stopReasonCode     SESSION_STOP reasonCode, or null while open
 * @param stopReasonInfo     SESSION_STOP reasonInfo, or null
 */
public record Segment(RecordKey key, Instant startedAt, String node, boolean primary, long firstRecordSeq,
        long droppedRecordCount, int ackTimeInterval, int ackSequenceInterval, Instant stoppedAt,
        Integer stopReasonCode, String stopReasonInfo) {
    public Segment {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(node, "node");
    }
}
