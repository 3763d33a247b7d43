package io.ipdrsp.dedup.audit;

import io.ipdrsp.dedup.ExporterLeadership;
import io.ipdrsp.storage.AuditEvent;
import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.AuditStore;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.IndexedDocument;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finalizes documents once, on the node that leads their exporter ({@link ExporterLeadership}), and keeps their
 * verdicts current. Runs on its own scheduled thread, never on an event loop or the record path; everything it reads
 * comes from Cassandra (the source of truth), nothing from Hazelcast.
 *
 * <p>Each pass, for every exporter this node leads: the documents started within {@code lookback}
 * ({@code documents_by_time}, one partition per exporter and day), their segments and audit rows. A document becomes
 * final when its latest primary segment ended with SESSION_STOP 0, 2 or 6, when the exporter rebooted (a document
 * with a newer exporterBootTime has a segment), or when a newer document started on its session and it has been idle
 * for {@code idleTimeout}; SESSION_STOP 1 and 3 only suspend it. The verdict is computed {@code grace} after the
 * trigger, from the stored sequence numbers, the segments, the duplicate counters and the integrity conflicts, and
 * written with fencing: {@code advanceFence(exporter, "finalize", token)} first, then a lightweight transaction on the
 * audit row that refuses to overwrite a row written by a higher token or changed meanwhile.
 *
 * <p>A final document is evaluated again when a primary segment starts after its evaluation (the exporter resumed
 * it: counted as a re-open), when its segments change, and {@code recheckAfter} after finalization (late writes
 * that came without a segment: another site, or a node whose stalled writes landed after the exporter gave up on
 * it). After that first re-check the leader keeps re-checking with doubling intervals (2x, 4x, ... the age of the
 * verdict) for as long as the document is within {@code lookback}: a late write is found within about the age it
 * had, at a cost of a few dozen reads per document over its life. A change of the stored records re-opens it too;
 * the audit row keeps the re-open count and {@code audit_events} the history.
 */
