package io.ipdrsp.dedup.audit;

import io.ipdrsp.dedup.ExporterLeadership;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.RecordKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finalizes documents once, on the node that leads their exporter ({@link ExporterLeadership}), and keeps their
 * verdicts current. Runs on its own threads — a scheduler and {@code parallelism} workers, one exporter's pass each at a
 * time — never on an event loop or the record path; everything it reads comes from Cassandra (the source of truth),
 * nothing from Hazelcast.
 *
 * <p>Each pass, for every exporter this node leads, an {@link ExporterPass}: the documents started within
 * {@code lookback}, their segments and audit rows; when a document becomes final ({@link FinalizationTrigger}:
 * SESSION_STOP 0/2/6 on any segment, exporter reboot, or idle while a newer document runs) the verdict is computed
 * {@code grace} later and written under the exporter's fence ({@link VerdictWriter}). A document whose handling fails
 * is retried (a pass follows {@link #RETRY_AFTER} after one with failures); one that is still not final three passes
 * after its trigger and grace is reported by {@link #overdueDocuments()} and logged by name.
 *
 * <p>A final document is evaluated again when the exporter resumes it (a re-open), when its segments change, and
 * {@code recheckAfter} after finalization, then at doubling intervals while within {@code lookback} (late writes:
 * another site, a node whose stalled writes landed after the exporter gave up on it). {@code audit_events} keeps the
 * history.
 */
public final class DocumentFinalizer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DocumentFinalizer.class);
    static final String FENCE_SCOPE = VerdictWriter.FENCE_SCOPE;
    /** After a pass with failures, the next one comes this soon (or at the interval, if shorter). */
    static final Duration RETRY_AFTER = Duration.ofSeconds(2);
    /**
     * How often an exporter's pass is a sweep ({@link Unsettled}: the whole look-back of the index) and compares its
     * summaries with their verdict rows (also on the first pass after gaining its leadership and after a pass with
     * failures): bulk reads of every day of the look-back, which would be most of a steady-state pass if done every
     * time (7 of 12 s over 2,000 final documents). Once a minute, a 1,000-CMTS fleet's sweeps were a third of the
     * finalizer's requests while the fleet streamed (docs/performance.md "Fleet"); what they catch — a change to a
     * quiet document older than the recent index, a summary behind its row — is rare, and re-checks also find late
     * records.
     */
    static final Duration SUMMARY_CHECK = Duration.ofMinutes(10);

    public static final String STATE_OPEN = "OPEN";
    public static final String STATE_SUSPENDED = "SUSPENDED";
    public static final String STATE_STOPPED = "STOPPED";
    public static final String STATE_REOPENED = "REOPENED";
    public static final String STATE_FINAL = "FINAL";

    private final String nodeId;
    private final CassandraStorage storage;
    private final ExporterLeadership leadership;
    private final FinalizerSettings settings;
    private final Clock clock;
    private final DocumentEvaluator evaluator;
    private final VerdictWriter writer;
    private final ScheduledExecutorService scheduler;
    /** Runs the exporters' passes, {@code settings.parallelism()} at a time. */
    private final PassWorkers workers;
    private final AtomicBoolean passQueued = new AtomicBoolean();
    /** Final documents: when this node last re-checked them (leader-local; a new leader starts counting afresh). */
    private final Map<RecordKey, Instant> lastRecheck = new ConcurrentHashMap<>();
    /** Documents whose reads the passes skip until they change or come due (leader-local, as lastRecheck). */
    private final QuietDocuments quiet = new QuietDocuments();
    /** Per led exporter: what its last pass left for the next (absent: the next pass is a sweep). */
    private final Map<String, Unsettled> unsettled = new ConcurrentHashMap<>();
    private final OverdueDocuments overdue = new OverdueDocuments();
    /** Per led exporter: when its summaries were last checked (absent: check at its next pass). */
    private final Map<String, Instant> summariesChecked = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private final List<Consumer<RecordKey>> finalizedListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong finalized = new AtomicLong();
    private final AtomicLong reopened = new AtomicLong();
    private final AtomicLong fencedOut = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong documentsRead = new AtomicLong();
    private final AtomicLong documentsSkipped = new AtomicLong();

    DocumentFinalizer(String nodeId, CassandraStorage storage, ExporterLeadership leadership,
            FinalizerSettings settings, Clock clock) {
        this.nodeId = nodeId;
        this.storage = storage;
        this.leadership = leadership;
        this.settings = settings;
        this.clock = clock;
        this.evaluator = new DocumentEvaluator(storage, settings.readConsistency(), settings.startsAtZero());
        this.writer = new VerdictWriter(nodeId, storage, settings, clock);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(PassWorkers.daemon(() -> "ipdr-finalizer-"
                + nodeId));
        this.workers = new PassWorkers(nodeId, settings.parallelism());
    }

    /**
     * Starts the finalizer of one node: a pass every {@code settings.interval()}, one soon after this node gains an
     * exporter's leadership, and one {@link #RETRY_AFTER} after a pass in which something failed. The leadership must
     * have the node's exporters ({@code setExporters}).
     */
    public static DocumentFinalizer start(String nodeId, CassandraStorage storage, ExporterLeadership leadership,
            FinalizerSettings settings) {
        DocumentFinalizer f = new DocumentFinalizer(nodeId, storage, leadership, settings, Clock.systemUTC());
        long every = settings.interval().toMillis();
        f.scheduler.scheduleWithFixedDelay(f::runSafely, every, every, TimeUnit.MILLISECONDS);
        leadership.addListener((exporter, leader, token) -> {
            if (leader) {
                f.requestPass();
            } else {
                f.overdue.forget(exporter);
                f.summariesChecked.remove(exporter);
                f.quiet.forget(exporter);
                f.unsettled.remove(exporter);
            }
        });
        return f;
    }

    /**
     * Called on a finalizer thread with each document this node has just finalized (or finalized again after a
     * re-open); mediation spools hang off this. Listeners must not block for long.
     */
    public void addFinalizedListener(Consumer<RecordKey> listener) {
        finalizedListeners.add(listener);
    }

    private void notifyFinalized(RecordKey key) {
        for (Consumer<RecordKey> l : finalizedListeners) {
            try {
                l.accept(key);
            } catch (RuntimeException e) {
                LOG.warn("{}: finalization listener failed: {}", key, e.toString());
            }
        }
    }

    /** Asks for a pass as soon as the finalizer thread is free (coalesced). */
    public void requestPass() {
        requestPass(Duration.ZERO);
    }

    private void requestPass(Duration delay) {
        if (!closed && passQueued.compareAndSet(false, true)) {
            try {
                scheduler.schedule(this::runSafely, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                passQueued.set(false);
            }
        }
    }

    private void runSafely() {
        passQueued.set(false);
        try {
            if (runOnce() > 0) {
                requestPass(RETRY_AFTER.compareTo(settings.interval()) < 0 ? RETRY_AFTER : settings.interval());
            }
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            LOG.warn("finalizer pass failed: {}", e.toString());
            requestPass(RETRY_AFTER);
        }
    }

    /**
     * One pass over every exporter this node leads, exporters in parallel ({@code settings.parallelism()} at a time):
     * first every exporter's verdicts, then every exporter's provisional states for at most {@code interval}
     * ({@link ExporterPass}: verdicts before provisional states). Returns when all are done. Blocking.
     *
     * @return documents or exporters whose handling failed in this pass (retried by the next one)
     */
    public int runOnce() {
        passes.incrementAndGet();
        List<Callable<Integer>> verdicts = new ArrayList<>();
        List<Pending> pending = java.util.Collections.synchronizedList(new ArrayList<>());
        for (String exporter : leadership.leaderships()) {
            OptionalLong token = leadership.fencingToken(exporter);
            if (token.isPresent()) {
                verdicts.add(() -> safely(exporter, () -> {
                    Pending p = verdicts(exporter, token.getAsLong());
                    pending.add(p);
                    return p.failures();
                }));
            }
        }
        int failed = closed ? 0 : workers.runAll(verdicts);
        Instant until = clock.instant().plus(settings.interval()); // the next pass's verdicts come first again
        List<Callable<Integer>> provisional = new ArrayList<>();
        for (Pending p : pending) {
            if (!p.states().isEmpty()) {
                provisional.add(() -> safely(p.exporter(), () -> provisional(p, until)));
            }
        }
        return failed + (closed ? 0 : workers.runAll(provisional));
    }

    private int safely(String exporter, Callable<Integer> work) {
        try {
            return work.call();
        } catch (VerdictWriter.Fenced e) {
            fencedOut.incrementAndGet();
            LOG.warn("{}: finalization fenced out: {} (a newer leader exists)", exporter, e.getMessage());
            return 0;
        } catch (Exception e) {
            failures.incrementAndGet();
            LOG.warn("{}: finalization pass failed, retried soon: {}", exporter, e.toString());
            return 1;
        }
    }

    /** What the verdicts of an exporter's pass left for its provisional states. */
    private record Pending(String exporter, long token, ExporterPass pass, List<ExporterPass.Provisional> states,
            int failures) {
    }

    /**
     * Evaluates the exporter's recent documents as leader with {@code token} (see {@link ExporterPass}), verdicts and
     * provisional states. Package-private so that tests can play a stale leader (a token that is no longer the newest).
     *
     * @return documents whose handling failed
     * @throws VerdictWriter.Fenced when a newer leadership term has recorded its fence
     */
    int pass(String exporter, long token) {
        Pending p = verdicts(exporter, token);
        return p.failures() + provisional(p, Instant.MAX);
    }

    private Pending verdicts(String exporter, long token) {
        Instant now = clock.instant();
        Instant checked = summariesChecked.get(exporter);
        Unsettled before = unsettled.get(exporter);
        boolean sweep = before == null || checked == null || !now.isBefore(checked.plus(SUMMARY_CHECK));
        ExporterPass pass = new ExporterPass(nodeId, storage, settings, evaluator, writer, clock, lastRecheck, quiet,
                this::notifyFinalized);
        ExporterPass.Outcome o = pass.run(exporter, token, sweep, sweep ? Unsettled.NONE : before);
        if (o.failures() > 0) {
            summariesChecked.remove(exporter); // a write that timed out may have been applied: look next pass
        } else if (sweep) {
            summariesChecked.put(exporter, now);
        }
        if (leadership.fencingToken(exporter).equals(java.util.OptionalLong.of(token))) {
            unsettled.put(exporter, o.unsettled());
        } else {
            unsettled.remove(exporter); // lost (or renewed) meanwhile: the next term starts with a sweep
        }
        finalized.addAndGet(o.finalized());
        reopened.addAndGet(o.reopened());
        failures.addAndGet(o.failures());
        documentsRead.addAndGet(o.read());
        documentsSkipped.addAndGet(o.skipped());
        if (leadership.fencingToken(exporter).isPresent()) {
            overdue.update(exporter, o.overdue());
        }
        return new Pending(exporter, token, pass, o.provisional(), o.failures());
    }

    private int provisional(Pending p, Instant until) {
        int failed = p.pass().writeProvisional(p.states(), p.token(), until);
        if (failed > 0) {
            failures.addAndGet(failed);
            summariesChecked.remove(p.exporter()); // a write that timed out may have been applied: look next pass
        }
        return failed;
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

    /** Documents whose audit rows and segments the passes read. */
    public long documentsRead() {
        return documentsRead.get();
    }

    /** Quiet documents the passes did not read because nothing changed since (see {@link QuietDocuments}). */
    public long documentsSkipped() {
        return documentsSkipped.get();
    }

    /** Passes stopped because a newer leadership term holds the fence. */
    public long fencedOut() {
        return fencedOut.get();
    }

    /** Documents (and exporter passes) whose handling failed; each is retried by a later pass. */
    public long failures() {
        return failures.get();
    }

    /**
     * Per led exporter, the documents not final although their trigger, the grace and three passes have gone by (the
     * {@code ipdr_audit_documents_overdue} gauge); exporters without any are absent.
     */
    public Map<String, Integer> overdueDocuments() {
        return overdue.counts();
    }

    /** Every exporter this node leads now, with its overdue documents (0 when none). */
    public Map<String, Integer> overdueByLedExporter() {
        Map<String, Integer> overdueNow = overdue.counts();
        Map<String, Integer> out = new java.util.TreeMap<>();
        for (String exporter : leadership.leaderships()) {
            out.put(exporter, overdueNow.getOrDefault(exporter, 0));
        }
        return out;
    }

    /** The overdue documents themselves, per exporter. */
    public Map<String, List<RecordKey>> overdueDocumentKeys() {
        return overdue.documents();
    }

    public FinalizerSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        workers.close();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
