package io.ipdrsp.dedup.audit;

import io.ipdrsp.storage.SequenceRange;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/audit/documents/{exporter}/{session}/{documentId}/{bootTime}}: the stored verdict, the same figures
 * evaluated now from Cassandra, the segments (which node received which stretch) and every gap.
 *
 * @param recorded the audit row as the finalizer last wrote it, or null
 * @param live     evaluated now (verdict OPEN unless the recorded row is final)
 */
public record DocumentAudit(AuditReport.DocumentSummary recorded, AuditReport.DocumentSummary live,
        List<SequenceRange> held, List<Gap> gaps, List<SegmentView> segments, List<DuplicatesView> duplicates,
        List<ConflictView> integrityConflicts, List<EventView> history) {

    /** A missing range; {@code declared} = covered by a declared drop (droppedRecordCount). */
    public record Gap(long first, long last, long count, boolean declared) {
    }

    public record SegmentView(String node, boolean primary, Instant startedAt, Instant stoppedAt,
            long firstRecordSequenceNumber, long droppedRecordCount, Integer stopReasonCode, String stopReasonInfo) {
    }

    public record DuplicatesView(String node, long flagged, long unflagged) {
    }

    public record ConflictView(long seq, Instant detectedAt, String detectedBy, String note) {
    }

    public record EventView(Instant at, String node, String event, String verdict, String detail) {
    }
}
