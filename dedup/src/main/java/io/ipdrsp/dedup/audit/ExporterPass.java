package io.ipdrsp.dedup.audit;

import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.AuditStore;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.IndexedDocument;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import io.ipdrsp.storage.SequenceRange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass over one exporter's documents as its leader: blocking reads and writes, on a finalizer worker thread.
 * Reads the documents started within the look-back ({@code documents_by_time}), their segments and audit rows, and
 * their summaries ({@code audit_by_day}, one partition per day); decides each document's {@link FinalizationTrigger};
 * writes provisional states, verdicts, re-opens and re-checks through the {@link VerdictWriter}.
 *
 * <p><b>Nothing gets stuck on one document</b>: a failure (a read or write timing out) is caught per document, counted
 * and reported, and the rest of the exporter's documents are handled; the failed one is still due at the next pass
 * (the finalizer schedules one soon after a pass with failures). A verdict whose LWT answer was lost may have been
 * applied without its summary: when asked to check summaries, a summary that differs from its row is rewritten. Documents past their trigger +
 * grace + three passes that are still not final are returned as overdue, with why.
 */
final class ExporterPass {
    private static final Logger LOG = LoggerFactory.getLogger(ExporterPass.class);
    /**
     * While Cassandra cannot serve a pass (e.g. a data center down and the verdicts at SERIAL), every pass fails alike:
     * one line per burst, not one per document per pass.
     */
    private static final io.ipdrsp.storage.FailureLog FAILURES = new io.ipdrsp.storage.FailureLog(LOG,
            org.slf4j.event.Level.WARN, "finalization (retried next pass)", java.time.Duration.ofSeconds(30));

    /** What one pass did; {@code overdue}: document → why it is not final yet. */
    record Outcome(int finalized, int reopened, int failures, Map<RecordKey, String> overdue) {
    }

    /** What a pass knows about one document. */
    private record Doc(IndexedDocument index, List<Segment> segments, Optional<AuditRow> row, Instant activity) {
        RecordKey key() {
            return index.key();
        }
    }

    private final String nodeId;
    private final CassandraStorage storage;
    private final AuditStore audit;
    private final FinalizerSettings settings;
    private final DocumentEvaluator evaluator;
    private final VerdictWriter writer;
    private final Clock clock;
    private final Map<RecordKey, Instant> lastRecheck;
    private final Consumer<RecordKey> onFinalized;
    private int finalized;
    private int reopened;

    ExporterPass(String nodeId, CassandraStorage storage, FinalizerSettings settings, DocumentEvaluator evaluator,
            VerdictWriter writer, Clock clock, Map<RecordKey, Instant> lastRecheck, Consumer<RecordKey> onFinalized) {
        this.nodeId = nodeId;
        this.storage = storage;
        this.audit = storage.audit();
        this.settings = settings;
        this.evaluator = evaluator;
        this.writer = writer;
        this.clock = clock;
        this.lastRecheck = lastRecheck;
        this.onFinalized = onFinalized;
    }

