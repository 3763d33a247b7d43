package io.ipdrsp.dedup.audit;

import io.ipdrsp.storage.AuditEvent;
import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.AuditStore;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.IndexedDocument;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import io.ipdrsp.storage.SequenceRange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The audit queries, answered from Cassandra only: {@code documents_by_time} says which documents an exporter started
 * in an interval, {@code audit_by_day} holds their verdict summaries (one partition per exporter and day); documents
 * without a summary yet are evaluated live (a read of their stored sequence numbers). Synchronous: call it from a
 * request thread, never from an event loop.
 */
public final class AuditService {
    /** Documents without an audit row that one report evaluates live; more are listed as NOT_EVALUATED. */
    private static final int MAX_LIVE = 200;

    private final CassandraStorage storage;
    private final AuditStore audit;
    private final DocumentEvaluator evaluator;

    public AuditService(CassandraStorage storage, FinalizerSettings settings) {
        this.storage = storage;
        this.audit = storage.audit();
        this.evaluator = new DocumentEvaluator(storage, settings.readConsistency(), settings.startsAtZero());
    }

    /**
     * Per exporter, the documents started in [from, to). {@code cmts} null = every exporter in
     * {@code knownExporters} (e.g. the node's configuration) and every exporter with audit rows on those days.
     */
    public AuditReport report(Instant from, Instant to, String cmts, Collection<String> knownExporters) {
        TreeSet<String> exporters = new TreeSet<>();
        if (cmts != null) {
            if (!knownExporters.contains(cmts) && !storage.documents().exportersSeen().contains(cmts)
                    && audit.auditedExporters(from, to).stream().noneMatch(cmts::equals)) {
                throw new UnknownExporter(cmts, known(from, to, knownExporters));
            }
            exporters.add(cmts);
        } else {
            exporters.addAll(knownExporters);
            exporters.addAll(audit.auditedExporters(from, to));
        }
        int[] live = {0};
        List<AuditReport.ExporterAudit> out = new ArrayList<>();
        for (String exporter : exporters) {
            Map<RecordKey, AuditRow> summaries = new HashMap<>();
            for (AuditRow r : audit.auditByDay(exporter, from, to)) {
                summaries.put(r.key(), r);
            }
            List<AuditReport.DocumentSummary> docs = new ArrayList<>();
            for (IndexedDocument d : storage.documents().documentsStarted(exporter, from, to, null)) {
                AuditRow r = summaries.remove(d.key());
                if (r != null) {
                    docs.add(summary(r));
                } else if (live[0]++ < MAX_LIVE) {
                    docs.add(liveSummary(d.key(), d.startedAt(), storage.segments(d.key())));
                } else {
                    docs.add(new AuditReport.DocumentSummary(exporter, d.key().sessionId(),
                            d.key().documentId().toString(), d.key().bootTime(), d.startedAt(), "NOT_EVALUATED",
                            Verdict.OPEN.name(), null, -1, -1, 0, 0, List.of(), 0, List.of(), 0, 0, 0, 0, 0, 0, 0, 0,
                            Map.of(), 0, null, null));
                }
            }
            summaries.values().forEach(r -> docs.add(summary(r))); // summary written before the index row was seen
            docs.sort(Comparator.comparing(AuditReport.DocumentSummary::startedAt)
                    .thenComparingInt(AuditReport.DocumentSummary::sessionId)
                    .thenComparing(AuditReport.DocumentSummary::documentId));
            out.add(aggregate(exporter, docs));
        }
        return new AuditReport(from, to, Instant.now(), out);
    }

    /** An audit asked for a CMTS nobody knows: not configured here, never seen in Cassandra. */
    public static final class UnknownExporter extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final List<String> known;

        UnknownExporter(String name, List<String> known) {
            super("unknown CMTS '" + name + "': no node has stored a document of it; known CMTSes: "
                    + (known.isEmpty() ? "none yet" : String.join(", ", known)));
            this.known = List.copyOf(known);
        }

