package io.ipdrsp.dedup.audit;

import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.IndexedDocument;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Documents a leader has read and found quiet, so that its passes skip their reads (the audit row and the segments:
 * two requests per document per pass) until something changes. Without this a pass costs O(documents in the look-back
 * and under way): at 1,000 CMTSes × 3 sessions the finalizer's reads of unchanged documents took the CPU that the
 * boundary's verdicts needed (docs/performance.md "Fleet").
 *
 * <p>A quiet document is read again as soon as any of these holds:
 * <ul>
 * <li>its index entry's {@code touched_at} differs from the one seen (a segment started or stopped anywhere: storage
 *     touches the entry after the segment row, so a reader that sees the touch finds the segment);</li>
 * <li>its time comes: a final one's re-check ({@code recheckAfter} after the verdict, then at doubling intervals:
 *     late records that came without a segment, e.g. replicated from another site), a stopped one's verdict (its
 *     trigger + grace), an open or suspended one's idle trigger;</li>
 * <li>it had no trigger and a newer document started on its session or a newer exporterBootTime appeared (the pass
 *     asks, {@link Skip#untriggered()});</li>
 * <li>its summary in {@code audit_by_day} differs from the row seen (a verdict write whose answer was lost);</li>
 * <li>the leadership of its exporter was lost (a new term starts with nothing cached).</li>
 * </ul>
 * A document becomes quiet only once it was read at least {@code grace} after its last touch: the writes of other
 * nodes and sites that the grace waits for have landed by then. Entries without {@code touched_at} (written before
 * schema migration 7) are never quiet. Leader-local, bounded by the look-back (entries leave with their index entries)
 * and by {@link #MAX_ENTRIES}.
 */
final class QuietDocuments {
    /**
     * What a skipped document still contributes to a pass, and what its summary must show (epoch milliseconds).
     *
     * @param bootSeen the earliest segment start of the document (a newer exporterBootTime triggers older documents)
     */
    private record Quiet(long touchedAt, long bootSeen, long nextLook, boolean untriggered, String state,
            String verdict, long recordsHeld, int reopenCount, String finalizedBy) {
        boolean shows(AuditRow summary) {
            return summary != null && state.equals(summary.state()) && verdict.equals(summary.verdict())
                    && recordsHeld == summary.recordsHeld() && reopenCount == summary.reopenCount()
                    && Objects.equals(finalizedBy, summary.finalizedBy());
        }
    }

    /**
     * A skipped document.
     *
     * @param bootSeen    its earliest segment start, counted for its exporterBootTime
     * @param untriggered it is not final and had no trigger: read after all if a newer document or boot triggers it
     */
    record Skip(Instant bootSeen, boolean untriggered) {
    }

    /**
     * Entries kept at most: about 250 bytes each (key, exporter name, UUID, entry), so 500,000 is about 120 MiB. A
     * leader of more documents than that in its look-back reads the rest every pass, as before this cache existed,
     * rather than running out of heap; a shorter {@code audit.lookbackHours} keeps them all.
     */
    static final int MAX_ENTRIES = 500_000;

    private final Map<RecordKey, Quiet> quiet = new ConcurrentHashMap<>();
    private final int maxEntries;

    QuietDocuments() {
        this(MAX_ENTRIES);
    }

    QuietDocuments(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /**
     * Whether a pass may skip {@code d}: quiet, untouched since, its time not come, and (on a pass that checks
     * summaries, {@code checking}) its summary shows the row seen.
     *
     * @return null to read the document
     */
    Skip skip(IndexedDocument d, Instant now, boolean checking, AuditRow summary) {
        Quiet q = quiet.get(d.key());
        if (q == null || d.touchedAt() == null || d.touchedAt().toEpochMilli() != q.touchedAt()
                || now.toEpochMilli() >= q.nextLook() || (checking && !q.shows(summary))) {
            return null;
        }
        return new Skip(Instant.ofEpochMilli(q.bootSeen()), q.untriggered());
    }

    /**
     * After a pass handled {@code d}: quiet when its row is known and it was read {@code grace} after its last touch;
     * otherwise read again next pass.
     *
     * @param row         the document's row as it is in Cassandra after the pass, or null when not known
     * @param nextLook    when its time comes (see the class comment)
     * @param untriggered not final, and no trigger
     */
    void handled(IndexedDocument d, List<Segment> segments, AuditRow row, Instant nextLook, boolean untriggered,
            Instant now, Duration grace) {
        if (row == null || d.touchedAt() == null || now.isBefore(d.touchedAt().plus(grace)) || segments.isEmpty()
                || !nextLook.isAfter(now)) {
            quiet.remove(d.key());
            return;
        }
        if (quiet.size() >= maxEntries && !quiet.containsKey(d.key())) {
            return; // full: read every pass
        }
        long boot = segments.stream().mapToLong(s -> s.startedAt().toEpochMilli()).min().orElseThrow();
        quiet.put(d.key(), new Quiet(d.touchedAt().toEpochMilli(), boot, nextLook.toEpochMilli(), untriggered,
                row.state(), row.verdict(), row.recordsHeld(), row.reopenCount(), row.finalizedBy()));
    }

    /**
     * Quiet with nothing due by time: final, or without a trigger. A pass between sweeps need not carry it
     * ({@link Unsettled}): a change to it shows in its index entry, read again at the next sweep if it is older than
     * the recent part of the index.
     */
    boolean isSettled(RecordKey key) {
        Quiet q = quiet.get(key);
        return q != null && (q.untriggered() || DocumentFinalizer.STATE_FINAL.equals(q.state()));
    }

    void remove(RecordKey key) {
        quiet.remove(key);
    }

    /** Keeps the exporter's entries that are still in its look-back ({@code indexed}). */
    void retain(String exporter, Set<RecordKey> indexed) {
        quiet.keySet().removeIf(k -> k.exporter().equals(exporter) && !indexed.contains(k));
    }

    /** The exporter's leadership was lost: its next term reads everything once. */
    void forget(String exporter) {
        quiet.keySet().removeIf(k -> k.exporter().equals(exporter));
    }

    int size() {
        return quiet.size();
    }
}