    /**
     * @param checkSummaries also read the exporter's summaries ({@code audit_by_day}) and rewrite those that lag
     *                       behind their rows (a bulk read per day of the look-back: not every pass)
     * @throws VerdictWriter.Fenced when a newer leadership term holds the fence (the rest of the pass is moot)
     */
    Outcome run(String exporter, long token, boolean checkSummaries) {
        Instant now = clock.instant();
        Instant from = now.minus(settings.lookback());
        Instant to = now.plus(Duration.ofDays(1));
        List<IndexedDocument> index = storage.documents().documentsStarted(exporter, from, to,
                settings.readConsistency());
        Map<RecordKey, AuditRow> summaries = null;
        if (checkSummaries) {
            summaries = new HashMap<>();
            for (AuditRow r : audit.auditByDay(exporter, from, to)) {
                summaries.put(r.key(), r);
            }
        }
        Map<RecordKey, String> problems = new LinkedHashMap<>();
        List<Doc> docs = new ArrayList<>(index.size());
        for (IndexedDocument d : index) {
            try {
                docs.add(read(d));
            } catch (RuntimeException e) {
                problems.put(d.key(), "reading it failed: " + e);
            }
        }
        Map<Long, Instant> bootSeen = new HashMap<>(); // exporterBootTime -> first segment start with it
        for (Doc d : docs) {
            for (Segment s : d.segments()) {
                bootSeen.merge(d.key().bootTime(), s.startedAt(), (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        VerdictWriter.Fence fence = new VerdictWriter.Fence(exporter, token);
        Map<RecordKey, String> overdue = new LinkedHashMap<>();
        Instant overdueAfter = now.minus(settings.grace()).minus(settings.interval().multipliedBy(3));
        for (Doc d : docs) {
            FinalizationTrigger t = FinalizationTrigger.of(d.index(), d.segments(), d.activity(), index, bootSeen,
                    settings.idleTimeout());
            boolean isFinal = false;
            try {
                if (summaries != null) {
                    repairSummary(d, summaries.get(d.key()));
                }
                isFinal = handle(d, t, fence, now);
                FAILURES.success();
            } catch (VerdictWriter.Fenced e) {
                throw e;
            } catch (RuntimeException e) {
                problems.put(d.key(), e.toString());
                FAILURES.failure(d.key().toString(), e);
            }
            if (!isFinal && t.at() != null && t.at().isBefore(overdueAfter)) {
                overdue.put(d.key(), t.why() + " at " + t.at() + (problems.containsKey(d.key())
                        ? "; last failure: " + problems.get(d.key()) : "; state " + t.liveState()));
            }
        }
        problems.forEach((k, why) -> {
            if (docs.stream().noneMatch(d -> d.key().equals(k))) {
                overdue.put(k, why); // not even readable: counted as overdue, it cannot be told otherwise
            }
        });
        java.util.Set<RecordKey> seen = new java.util.HashSet<>();
        index.forEach(d -> seen.add(d.key()));
        lastRecheck.keySet().removeIf(k -> k.exporter().equals(exporter) && !seen.contains(k));
        return new Outcome(finalized, reopened, problems.size(), overdue);
    }

    private Doc read(IndexedDocument d) {
        CompletionStage<Optional<AuditRow>> row = audit.audit(d.key(), settings.readConsistency());
        List<Segment> segments = storage.documents().segments(d.key(), settings.readConsistency());
        return new Doc(d, segments, VerdictWriter.await(row), DocumentEvaluator.lastActivity(segments));
    }

    /** A summary that does not show its row (an LWT applied whose answer was lost) is rewritten. */
    private void repairSummary(Doc d, AuditRow summary) {
        AuditRow row = d.row().orElse(null);
        if (row != null && (summary == null || !row.state().equals(summary.state())
                || !Objects.equals(row.verdict(), summary.verdict()) || row.recordsHeld() != summary.recordsHeld()
                || row.reopenCount() != summary.reopenCount()
                || !Objects.equals(row.finalizedBy(), summary.finalizedBy()))) {
            writer.repairSummary(row);
        }
    }

    /** @return whether the document is final after this pass */
    private boolean handle(Doc d, FinalizationTrigger t, VerdictWriter.Fence fence, Instant now) {
        AuditRow row = d.row().orElse(null);
        boolean isFinal = row != null && DocumentFinalizer.STATE_FINAL.equals(row.state());
        // the exporter came back to a document finalized by a reboot or idle trigger: a stretch of it under way now
        Segment latest = SegmentOrder.latest(d.segments());
        boolean resumed = isFinal && SegmentOrder.ended(d.segments()) == null && d.segments().size() > row.segments()
                && latest != null && latest.stoppedAt() == null;
        if (!t.due(now, settings.grace())) {
            if (isFinal && resumed) {
                reopenNow(d, row, fence);
                return false;
            }
            if (!isFinal && (row == null || !row.state().equals(t.liveState()))
                    && !(row != null && DocumentFinalizer.STATE_REOPENED.equals(row.state())
                    && !DocumentFinalizer.STATE_SUSPENDED.equals(t.liveState()))) {
                provisional(d, row, t.liveState(), fence);
            }
            return isFinal;
        }
        if (isFinal) {
            recheck(d, row, t, fence, now, resumed);
            return true;
        }
        DocumentEvaluator.Inputs in = evaluator.read(d.key(), d.segments());
        Completeness.Evaluation e = evaluator.evaluate(in, true);
        AuditRow next = DocumentEvaluator.row(d.key(), d.index().startedAt(), DocumentFinalizer.STATE_FINAL, t.why(),
                in, e, d.activity(), row == null ? 0 : row.reopenCount(), now, nodeId, fence.token,
                row == null ? 1 : row.version() + 1, false);
        if (!writer.write(next, row == null ? 0 : row.version(), fence)) {
            return false;
        }
        finalized++;
        writer.event(d.key(), "FINALIZED", e.verdict().name(), detail(t, e));
        LOG.info("{}: finalized {} ({})", d.key(), e.verdict(), detail(t, e));
        onFinalized.accept(d.key());
        return true;
    }

    /** A final document: evaluated again on resumption, segment changes and (doubling) re-checks. */
    private void recheck(Doc d, AuditRow row, FinalizationTrigger t, VerdictWriter.Fence fence, Instant now,
            boolean resumed) {
        boolean segmentsChanged = d.segments().size() != row.segments()
                || (row.lastActivity() != null && d.activity().isAfter(row.lastActivity()));
        boolean recheck = !row.rechecked() && !now.isBefore(row.finalizedAt().plus(settings.recheckAfter()));
        boolean later = row.rechecked() && laterRecheckDue(d.key(), row.finalizedAt(), now);
        if (!resumed && !segmentsChanged && !recheck && !later) {
            return;
        }
        if (later) {
            lastRecheck.put(d.key(), now);
        }
        DocumentEvaluator.Inputs in = evaluator.read(d.key(), d.segments());
        Completeness.Evaluation e = evaluator.evaluate(in, true);
        boolean recordsChanged = e.recordsHeld() != row.recordsHeld() || !e.missing().equals(row.missing())
                || e.declaredDrops() != row.declaredDrops();
        boolean reopen = resumed || recordsChanged;
        if (!reopen && !segmentsChanged && !recheck && in.duplicatesTotal() == row.duplicates()
                && in.integrityConflicts() == row.integrityConflicts()) {
            return; // a later re-check that found nothing new: no new row version
        }
        AuditRow next = DocumentEvaluator.row(d.key(), d.index().startedAt(), DocumentFinalizer.STATE_FINAL,
                reopen ? t.why() : row.trigger(), in, e, d.activity(), row.reopenCount() + (reopen ? 1 : 0),
                reopen ? now : row.finalizedAt(), reopen ? nodeId : row.finalizedBy(), fence.token,
                row.version() + 1, !reopen && (row.rechecked() || recheck));
        if (!writer.write(next, row.version(), fence)) {
            return;
        }
        if (reopen) {
            reopened++;
            finalized++;
            writer.event(d.key(), "REOPENED", row.verdict(), resumed ? "the exporter resumed the document"
                    : "stored records changed after finalization: " + row.recordsHeld() + " -> " + e.recordsHeld()
                            + " records");
            writer.event(d.key(), 1, "FINALIZED", e.verdict().name(), detail(t, e));
            LOG.info("{}: re-opened and finalized again: {} ({})", d.key(), e.verdict(), detail(t, e));
            onFinalized.accept(d.key());
        } else if (in.duplicatesTotal() != row.duplicates() || in.integrityConflicts() != row.integrityConflicts()) {
            writer.event(d.key(), "UPDATED", e.verdict().name(), "duplicates " + in.duplicatesTotal()
                    + ", integrity conflicts " + in.integrityConflicts());
        }
    }

    /**
     * Whether a final, already re-checked document is due for another look: the interval doubles with the age of
     * the verdict ({@code recheckAfter} at least), so late writes are found without reading every document each pass.
     */
    private boolean laterRecheckDue(RecordKey key, Instant finalizedAt, Instant now) {
        Instant last = lastRecheck.putIfAbsent(key, now);
        if (last == null || finalizedAt == null) {
            return false;
        }
        Duration age = Duration.between(finalizedAt, last);
        Duration wait = age.compareTo(settings.recheckAfter()) > 0 ? age : settings.recheckAfter();
        return !now.isBefore(last.plus(wait));
    }

    private void reopenNow(Doc d, AuditRow row, VerdictWriter.Fence fence) {
        DocumentEvaluator.Inputs in = evaluator.read(d.key(), d.segments());
        Completeness.Evaluation e = evaluator.evaluate(in, false);
        AuditRow next = DocumentEvaluator.row(d.key(), d.index().startedAt(), DocumentFinalizer.STATE_REOPENED, null,
                in, e, d.activity(), row.reopenCount() + 1, null, null, fence.token, row.version() + 1, false);
        if (writer.write(next, row.version(), fence)) {
            reopened++;
            writer.event(d.key(), "REOPENED", row.verdict(), "the exporter resumed the document (new segment)");
        }
    }

    /** A state before the verdict (OPEN, SUSPENDED, STOPPED within its grace): no finalizedAt, no finalizedBy. */
    private void provisional(Doc d, AuditRow row, String state, VerdictWriter.Fence fence) {
        DocumentEvaluator.Inputs in = evaluator.read(d.key(), d.segments());
        Completeness.Evaluation e = evaluator.evaluate(in, false);
        AuditRow next = DocumentEvaluator.row(d.key(), d.index().startedAt(), state, null, in, e, d.activity(),
                row == null ? 0 : row.reopenCount(), null, null, fence.token, row == null ? 1 : row.version() + 1,
                false);
        if (writer.write(next, row == null ? 0 : row.version(), fence)
                && DocumentFinalizer.STATE_SUSPENDED.equals(state)) {
            writer.event(d.key(), "SUSPENDED", null, "latest segment ended without SESSION_STOP 0/2/6; the exporter"
                    + " may resume the document");
        }
    }

    private static String detail(FinalizationTrigger t, Completeness.Evaluation e) {
        return t.why() + "; held " + e.recordsHeld() + " of [" + e.expectedFirst() + ", " + e.expectedLast()
                + "], missing " + e.missingCount() + " (declared " + e.matchedCount() + ", unexplained "
                + e.unexplainedCount() + (e.unexplained().isEmpty() ? "" : " " + ranges(e.unexplained()))
                + "), declared drops " + e.declaredDrops() + " (received all the same " + e.declaredReceivedCount()
                + ", before this document " + e.declaredUnplaced() + ")";
    }

    private static String ranges(List<SequenceRange> rs) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < rs.size() && i < 20; i++) {
            SequenceRange r = rs.get(i);
            b.append(i == 0 ? "" : " ").append(r.first() == r.last() ? r.first() + "" : r.first() + ".." + r.last());
        }
        return rs.size() > 20 ? b + " … " + (rs.size() - 20) + " more" : b.toString();
    }
}
