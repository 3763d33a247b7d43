package io.ipdrsp.dedup.audit;

import io.ipdrsp.storage.SequenceRange;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code GET /api/audit}: per CMTS, the documents started in [from, to) with their verdicts and figures. */
public record AuditReport(Instant from, Instant to, Instant generatedAt, List<ExporterAudit> exporters) {

    /**
     * One CMTS over the interval. Figures are sums over its documents; {@code nodes} = records stored per node.
     *
     * @param missing     missing records (explained or not)
     * @param unexplained missing records no declared drop explains
     */
    public record ExporterAudit(String exporter, int documents, Map<String, Integer> byVerdict, long recordsHeld,
            long missing, long declaredDrops, long declaredMatched, long unexplained, long duplicatesRemoved,
            long integrityConflicts, int failovers, int reopened, Map<String, Long> nodes,
            List<DocumentSummary> documentList) {
    }

    /**
     * One document's audit (from {@code audit_by_day}, or evaluated live while it has no audit row yet).
     *
     * @param declaredMatched  missing records the exporter's declared drops explain
     * @param declaredReceived records the exporter declared dropped that are stored all the same (it dropped them
     *                         after a collector had received them; nothing is missing there)
     * @param declaredUnplaced declared drops that lie before this document (announced at its first SESSION_START)
     */
    public record DocumentSummary(String exporter, int sessionId, String documentId, long bootTime, Instant startedAt,
            String state, String verdict, String trigger, long expectedFirst, long expectedLast, long recordsHeld,
            long missingCount, List<SequenceRange> missing, long unexplainedCount, List<SequenceRange> unexplained,
            long declaredDrops, long declaredMatched, long declaredReceived, long declaredUnplaced, long duplicates,
            long integrityConflicts, int segments, int failovers, Map<String, Long> nodes, int reopenCount,
            Instant finalizedAt, String finalizedBy) {
    }
}