        public List<String> known() {
            return known;
        }
    }

    /**
     * The CMTSes an audit can answer for: configured on this node, seen by any node (a document claimed since
     * migration 6) or audited in [from, to).
     */
    public List<String> known(Instant from, Instant to, Collection<String> configured) {
        TreeSet<String> out = new TreeSet<>(configured);
        out.addAll(storage.documents().exportersSeen());
        out.addAll(audit.auditedExporters(from, to));
        return List.copyOf(out);
    }

    private static AuditReport.ExporterAudit aggregate(String exporter, List<AuditReport.DocumentSummary> docs) {
        Map<String, Integer> byVerdict = new LinkedHashMap<>();
        for (Verdict v : Verdict.values()) {
            byVerdict.put(v.name(), 0);
        }
        long held = 0, missing = 0, declared = 0, matched = 0, unexplained = 0, dups = 0, conflicts = 0;
        int failovers = 0, reopened = 0;
        Map<String, Long> nodes = new TreeMap<>();
        for (AuditReport.DocumentSummary d : docs) {
            byVerdict.merge(d.verdict(), 1, Integer::sum);
            held += d.recordsHeld();
            missing += d.missingCount();
            declared += d.declaredDrops();
            matched += d.declaredMatched();
            unexplained += d.unexplainedCount();
            dups += d.duplicates();
            conflicts += d.integrityConflicts();
            failovers += d.failovers();
            reopened += d.reopenCount() > 0 ? 1 : 0;
            d.nodes().forEach((n, c) -> nodes.merge(n, c, Long::sum));
        }
        return new AuditReport.ExporterAudit(exporter, docs.size(), byVerdict, held, missing, declared, matched,
                unexplained, dups, conflicts, failovers, reopened, nodes, docs);
    }

    static AuditReport.DocumentSummary summary(AuditRow r) {
        return new AuditReport.DocumentSummary(r.key().exporter(), r.key().sessionId(),
                r.key().documentId().toString(), r.key().bootTime(), r.startedAt(), r.state(), r.verdict(),
                r.trigger(), r.expectedFirst(), r.expectedLast(), r.recordsHeld(), r.missingCount(), r.missing(),
                r.unexplainedCount(), r.unexplained(), r.declaredDrops(), r.declaredMatched(),
                r.declaredDrops() - r.declaredMatched() - r.declaredUnplaced(), r.declaredUnplaced(),
                r.duplicates(), r.integrityConflicts(), r.segments(), r.failovers(), new TreeMap<>(r.nodes()),
                r.reopenCount(), finalOnly(r, r.finalizedAt()), finalOnly(r, r.finalizedBy()));
    }

    /** Rows written before provisional states stopped carrying them: an OPEN document has no finalizer. */
    private static <T> T finalOnly(AuditRow r, T value) {
        return DocumentFinalizer.STATE_FINAL.equals(r.state()) ? value : null;
    }

    private AuditReport.DocumentSummary liveSummary(RecordKey key, Instant startedAt, List<Segment> segments) {
        DocumentEvaluator.Inputs in = evaluator.read(key, segments);
        Completeness.Evaluation e = evaluator.evaluate(in, false);
        return summary(DocumentEvaluator.row(key, startedAt, "NOT_AUDITED", null, in, e,
                DocumentEvaluator.lastActivity(segments), 0, null, null, -1, 0, false));
    }

    /** The drill-down of one document, or empty when Cassandra knows nothing of it. */
    public Optional<DocumentAudit> document(RecordKey key) {
        Optional<AuditRow> recorded = await(audit.audit(key, null));
        List<Segment> segments = storage.segments(key);
        DocumentEvaluator.Inputs in = evaluator.read(key, segments);
        if (recorded.isEmpty() && segments.isEmpty() && in.stored().ranges().isEmpty()) {
            return Optional.empty();
        }
        boolean isFinal = recorded.map(r -> DocumentFinalizer.STATE_FINAL.equals(r.state())).orElse(false);
        Completeness.Evaluation e = evaluator.evaluate(in, isFinal);
        Instant startedAt = recorded.map(AuditRow::startedAt).orElseGet(() -> segments.stream()
                .map(Segment::startedAt).min(Comparator.naturalOrder()).orElse(Instant.EPOCH));
        AuditReport.DocumentSummary live = summary(DocumentEvaluator.row(key, startedAt,
                recorded.map(AuditRow::state).orElse("NOT_AUDITED"), recorded.map(AuditRow::trigger).orElse(null),
                in, e, DocumentEvaluator.lastActivity(segments), recorded.map(AuditRow::reopenCount).orElse(0),
                recorded.map(AuditRow::finalizedAt).orElse(null), recorded.map(AuditRow::finalizedBy).orElse(null),
                -1, 0, false));
        List<DocumentAudit.Gap> gaps = new ArrayList<>();
        for (SequenceRange m : e.matched()) {
            gaps.add(new DocumentAudit.Gap(m.first(), m.last(), m.count(), true));
        }
        for (SequenceRange u : e.unexplained()) {
            gaps.add(new DocumentAudit.Gap(u.first(), u.last(), u.count(), false));
        }
        gaps.sort(Comparator.comparingLong(DocumentAudit.Gap::first));
        // in the exporter's order (SegmentOrder), not by the nodes' clocks
        List<DocumentAudit.SegmentView> segs = SegmentOrder.sorted(segments).stream()
                .map(s -> new DocumentAudit.SegmentView(s.node(), s.primary(), s.startedAt(), s.stoppedAt(),
                        s.firstRecordSeq(), s.droppedRecordCount(), s.stopReasonCode(), s.stopReasonInfo())).toList();
        List<DocumentAudit.DuplicatesView> dups = in.duplicates().stream()
                .map(d -> new DocumentAudit.DuplicatesView(d.node(), d.flagged(), d.unflagged())).toList();
        List<DocumentAudit.ConflictView> conflicts = storage.integrityConflicts(key).stream()
                .map(c -> new DocumentAudit.ConflictView(c.seq(), c.detectedAt(), c.detectedBy(), c.note())).toList();
        List<DocumentAudit.EventView> history = new ArrayList<>();
        for (AuditEvent ev : audit.events(key)) {
            history.add(new DocumentAudit.EventView(ev.at(), ev.node(), ev.event(), ev.verdict(), ev.detail()));
        }
        return Optional.of(new DocumentAudit(recorded.map(AuditService::summary).orElse(null), live, e.held(), gaps,
                segs, dups, conflicts, history));
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> s) {
        try {
            return s.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cassandra read failed: " + e.getMessage(), e);
        }
    }
}