public final class DocumentFinalizer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DocumentFinalizer.class);
    static final String FENCE_SCOPE = "finalize";
    private static final Duration IO_TIMEOUT = Duration.ofSeconds(30);

    public static final String STATE_OPEN = "OPEN";
    public static final String STATE_SUSPENDED = "SUSPENDED";
    public static final String STATE_STOPPED = "STOPPED";
    public static final String STATE_REOPENED = "REOPENED";
    public static final String STATE_FINAL = "FINAL";

    private final String nodeId;
    private final CassandraStorage storage;
    private final AuditStore audit;
    private final ExporterLeadership leadership;
    private final FinalizerSettings settings;
    private final Clock clock;
    private final DocumentEvaluator evaluator;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean passQueued = new AtomicBoolean();
    /** Final documents: when this node last re-checked them (leader-local; a new leader starts counting afresh). */
    private final Map<RecordKey, Instant> lastRecheck = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean closed;

    private final java.util.List<java.util.function.Consumer<RecordKey>> finalizedListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong finalized = new AtomicLong();
    private final AtomicLong reopened = new AtomicLong();
    private final AtomicLong fencedOut = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    DocumentFinalizer(String nodeId, CassandraStorage storage, ExporterLeadership leadership,
            FinalizerSettings settings, Clock clock) {
        this.nodeId = nodeId;
        this.storage = storage;
        this.audit = storage.audit();
        this.leadership = leadership;
        this.settings = settings;
        this.clock = clock;
        this.evaluator = new DocumentEvaluator(storage, settings.readConsistency(), settings.startsAtZero());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ipdr-finalizer-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the finalizer of one node: a pass every {@code settings.interval()}, and one soon after this node gains
     * an exporter's leadership. The leadership must have the node's exporters ({@code setExporters}).
     */
    public static DocumentFinalizer start(String nodeId, CassandraStorage storage, ExporterLeadership leadership,
            FinalizerSettings settings) {
        DocumentFinalizer f = new DocumentFinalizer(nodeId, storage, leadership, settings, Clock.systemUTC());
        long every = settings.interval().toMillis();
        f.scheduler.scheduleWithFixedDelay(f::runSafely, every, every, TimeUnit.MILLISECONDS);
        leadership.addListener((exporter, leader, token) -> {
            if (leader) {
                f.requestPass();
            }
        });
        return f;
    }

    /**
     * Called on the finalizer thread with each document this node has just finalized (or finalized again after a
     * re-open); mediation spools hang off this. Listeners must not block for long.
     */
    public void addFinalizedListener(java.util.function.Consumer<RecordKey> listener) {
        finalizedListeners.add(listener);
    }

    private void notifyFinalized(RecordKey key) {
        for (java.util.function.Consumer<RecordKey> l : finalizedListeners) {
            try {
                l.accept(key);
            } catch (RuntimeException e) {
                LOG.warn("{}: finalization listener failed: {}", key, e.toString());
            }
        }
    }

    /** Asks for a pass as soon as the finalizer thread is free (coalesced). */
    public void requestPass() {
        if (!closed && passQueued.compareAndSet(false, true)) {
            try {
                scheduler.execute(this::runSafely);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                passQueued.set(false);
            }
        }
    }

    private void runSafely() {
        passQueued.set(false);
        try {
            runOnce();
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            LOG.warn("finalizer pass failed: {}", e.toString());
        }
    }

    /** One pass over every exporter this node leads, on the calling thread (blocking reads and writes). */
    public void runOnce() {
        passes.incrementAndGet();
        for (String exporter : leadership.leaderships()) {
            OptionalLong token = leadership.fencingToken(exporter);
            if (token.isEmpty() || closed) {
                continue;
            }
            try {
                pass(exporter, token.getAsLong());
            } catch (Fenced e) {
                fencedOut.incrementAndGet();
                LOG.warn("{}: finalization fenced out: {} (a newer leader exists)", exporter, e.getMessage());
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                LOG.warn("{}: finalization pass failed: {}", exporter, e.toString());
            }
        }
    }

    // ------------------------------------------------------------------ one exporter

    /** What a pass knows about one document. */
    private record Doc(IndexedDocument index, List<Segment> segments, Optional<AuditRow> row) {
        RecordKey key() {
            return index.key();
        }
    }

    /** When and why a document became final; null fields = not (yet) final. */
    private record Trigger(Instant at, String why, String liveState) {
    }

    static final class Fenced extends RuntimeException {
        Fenced(String message) {
            super(message);
        }
    }

    /**
     * Evaluates the exporter's recent documents as leader with {@code token}. Package-private so that tests can play
     * a stale leader (a token that is no longer the newest).
     *
     * @throws Fenced when a newer leadership term has recorded its fence
     */
    void pass(String exporter, long token) {
        Instant now = clock.instant();
        List<IndexedDocument> index = storage.documents().documentsStarted(exporter, now.minus(settings.lookback()),
                now.plus(Duration.ofDays(1)), settings.readConsistency());
        List<Doc> docs = new ArrayList<>(index.size());
        for (IndexedDocument d : index) {
            docs.add(new Doc(d, storage.segments(d.key()), await(audit.audit(d.key(), settings.readConsistency()))));
        }
        Map<Long, Instant> bootSeen = new HashMap<>(); // exporterBootTime -> first segment start with it
        for (Doc d : docs) {
            for (Segment s : d.segments()) {
                bootSeen.merge(d.key().bootTime(), s.startedAt(), (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        for (Doc d : docs) {
            handle(d, trigger(d, docs, bootSeen, now), token, now);
        }
        java.util.Set<RecordKey> seen = new java.util.HashSet<>();
        docs.forEach(d -> seen.add(d.key()));
        lastRecheck.keySet().removeIf(k -> k.exporter().equals(exporter) && !seen.contains(k));
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

    private Trigger trigger(Doc d, List<Doc> all, Map<Long, Instant> bootSeen, Instant now) {
        List<Segment> primary = Completeness.primarySegments(d.segments());
        Segment last = primary.isEmpty() ? null : primary.get(primary.size() - 1);
        String live = STATE_OPEN;
        Instant at = null;
        String why = null;
        if (last != null && last.stoppedAt() != null) {
            Integer reason = last.stopReasonCode();
            if (reason != null && (reason == 0 || reason == 2 || reason == 6)) {
                live = STATE_STOPPED;
                at = last.stoppedAt();
                why = "SESSION_STOP " + reason + " received by " + last.node();
            } else {
                live = STATE_SUSPENDED; // 1 hand-off, 3 congestion, others, or connection lost: may resume
            }
        }
        for (Map.Entry<Long, Instant> b : bootSeen.entrySet()) {
            if (b.getKey() > d.key().bootTime() && (at == null || b.getValue().isBefore(at))) {
                at = b.getValue();
                why = "exporter rebooted (exporterBootTime " + b.getKey() + ")";
            }
        }
        boolean newer = all.stream().anyMatch(o -> o != d && o.key().sessionId() == d.key().sessionId()
                && o.key().bootTime() == d.key().bootTime() && o.index().startedAt().isAfter(d.index().startedAt()));
        if (newer) {
            Instant idle = DocumentEvaluator.lastActivity(d.segments()).plus(settings.idleTimeout());
            if (at == null || idle.isBefore(at)) {
                at = idle;
                why = "idle for " + settings.idleTimeout().toSeconds() + " s after a newer document started";
            }
        }
        return new Trigger(at, why, live);
    }

    private void handle(Doc d, Trigger t, long token, Instant now) {
        AuditRow row = d.row().orElse(null);
        boolean isFinal = row != null && STATE_FINAL.equals(row.state());
        Instant activity = DocumentEvaluator.lastActivity(d.segments());
        boolean resumed = row != null && row.lastActivity() != null && Completeness.primarySegments(d.segments())
                .stream().anyMatch(s -> s.startedAt().isAfter(row.lastActivity()));
        boolean due = t.at() != null && !now.isBefore(t.at().plus(settings.grace()));
        if (!due) {
            if (isFinal && resumed) {
                reopenNow(d, row, token, now, activity);
            } else if (!isFinal && (row == null || !row.state().equals(t.liveState()))
                    && !(row != null && STATE_REOPENED.equals(row.state()) && !STATE_SUSPENDED.equals(t.liveState()))) {
                provisional(d, row, t.liveState(), token, activity);
            }
            return;
        }
        if (isFinal) {
            boolean segmentsChanged = d.segments().size() != row.segments() || activity.isAfter(row.lastActivity());
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
            AuditRow next = DocumentEvaluator.row(d.key(), d.index().startedAt(), STATE_FINAL, reopen ? t.why()
                    : row.trigger(), in, e, activity, row.reopenCount() + (reopen ? 1 : 0),
                    reopen ? now : row.finalizedAt(), reopen ? nodeId : row.finalizedBy(), token, row.version() + 1,
                    reopen ? false : row.rechecked() || recheck);
            if (write(next, row.version(), token)) {
                if (reopen) {
                    reopened.incrementAndGet();
                    finalized.incrementAndGet();
                    event(d.key(), now, "REOPENED", row.verdict(), resumed ? "the exporter resumed the document"
                            : "stored records changed after finalization: " + row.recordsHeld() + " -> "
                                    + e.recordsHeld() + " records");
                    event(d.key(), now.plusMillis(1), "FINALIZED", e.verdict().name(), detail(t, e));
                    LOG.info("{}: re-opened and finalized again: {} ({})", d.key(), e.verdict(), detail(t, e));
                    notifyFinalized(d.key());
                } else if (in.duplicatesTotal() != row.duplicates() || in.integrityConflicts() != row.integrityConflicts()) {
                    event(d.key(), now, "UPDATED", e.verdict().name(), "duplicates " + in.duplicatesTotal()
                            + ", integrity conflicts " + in.integrityConflicts());
                }
            }
            return;
        }
        DocumentEvaluator.Inputs in = evaluator.read(d.key(), d.segments());
        Completeness.Evaluation e = evaluator.evaluate(in, true);
        AuditRow next = DocumentEvaluator.row(d.key(), d.index().startedAt(), STATE_FINAL, t.why(), in, e, activity,
                row == null ? 0 : row.reopenCount(), now, nodeId, token, row == null ? 1 : row.version() + 1, false);
        if (write(next, row == null ? 0 : row.version(), token)) {
            finalized.incrementAndGet();
            event(d.key(), now, "FINALIZED", e.verdict().name(), detail(t, e));
            LOG.info("{}: finalized {} ({})", d.key(), e.verdict(), detail(t, e));
            notifyFinalized(d.key());
        }
    }

    private void reopenNow(Doc d, AuditRow row, long token, Instant now, Instant activity) {
        DocumentEvaluator.Inputs in = evaluator.read(d.key(), d.segments());
        Completeness.Evaluation e = evaluator.evaluate(in, false);
        AuditRow next = DocumentEvaluator.row(d.key(), d.index().startedAt(), STATE_REOPENED, null, in, e, activity,
                row.reopenCount() + 1, null, nodeId, token, row.version() + 1, false);
        if (write(next, row.version(), token)) {
            reopened.incrementAndGet();
            event(d.key(), now, "REOPENED", row.verdict(), "the exporter resumed the document (new primary segment)");
        }
    }

    private void provisional(Doc d, AuditRow row, String state, long token, Instant activity) {
        DocumentEvaluator.Inputs in = evaluator.read(d.key(), d.segments());
        Completeness.Evaluation e = evaluator.evaluate(in, false);
        AuditRow next = DocumentEvaluator.row(d.key(), d.index().startedAt(), state, null, in, e, activity,
                row == null ? 0 : row.reopenCount(), null, nodeId, token, row == null ? 1 : row.version() + 1, false);
        if (write(next, row == null ? 0 : row.version(), token) && STATE_SUSPENDED.equals(state)) {
            event(d.key(), clock.instant(), "SUSPENDED", null, "latest primary segment ended without SESSION_STOP"
                    + " 0/2/6; the exporter may resume the document");
        }
    }

    private static String detail(Trigger t, Completeness.Evaluation e) {
        return t.why() + "; held " + e.recordsHeld() + " of [" + e.expectedFirst() + ", " + e.expectedLast()
                + "], missing " + e.missingCount() + " (declared " + e.matchedCount() + ", unexplained "
                + e.unexplainedCount() + (e.unexplained().isEmpty() ? "" : " " + ranges(e.unexplained())) + "), declared drops " + e.declaredDrops()
                + " (received all the same " + e.declaredReceivedCount() + ", before this document "
                + e.declaredUnplaced() + ")";
    }

    private static String ranges(List<io.ipdrsp.storage.SequenceRange> rs) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < rs.size() && i < 20; i++) {
            io.ipdrsp.storage.SequenceRange r = rs.get(i);
            b.append(i == 0 ? "" : " ").append(r.first() == r.last() ? r.first() + "" : r.first() + ".." + r.last());
        }
        return rs.size() > 20 ? b + " … " + (rs.size() - 20) + " more" : b.toString();
    }

    /** Fence, then the conditional row write. False: someone else changed the row meanwhile (next pass retries). */
    private boolean write(AuditRow next, int expectedVersion, long token) {
        String exporter = next.key().exporter();
        if (!await(storage.advanceFence(exporter, FENCE_SCOPE, token, nodeId, settings.serialConsistency()))) {
            event(next.key(), clock.instant(), "FENCED_OUT", next.verdict(), "token " + token + " is stale");
            throw new Fenced("token " + token + " refused by the fence");
        }
        AuditStore.AuditWrite w = await(audit.writeAudit(next, expectedVersion, settings.serialConsistency()));
        if (w.applied()) {
            return true;
        }
        Optional<AuditRow> cur = w.current();
        if (cur.isPresent() && cur.get().fenceToken() > token) {
            event(next.key(), clock.instant(), "FENCED_OUT", next.verdict(), "row written by token "
                    + cur.get().fenceToken() + ", ours " + token);
            throw new Fenced("audit row of " + next.key() + " holds token " + cur.get().fenceToken());
        }
        LOG.info("{}: audit row changed concurrently (version {}), retrying next pass", next.key(),
                cur.map(AuditRow::version).orElse(0));
        return false;
    }

    private void event(RecordKey key, Instant at, String event, String verdict, String detail) {
        audit.saveEvent(new AuditEvent(key, at, nodeId, event, verdict, detail)).whenComplete((v, e) -> {
            if (e != null) {
                LOG.warn("{}: audit event {} not saved: {}", key, event, e.toString());
            }
        });
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(IO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Cassandra did not answer within " + IO_TIMEOUT.toSeconds() + " s", e);
        }
    }

    // ------------------------------------------------------------------ figures

    public long passes() {
        return passes.get();
    }

    /** Verdicts written as final (first finalizations and finalizations after a re-open). */
    public long finalized() {
        return finalized.get();
    }

    public long reopened() {
        return reopened.get();
    }

    /** Passes stopped because a newer leadership term holds the fence. */
    public long fencedOut() {
        return fencedOut.get();
    }

    public long failures() {
        return failures.get();
    }

    public FinalizerSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
