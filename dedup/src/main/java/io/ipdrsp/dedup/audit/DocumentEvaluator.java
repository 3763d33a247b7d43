package io.ipdrsp.dedup.audit;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.DuplicateCount;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import io.ipdrsp.storage.StoredSequences;
import java.time.Instant;
import java.util.List;

/** Reads one document's verdict inputs from Cassandra (the source of truth) and evaluates them. Synchronous. */
final class DocumentEvaluator {
    private final CassandraStorage storage;
    private final DefaultConsistencyLevel readConsistency;
    private final boolean startsAtZero;

    DocumentEvaluator(CassandraStorage storage, DefaultConsistencyLevel readConsistency, boolean startsAtZero) {
        this.storage = storage;
        this.readConsistency = readConsistency;
        this.startsAtZero = startsAtZero;
    }

    /** Everything a verdict depends on, as read now. */
    record Inputs(List<Segment> segments, StoredSequences stored, List<DuplicateCount> duplicates,
            long integrityConflicts) {
        long duplicatesTotal() {
            return duplicates.stream().mapToLong(DuplicateCount::total).sum();
        }
    }

    Inputs read(RecordKey key, List<Segment> segments) {
        StoredSequences stored = storage.audit().storedSequences(key, readConsistency);
        // duplicates removed = receipts beyond each stored version's first (docs/storage.md), from the same scan
        List<DuplicateCount> dups = stored.duplicates();
        long conflicts = storage.conflictCount(key, stored);
        return new Inputs(SegmentReach.withStored(segments, stored.reached()), stored, dups, conflicts);
    }

    Completeness.Evaluation evaluate(Inputs in, boolean finalized) {
        return Completeness.evaluate(in.stored().ranges(), in.segments(), startsAtZero, finalized);
    }

    /** The latest segment start or stop: what changes when an exporter resumes a document or a node reports a stop. */
    static Instant lastActivity(List<Segment> segments) {
        Instant last = Instant.EPOCH;
        for (Segment s : segments) {
            if (s.startedAt().isAfter(last)) {
                last = s.startedAt();
            }
            if (s.stoppedAt() != null && s.stoppedAt().isAfter(last)) {
                last = s.stoppedAt();
            }
        }
        return last;
    }

    static AuditRow row(RecordKey key, Instant startedAt, String state, String trigger, Inputs in,
            Completeness.Evaluation e, Instant lastActivity, int reopenCount, Instant finalizedAt, String finalizedBy,
            long fenceToken, int version, boolean rechecked) {
        return new AuditRow(key, startedAt, state, e.verdict().name(), trigger, e.expectedFirst(), e.expectedLast(),
                e.recordsHeld(), e.held(), e.missing(), e.unexplained(), e.declaredDrops(), e.matchedCount(),
                e.declaredUnplaced(), in.duplicatesTotal(), in.integrityConflicts(), in.segments().size(),
                e.failovers(), in.stored().perNode(), lastActivity, reopenCount, finalizedAt, finalizedBy, fenceToken,
                version, rechecked);
    }
}
