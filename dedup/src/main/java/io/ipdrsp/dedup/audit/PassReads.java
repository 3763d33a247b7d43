package io.ipdrsp.dedup.audit;

import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.IndexedDocument;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What one exporter pass reads before it decides anything: the index entries it looks at (the whole look-back on a
 * sweep, else the recent part plus what the previous pass carried, {@link Unsettled}), the summaries on a sweep, and
 * the audit row and segments of every document that is not quiet ({@link QuietDocuments}) — or that a newer document
 * or exporterBootTime may have triggered although it was. Blocking, on a finalizer worker thread.
 *
 * @param index     the index entries looked at
 * @param docs      the documents read
 * @param summaries the exporter's summaries ({@code audit_by_day}) on a sweep, else null
 * @param problems  document → why reading it failed
 * @param bootSeen  exporterBootTime → the first segment start seen with it
 * @param siblings  the latest start per session and boot
 * @param skipped   quiet documents not read
 */
record PassReads(List<IndexedDocument> index, List<Doc> docs, Map<RecordKey, AuditRow> summaries,
        Map<RecordKey, String> problems, Map<Long, Instant> bootSeen, FinalizationTrigger.Siblings siblings,
        int skipped) {

    /** How far back a pass between sweeps reads the index ({@link Unsettled}), and how far ahead (skewed clocks). */
    static final Duration RECENT = Duration.ofHours(2);
    static final Duration RECENT_AHEAD = Duration.ofHours(1);

    /** What a pass knows about one document. */
    record Doc(IndexedDocument index, List<Segment> segments, Optional<AuditRow> row, Instant activity) {
        RecordKey key() {
            return index.key();
        }
    }

    static PassReads read(String exporter, boolean sweep, Unsettled before, Instant now, CassandraStorage storage,
            FinalizerSettings settings, QuietDocuments quiet) {
        Instant from = now.minus(sweep ? settings.lookback() : RECENT);
        Instant to = now.plus(sweep ? Duration.ofDays(1) : RECENT_AHEAD);
        List<IndexedDocument> index = storage.documents().documentsStarted(exporter, from, to,
                settings.readConsistency());
        if (!sweep) {
            index = before.with(index);
        }
        Map<RecordKey, AuditRow> summaries = null;
        if (sweep) {
            summaries = new HashMap<>();
            for (AuditRow r : storage.audit().auditByDay(exporter, from, to)) {
                summaries.put(r.key(), r);
            }
        }
        Reader reader = new Reader(storage, settings, sweep ? new HashMap<>() : before.bootSeenSoFar());
        List<IndexedDocument> untriggered = new ArrayList<>(); // skipped while no trigger of theirs was known
        int skipped = 0;
        for (IndexedDocument d : index) {
            QuietDocuments.Skip skip = quiet.skip(d, now, sweep, sweep ? summaries.get(d.key()) : null);
            if (skip == null) {
                reader.read(d);
                continue;
            }
            skipped++;
            reader.boot(d.key().bootTime(), skip.bootSeen());
            if (skip.untriggered()) {
                untriggered.add(d);
            }
        }
        FinalizationTrigger.Siblings siblings = sweep ? FinalizationTrigger.Siblings.of(index)
                : FinalizationTrigger.Siblings.of(index).with(before.siblings());
        for (IndexedDocument d : untriggered) { // a newer document or exporterBootTime may trigger them now
            if (siblings.newerThan(d) || reader.bootSeen.keySet().stream().anyMatch(b -> b > d.key().bootTime())) {
                skipped--;
                reader.read(d);
            }
        }
        return new PassReads(index, reader.docs, summaries, reader.problems, reader.bootSeen, siblings, skipped);
    }

    private static final class Reader {
        private final CassandraStorage storage;
        private final FinalizerSettings settings;
        private final Map<Long, Instant> bootSeen;
        private final List<Doc> docs = new ArrayList<>();
        private final Map<RecordKey, String> problems = new LinkedHashMap<>();

        Reader(CassandraStorage storage, FinalizerSettings settings, Map<Long, Instant> bootSeen) {
            this.storage = storage;
            this.settings = settings;
            this.bootSeen = bootSeen;
        }

        void boot(long bootTime, Instant segmentStart) {
            bootSeen.merge(bootTime, segmentStart, (a, b) -> a.isBefore(b) ? a : b);
        }

        /** The document's audit row and segments; a failure is the document's problem, not the pass's. */
        void read(IndexedDocument d) {
            try {
                CompletionStage<Optional<AuditRow>> row = storage.audit().audit(d.key(), settings.readConsistency());
                List<Segment> segments = storage.documents().segments(d.key(), settings.readConsistency());
                docs.add(new Doc(d, segments, VerdictWriter.await(row), DocumentEvaluator.lastActivity(segments)));
                segments.forEach(s -> boot(d.key().bootTime(), s.startedAt()));
            } catch (RuntimeException e) {
                problems.put(d.key(), "reading it failed: " + e);
            }
        }
    }
}
