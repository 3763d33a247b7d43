package io.ipdrsp.storage;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One document's completeness audit as dedup's finalizer wrote it ({@code document_audit}; the summary columns also in
 * {@code audit_by_day}). Ranges are inclusive sequence ranges. Rows read from {@code audit_by_day} have an empty
 * {@code held} list and no fencing columns (token -1, version 0).
 *
 * @param state            OPEN, SUSPENDED, REOPENED or FINAL
 * @param verdict          COMPLETE, COMPLETE_WITH_DECLARED_DROPS, INCOMPLETE or OPEN
 * @param trigger          what made the document final (SESSION_STOP 0, exporter reboot, idle, ...), or null
 * @param expectedFirst    first DSN the document should hold; -1 when nothing is known
 * @param expectedLast     highest DSN known to exist (records or segment information); -1 when nothing is known
 * @param declaredDrops    the droppedRecordCounts the exporter declared (one per restart point, from any segment)
 * @param declaredMatched  missing DSNs explained by those declarations
 * @param declaredUnplaced declared drops that lie before this document (the rest of declaredDrops - declaredMatched
 *                         are records stored all the same: the exporter dropped them after a collector received them)
 * @param nodes            records stored per node (the node that wrote each stored row last)
 * @param lastActivity     the latest segment start/stop seen when evaluated (change detection for re-opening)
 * @param fenceToken       the finalizing leader's fencing token (guards the conditional write)
 * @param version          incremented by every write of the row (optimistic concurrency)
 */
public record AuditRow(RecordKey key, Instant startedAt, String state, String verdict, String trigger,
        long expectedFirst, long expectedLast, long recordsHeld, List<SequenceRange> held,
        List<SequenceRange> missing, List<SequenceRange> unexplained, long declaredDrops, long declaredMatched,
        long declaredUnplaced, long duplicates, long integrityConflicts, int segments, int failovers,
        Map<String, Long> nodes, Instant lastActivity, int reopenCount, Instant finalizedAt, String finalizedBy,
        long fenceToken, int version, boolean rechecked) {
    public AuditRow {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(verdict, "verdict");
        held = List.copyOf(held);
        missing = List.copyOf(missing);
        unexplained = List.copyOf(unexplained);
        nodes = Map.copyOf(nodes);
    }

    /** Missing sequence numbers (not ranges). */
    public long missingCount() {
        return missing.stream().mapToLong(SequenceRange::count).sum();
    }

    /** Missing sequence numbers that no declared drop explains. */
    public long unexplainedCount() {
        return unexplained.stream().mapToLong(SequenceRange::count).sum();
    }
}
