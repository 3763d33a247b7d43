package io.ipdrsp.dedup.audit;

import io.ipdrsp.dedup.audit.PassReads.Doc;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass over one exporter's documents as its leader: blocking reads and writes, on a finalizer worker thread.
 * Reads what may have changed ({@link PassReads}); decides each document's {@link FinalizationTrigger}; writes
 * verdicts, re-opens and re-checks through the {@link VerdictWriter} ({@link #run}), and the provisional states it
 * decided on afterwards ({@link #writeProvisional}); records which documents are quiet until something changes
 * ({@link QuietDocuments}) and what the next pass must look at ({@link Unsettled}).
 *
 * <p><b>Verdicts before provisional states.</b> The finalizer runs {@link #run} for every exporter it leads, and only
 * then {@link #writeProvisional}: at an interval boundary every session of a fleet stops one document and starts the
 * next at once, and each provisional state (OPEN, STOPPED) is a lightweight transaction like a verdict. Written in
 * document order they held the verdicts back: a 1,000-CMTS boundary is 2,000 verdicts behind 4,000 provisional rows,
 * and the finalizer's transactions are what a loaded Cassandra serves slowest (docs/performance.md "Fleet"). A
 * provisional state whose verdict has fallen due by the time its turn comes is not written at all: the next pass
 * writes the verdict instead; and the provisional states of a pass get at most the finalizer's interval, so that a
 * backlog of them (a fleet's 2,000 new documents) never holds the next pass's verdicts back either.
 *
 * <p><b>Nothing gets stuck on one document</b>: a failure (a read or write timing out) is caught per document, counted
 * and reported, and the rest of the exporter's documents are handled; the failed one is still due at the next pass
 * (the finalizer schedules one soon after a pass with failures). A verdict whose LWT answer was lost may have been
 * applied without its summary: when asked to check summaries, a summary that differs from its row is rewritten.
 * Documents past their trigger + grace + three passes that are still not final are returned as overdue, with why.
 */
final class ExporterPass {
    private static final Logger LOG = LoggerFactory.getLogger(ExporterPass.class);
    /**
     * While Cassandra cannot serve a pass (e.g. a data center down and the verdicts at SERIAL), every pass fails alike:
     * one line per burst, not one per document per pass.
     */
    private static final io.ipdrsp.storage.FailureLog FAILURES = new io.ipdrsp.storage.FailureLog(LOG,
            org.slf4j.event.Level.WARN, "finalization (retried next pass)", java.time.Duration.ofSeconds(30));

    /**
     * What one pass did; {@code read}: documents whose rows and segments it read, {@code skipped}: quiet ones it did
     * not ({@link QuietDocuments}); {@code overdue}: document → why it is not final yet.
     */
    record Outcome(int finalized, int reopened, int failures, int read, int skipped, Map<RecordKey, String> overdue,
            Unsettled unsettled, List<Provisional> provisional) {
    }

    /** A provisional state {@link #run} decided on, for {@link #writeProvisional}. */
    record Provisional(Doc doc, FinalizationTrigger trigger) {
    }

    private final String nodeId;
    private final CassandraStorage storage;
    private final AuditStore audit;
    private final FinalizerSettings settings;
    private final DocumentEvaluator evaluator;
    private final VerdictWriter writer;
    private final Clock clock;
    private final Map<RecordKey, Instant> lastRecheck;
    private final QuietDocuments quiet;
    private final Consumer<RecordKey> onFinalized;
    private int finalized;
    private int reopened;
    private final List<Provisional> provisional = new java.util.ArrayList<>();

    ExporterPass(String nodeId, CassandraStorage storage, FinalizerSettings settings, DocumentEvaluator evaluator,
            VerdictWriter writer, Clock clock, Map<RecordKey, Instant> lastRecheck, QuietDocuments quiet,
            Consumer<RecordKey> onFinalized) {
        this.nodeId = nodeId;
        this.storage = storage;
        this.audit = storage.audit();
        this.settings = settings;
        this.evaluator = evaluator;
        this.writer = writer;
        this.clock = clock;
        this.lastRecheck = lastRecheck;
        this.quiet = quiet;
        this.onFinalized = onFinalized;
    }

    /**
     * @param sweep  read the whole look-back of the index, and the exporter's summaries ({@code audit_by_day}) to
     *               rewrite those that lag behind their rows (bulk reads per day of the look-back: not every pass);
     *               otherwise the last {@link PassReads#RECENT} of the index and the documents {@code before} carries
     * @param before what the previous pass left ({@link Unsettled#NONE} for a sweep)
     * @throws VerdictWriter.Fenced when a newer leadership term holds the fence (the rest of the pass is moot)
     */
    Outcome run(String exporter, long token, boolean sweep, Unsettled before) {
        Instant now = clock.instant();
        PassReads reads = PassReads.read(exporter, sweep, before, now, storage, settings, quiet);
        List<IndexedDocument> index = reads.index();
        List<Doc> docs = reads.docs();
        Map<RecordKey, String> problems = reads.problems();
        VerdictWriter.Fence fence = new VerdictWriter.Fence(exporter, token);
        Map<RecordKey, String> overdue = new LinkedHashMap<>();
        Instant overdueAfter = now.minus(settings.grace()).minus(settings.interval().multipliedBy(3));
        for (Doc d : docs) {
            FinalizationTrigger t = FinalizationTrigger.of(d.index(), d.segments(), d.activity(), reads.siblings(),
                    reads.bootSeen(), settings.idleTimeout());
            boolean isFinal = false;
            try {
                if (reads.summaries() != null) {
                    repairSummary(d, reads.summaries().get(d.key()));
                }
                AuditRow current = handle(d, t, fence, now);
                isFinal = current != null && DocumentFinalizer.STATE_FINAL.equals(current.state());
                quiet.handled(d.index(), d.segments(), current, nextLook(d.key(), current, t, now),
                        !isFinal && t.at() == null, now, settings.grace());
                FAILURES.success();
            } catch (VerdictWriter.Fenced e) {
                throw e;
            } catch (RuntimeException e) {
                quiet.remove(d.key());
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
        if (sweep) { // only a sweep sees every document of the look-back
            java.util.Set<RecordKey> seen = new java.util.HashSet<>();
            index.forEach(d -> seen.add(d.key()));
            lastRecheck.keySet().removeIf(k -> k.exporter().equals(exporter) && !seen.contains(k));
            quiet.retain(exporter, seen);
        }
        List<IndexedDocument> unsettled = index.stream().filter(d -> !quiet.isSettled(d.key())).toList();
        return new Outcome(finalized, reopened, problems.size(), docs.size(), reads.skipped(), overdue,
                new Unsettled(unsettled, reads.siblings(), reads.bootSeen()), List.copyOf(provisional));
    }

    /**
     * Writes the provisional states {@link #run} decided on ({@code Outcome.provisional()}), except those whose verdict
     * is due by now (the next pass writes it), until {@code until}. A document whose write fails or is skipped or not
     * reached stays unquiet: the next pass reads it and decides again.
     *
     * @return the writes that failed (retried by the next pass)
     * @throws VerdictWriter.Fenced when a newer leadership term holds the fence
     */
    int writeProvisional(List<Provisional> states, long token, Instant until) {
        if (states.isEmpty()) {
            return 0;
        }
        VerdictWriter.Fence fence = new VerdictWriter.Fence(states.get(0).doc().key().exporter(), token);
        int failed = 0;
        for (Provisional p : states) {
            Instant now = clock.instant();
            if (now.isAfter(until)) {
                break;
            }
            FinalizationTrigger t = p.trigger();
            if (t.due(now, settings.grace())) {
                continue;
            }
            Doc d = p.doc();
            try {
                AuditRow next = provisional(d, d.row().orElse(null), t.liveState(), fence);
                quiet.handled(d.index(), d.segments(), next, nextLook(d.key(), next, t, now), t.at() == null, now,
                        settings.grace());
                FAILURES.success();
            } catch (VerdictWriter.Fenced e) {
                throw e;
            } catch (RuntimeException e) {
                failed++;
                FAILURES.failure(d.key().toString(), e);
            }
        }
        return failed;
    }

    /**
     * When a document is to be read again although untouched: a final one at its first re-check, then as doubling;
     * one whose trigger is known when it is due; one without a trigger not by time (a touch, a newer document or
     * exporterBootTime brings it back).
     */
    private Instant nextLook(RecordKey key, AuditRow row, FinalizationTrigger t, Instant now) {
        if (row == null) {
            return now;
        }
        if (!DocumentFinalizer.STATE_FINAL.equals(row.state())) {
            return t.at() != null ? t.at().plus(settings.grace()) : now.plus(settings.lookback());
        }
        if (row.finalizedAt() == null) {
            return now;
        }
        if (!row.rechecked()) {
            return row.finalizedAt().plus(settings.recheckAfter());
        }
        Instant last = lastRecheck.computeIfAbsent(key, k -> now); // the doubling schedule starts now, as if read
        Duration age = Duration.between(row.finalizedAt(), last);
        return last.plus(age.compareTo(settings.recheckAfter()) > 0 ? age : settings.recheckAfter());
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

    /**
     * @return the document's row as it is in Cassandra after this pass, or null when not known (none, raced, or a
     *     provisional state left for {@link #writeProvisional})
     */
    private AuditRow handle(Doc d, FinalizationTrigger t, VerdictWriter.Fence fence, Instant now) {
        AuditRow row = d.row().orElse(null);
        boolean isFinal = row != null && DocumentFinalizer.STATE_FINAL.equals(row.state());
        // the exporter came back to a document finalized by a reboot or idle trigger: a stretch of it under way now
        Segment latest = SegmentOrder.latest(d.segments());
        boolean resumed = isFinal && SegmentOrder.ended(d.segments()) == null && d.segments().size() > row.segments()
                && latest != null && latest.stoppedAt() == null;
        if (!t.due(now, settings.grace())) {
            if (isFinal && resumed) {
                return reopenNow(d, row, fence);
            }
            if (!isFinal && (row == null || !row.state().equals(t.liveState()))
                    && !(row != null && DocumentFinalizer.STATE_REOPENED.equals(row.state())
                    && !DocumentFinalizer.STATE_SUSPENDED.equals(t.liveState()))) {
                provisional.add(new Provisional(d, t)); // after every exporter's verdicts (writeProvisional)
                return null;
            }
            return row;
        }
        if (isFinal) {
            return recheck(d, row, t, fence, now, resumed);
        }
        DocumentEvaluator.Inputs in = evaluator.read(d.key(), d.segments());
        Completeness.Evaluation e = evaluator.evaluate(in, true);
        AuditRow next = DocumentEvaluator.row(d.key(), d.index().startedAt(), DocumentFinalizer.STATE_FINAL, t.why(),
                in, e, d.activity(), row == null ? 0 : row.reopenCount(), now, nodeId, fence.token,
                row == null ? 1 : row.version() + 1, false);
        if (!writer.write(next, row == null ? 0 : row.version(), fence)) {
            return null;
        }
        finalized++;
        writer.event(d.key(), "FINALIZED", e.verdict().name(), detail(t, e));
        LOG.info("{}: finalized {} ({})", d.key(), e.verdict(), detail(t, e));
        onFinalized.accept(d.key());
        return next;
    }

    /**
     * A final document: evaluated again on resumption, segment changes and (doubling) re-checks.
     *
     * @return its row after this pass (null: a concurrent change, read again next pass)
     */
    private AuditRow recheck(Doc d, AuditRow row, FinalizationTrigger t, VerdictWriter.Fence fence, Instant now,
            boolean resumed) {
        boolean segmentsChanged = d.segments().size() != row.segments()
                || (row.lastActivity() != null && d.activity().isAfter(row.lastActivity()));
        boolean recheck = !row.rechecked() && !now.isBefore(row.finalizedAt().plus(settings.recheckAfter()));
        boolean later = row.rechecked() && laterRecheckDue(d.key(), row.finalizedAt(), now);
        if (!resumed && !segmentsChanged && !recheck && !later) {
            return row;
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
            return row; // a later re-check that found nothing new: no new row version
        }
        AuditRow next = DocumentEvaluator.row(d.key(), d.index().startedAt(), DocumentFinalizer.STATE_FINAL,
                reopen ? t.why() : row.trigger(), in, e, d.activity(), row.reopenCount() + (reopen ? 1 : 0),
                reopen ? now : row.finalizedAt(), reopen ? nodeId : row.finalizedBy(), fence.token,
                row.version() + 1, !reopen && (row.rechecked() || recheck));
        if (!writer.write(next, row.version(), fence)) {
            return null;
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
        return next;
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

    private AuditRow reopenNow(Doc d, AuditRow row, VerdictWriter.Fence fence) {
        DocumentEvaluator.Inputs in = evaluator.read(d.key(), d.segments());
        Completeness.Evaluation e = evaluator.evaluate(in, false);
        AuditRow next = DocumentEvaluator.row(d.key(), d.index().startedAt(), DocumentFinalizer.STATE_REOPENED, null,
                in, e, d.activity(), row.reopenCount() + 1, null, null, fence.token, row.version() + 1, false);
        if (!writer.write(next, row.version(), fence)) {
            return null;
        }
        reopened++;
        writer.event(d.key(), "REOPENED", row.verdict(), "the exporter resumed the document (new segment)");
        return next;
    }

    /** A state before the verdict (OPEN, SUSPENDED, STOPPED within its grace): no finalizedAt, no finalizedBy. */
    private AuditRow provisional(Doc d, AuditRow row, String state, VerdictWriter.Fence fence) {
        DocumentEvaluator.Inputs in = evaluator.read(d.key(), d.segments());
        Completeness.Evaluation e = evaluator.evaluate(in, false);
        AuditRow next = DocumentEvaluator.row(d.key(), d.index().startedAt(), state, null, in, e, d.activity(),
                row == null ? 0 : row.reopenCount(), null, null, fence.token, row == null ? 1 : row.version() + 1,
                false);
        if (!writer.writeProvisional(next, row == null ? 0 : row.version(), fence)) {
            return null;
        }
        if (DocumentFinalizer.STATE_SUSPENDED.equals(state)) {
            writer.event(d.key(), "SUSPENDED", null, "latest segment ended without SESSION_STOP 0/2/6; the exporter"
                    + " may resume the document");
        }
        return next;
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
