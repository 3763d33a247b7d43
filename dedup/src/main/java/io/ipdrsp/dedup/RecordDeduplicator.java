package io.ipdrsp.dedup;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.IntegrityConflict;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.RecordReader;
import io.ipdrsp.storage.RecordWriter;
import io.ipdrsp.storage.StoredRecord;
import io.ipdrsp.storage.WriteOutcome;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record path's duplicate guard: every record goes through {@link #write}, which decides locally (no network) whether
 * the record is certainly new — then it takes the plain batched {@link RecordWriter} — or may already be stored
 * somewhere — then it is checked first: its stored row is read (point reads batched per partition by
 * {@link RecordReader}); present → DUPLICATE or CONFLICT by the bytes, nothing written; absent → the same batched
 * plain write, STORED. There is no lightweight transaction (Paxos) on the record path: after a takeover the whole
 * resent window is suspect, and one Paxos round per record could not keep up with an exporter's ack timeout on a
 * small (or durably syncing) Cassandra. Durable sequence numbers are published to the cluster's range set in batches
 * (one entry-processor call per document every {@code flushInterval} or every batch of records, whichever comes
 * first), never per record.
 *
 * <p>A record is SUSPECT when it carries the D flag, lies below the session's firstRecordSequenceNumber, is already in
 * the document's known range set or below its highest known number, lies within the continuation window of a document
 * that already had records when this node opened it (the exporter's window, plus two publish batches — what the
 * cluster's view may lag behind a node that died — when that view came from Hazelcast rather than from Cassandra; a
 * batch is {@code publishBatch}, or less on a slow stream, see {@link #batchThreshold}),
 * or arrives before the cluster's view of the document is loaded.
 * Otherwise it is NEW.
 *
 * <p>Without Paxos, two writers can both find a key absent and both write it (the last write wins in Cassandra).
 * Three read-backs catch that: (1) when a node publishes its range, the entry processor reports numbers the cluster
 * already held; their stored row is read and compared (same bytes: a late duplicate, the rewrite was harmless;
 * different: integrity alarm with both versions); (2) a record stored after a check found it absent is read again
 * {@code verifyDelay} later, which catches a write the check could not see (a dead primary's in-flight write, another
 * site's write still replicating); (3) a second copy of a number still being written on this node waits for that
 * write, then is checked. What stays possible: when the version that survived is the later publisher's own, the
 * other version is gone and cannot be compared (logged, counted as a late duplicate).
 *
 * <p>Hazelcast and ZooKeeper are never awaited on the record path. Hazelcast unavailable: publishes are retried and
 * documents stay SUSPECT until loaded from Cassandra, so dedup stays correct (slower). ZooKeeper is not used here.
 */
public final class RecordDeduplicator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RecordDeduplicator.class);
    public static final String RANGES_MAP = "ipdr-document-ranges";
    public static final String PRIMARY_MAP = "ipdr-session-primary";
    /** Bytes of plain-written records kept per document until published; beyond this only the ranges are kept. */
    private static final int MAX_PENDING_RECORDS = 100_000;

    /** The local decision for one record. */
    public enum Verdict { NEW, SUSPECT }

    private final String nodeId;
    private final IMap<String, DocumentRanges> ranges;
    private final IMap<String, PrimaryClaim> primaries;
    private final CassandraStorage storage;
    private final RecordWriter writer;
    private final RecordReader reader;
    private final DedupSettings settings;
    private final DedupMetrics metrics = new DedupMetrics();
    /** Duplicates per document for the audit (document_duplicates counters), flushed with the ranges. */
    private final io.ipdrsp.dedup.audit.DocumentDuplicates duplicates;
    private final ConcurrentHashMap<String, DocumentHandle> documents = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService worker;
    /**
     * Runs the callbacks of Hazelcast futures: on the flush thread (inline once it is shut down). A plain
     * {@code whenComplete} on a Hazelcast future runs the callback on Hazelcast's default async executor, which, when
     * the common pool's parallelism is below 2 (a JVM that sees 2 CPUs or fewer), starts a new thread for every
     * callback: with it a range publish cost 3 thread starts instead of 2, ~0.3 ms of CPU each on the 2-core bench
     * machine (docs/performance.md "Cluster"). Callbacks here are short and never block.
     */
    private final java.util.concurrent.Executor callbacks;
    private volatile boolean closed;
    /** False while the cluster holds a member that did not prove itself: every record is then checked (issue 16). */
    private volatile java.util.function.BooleanSupplier sharedViewTrusted = () -> true;

    private RecordDeduplicator(String nodeId, HazelcastInstance hazelcast, CassandraStorage storage,
            RecordWriter writer, DedupSettings settings) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.ranges = hazelcast.getMap(RANGES_MAP);
        this.primaries = hazelcast.getMap(PRIMARY_MAP);
        this.storage = storage;
        this.writer = writer;
        this.settings = settings;
        this.reader = storage.recordReader();
        this.duplicates = new io.ipdrsp.dedup.audit.DocumentDuplicates(storage, nodeId);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ipdr-dedup-flush-" + nodeId));
        this.worker = Executors.newFixedThreadPool(2, r -> daemon(r, "ipdr-dedup-worker-" + nodeId));
        this.callbacks = r -> {
            try {
                scheduler.execute(r);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                r.run();
            }
        };
        long every = settings.flushInterval().toNanos();
        scheduler.scheduleWithFixedDelay(this::flushSafely, every, every, TimeUnit.NANOSECONDS);
    }

    /**
     * Starts the guard of one node. {@code writer} is the node's plain record writer (shared with nothing else);
     * the duplicate check's reader is created from {@code storage}. The Hazelcast maps must be configured as in
     * {@link ClusterMember#hazelcastConfig} (union merge policy on {@link #RANGES_MAP}).
     */
    public static RecordDeduplicator start(String nodeId, HazelcastInstance hazelcast, CassandraStorage storage,
            RecordWriter writer, DedupSettings settings) {
        return new RecordDeduplicator(nodeId, hazelcast, storage, writer, settings);
    }

    public DedupMetrics metrics() {
        return metrics;
    }

    /** Consulted per record: while it says false, every record is SUSPECT (read from Cassandra before it is written). */
    public void sharedViewTrusted(java.util.function.BooleanSupplier trusted) {
        sharedViewTrusted = java.util.Objects.requireNonNull(trusted);
    }

    /**
     * The cluster's published durable sequence numbers of a document (Hazelcast), empty when the cluster holds none
     * (never written, expired, or not yet rebuilt). Synchronous Hazelcast read: for REST handlers, not event loops.
     */
    public java.util.Optional<SequenceRangeSet> clusterRanges(RecordKey key) {
        DocumentRanges r = ranges.get(DocumentKeys.of(key));
        return r == null ? java.util.Optional.empty() : java.util.Optional.of(r.stored().copy());
    }

    // ------------------------------------------------------------------ per SESSION_START

    /**
     * Call on every SESSION_START (primary or not) for the document it opens. Non-blocking: loads the cluster's view
     * of the document (or rebuilds it from Cassandra) in the background; until then the document's records are
     * SUSPECT. As primary it also claims the session in Hazelcast; a previous primary on another node counts as an
     * observed failover, and the time to this node's first durable record as the takeover time.
     */
    public DocumentHandle sessionStarted(RecordKey key, long firstRecordSequenceNumber, boolean primary) {
        return sessionStarted(key, firstRecordSequenceNumber, primary, settings.continuationWindow());
    }

    /**
     * As {@link #sessionStarted(RecordKey, long, boolean)} with this session's continuation window: what a previous
     * collector may have stored without publishing is bounded by the exporter's window of unacknowledged records
     * (SESSION_START's ackSequenceInterval), which it re-sends; beyond that the records are new and take the plain
     * path. A window far larger than the exporter's costs a read before every record of it after a takeover.
     */
    public DocumentHandle sessionStarted(RecordKey key, long firstRecordSequenceNumber, boolean primary,
            long continuationWindow) {
        if (continuationWindow < 0) {
            throw new IllegalArgumentException("continuationWindow must be >= 0");
        }
        DocumentHandle doc = documents.compute(DocumentKeys.of(key), (k, v) -> {
            DocumentHandle h = v == null ? new DocumentHandle(key) : v;
            synchronized (h) {
                h.opens++;
            }
            return h;
        });
        int generation;
        synchronized (doc) {
            doc.firstRecordSeq = firstRecordSequenceNumber;
            doc.continuationWindow = continuationWindow;
            doc.state = DocumentHandle.State.LOADING;
            generation = ++doc.loadGeneration;
            doc.sessionStartNanos = System.nanoTime();
            doc.firstDurableNanos = 0;
            doc.failover = primary ? null : Boolean.FALSE;
        }
        load(doc, generation);
        if (primary) {
            PrimaryClaim claim = new PrimaryClaim(nodeId, key.documentId().toString(), key.bootTime(),
                    System.currentTimeMillis());
            primaries.submitToKey(doc.exporterSession, new PrimaryClaim.Claim(claim)).whenCompleteAsync((prev, e) -> {
                boolean failover = e == null && prev != null && !prev.nodeId().equals(nodeId);
                if (failover) {
                    metrics.failoversObserved.increment();
                    LOG.info("{}: primary moved from {} to {}", doc.exporterSession, prev.nodeId(), nodeId);
                }
                synchronized (doc) {
                    doc.failover = failover;
                    recordTakeover(doc);
                }
            }, callbacks);
        }
        return doc;
    }

    /**
     * Call at SESSION_STOP or when the session's connection is gone: publishes what is pending and forgets the local
     * handle (a later SESSION_START for the same document loads it again).
     */
    public void sessionStopped(DocumentHandle doc) {
        scheduler.execute(() -> {
            flush(doc);
            // forgotten only when every SESSION_START of it here has stopped: a reopened handle keeps publishing
            documents.computeIfPresent(doc.mapKey, (k, v) -> {
                if (v != doc) {
                    return v;
                }
                synchronized (doc) {
                    return --doc.opens > 0 ? doc : null;
                }
            });
        });
    }

    // ------------------------------------------------------------------ per record

    /** The local decision for a record, without admitting it. Cheap; no network. */
    public Verdict classify(DocumentHandle doc, long seq, boolean dupFlag) {
        synchronized (doc) {
            return classifyLocked(doc, seq, dupFlag);
        }
    }

    private Verdict classifyLocked(DocumentHandle doc, long seq, boolean dupFlag) {
        if (!sharedViewTrusted.getAsBoolean() || dupFlag || seq < doc.firstRecordSeq || doc.state != DocumentHandle.State.READY
                || seq <= doc.known.max() || seq <= doc.suspectThrough) {
            return Verdict.SUSPECT; // known.max() covers "already in the known set" too
        }
        return Verdict.NEW;
    }

    /**
     * Stores one record exactly once. Never blocks (may be called on an event loop); the outcome arrives on a driver
     * thread:
     * <ul>
     * <li>STORED — stored now; DUPLICATE — the same bytes were already stored (counted, flagged or not);
     * CONFLICT — different bytes were already stored (alarm raised, conflict saved, stored version kept). In all
     * three cases the record is durable and may be acked.</li>
     * <li>exceptionally ({@link io.ipdrsp.storage.StorageException}) — nothing known: do not ack.</li>
     * </ul>
     * NEW records go straight to the batched writer. SUSPECT records are checked first (read-before-write, no
     * lightweight transaction): the stored row is read (batched per partition, read consistency); present → its bytes
     * decide DUPLICATE or CONFLICT and nothing is written; absent → written through the same batched writer. A second
     * copy of a number whose write is still under way on this node waits for that write before its check.
     *
     * @param data record bytes (position to limit); copied, the caller may release its buffer when this returns
     */
    public CompletionStage<WriteOutcome> write(DocumentHandle doc, long seq, int templateId, int configId,
            boolean dupFlag, ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        return writeOwned(doc, seq, templateId, configId, dupFlag, bytes);
    }

    /**
     * {@link #write(DocumentHandle, long, int, int, boolean, ByteBuffer)} without the copy: {@code bytes} is the
     * caller's own copy of the record, which neither side changes afterwards (the node keeps it for retries).
     */
    public CompletionStage<WriteOutcome> writeOwned(DocumentHandle doc, long seq, int templateId, int configId,
            boolean dupFlag, byte[] bytes) {
        DocumentHandle.Written w = new DocumentHandle.Written(seq, templateId, configId, dupFlag, bytes);
        Verdict verdict;
        CompletableFuture<WriteOutcome> outcome = new CompletableFuture<>();
        CompletableFuture<WriteOutcome> earlier;
        synchronized (doc) {
            verdict = classifyLocked(doc, seq, dupFlag);
            doc.known.add(seq); // admitted: a second copy arriving before this one is durable is SUSPECT
            doc.admitted.add(seq);
            earlier = doc.inFlight.put(seq, outcome);
        }
        CompletionStage<WriteOutcome> result;
        if (verdict == Verdict.NEW) {
            metrics.plainWrites.increment();
            try {
                result = store(doc, w, false);
            } catch (RuntimeException e) { // e.g. overloaded: fail this write, never leave it in inFlight
                result = CompletableFuture.failedFuture(e);
            }
        } else {
            metrics.checkedWrites.increment();
            CompletionStage<?> before = earlier == null ? CompletableFuture.completedFuture(null)
                    : earlier.handle((o, e) -> null);
            result = before.thenCompose(ignored -> check(doc, w));
        }
        result.whenComplete((o, e) -> {
            synchronized (doc) {
                doc.inFlight.remove(seq, outcome);
            }
            if (e == null) {
                outcome.complete(o);
            } else {
                outcome.completeExceptionally(e instanceof java.util.concurrent.CompletionException
                        && e.getCause() != null ? e.getCause() : e);
            }
        });
        return outcome;
    }

    /** A plain batched write; {@code checked}: the record was found absent first (see {@link #check}). */
    private CompletionStage<WriteOutcome> store(DocumentHandle doc, DocumentHandle.Written w, boolean checked) {
        return writer.writeOwned(doc.key, w.seq(), w.templateId(), w.configId(), w.dupFlag(),
                ByteBuffer.wrap(w.data()))
                .thenApply(v -> {
                    durable(doc, w);
                    if (checked && !settings.verifyDelay().isZero() && !closed) {
                        // a write this check could not see (a dead primary's, another site's not yet replicated)
                        // may land after ours with other bytes: read back once it must have arrived
                        try {
                            scheduler.schedule(() -> verifyLater(doc, w), settings.verifyDelay().toMillis(),
                                    TimeUnit.MILLISECONDS);
                        } catch (java.util.concurrent.RejectedExecutionException closing) {
                            // closing: the record is stored all the same
                        }
                    }
                    return WriteOutcome.STORED;
                });
    }

    /** Read-before-write of a SUSPECT record: the stored row decides; absent → stored now. */
    private CompletionStage<WriteOutcome> check(DocumentHandle doc, DocumentHandle.Written w) {
        return reader.read(doc.key, w.seq()).thenCompose(found -> {
            if (found.isEmpty()) {
                metrics.checkedAbsent.increment();
                return store(doc, w, true);
            }
            StoredRecord stored = found.get();
            known(doc, w.seq());
            if (stored.data().equals(ByteBuffer.wrap(w.data()))) {
                (w.dupFlag() ? metrics.duplicatesFlagged : metrics.duplicatesUnflagged).increment();
                duplicates.add(doc.key, w.dupFlag());
                return CompletableFuture.completedFuture(WriteOutcome.DUPLICATE);
            }
            alarm(doc, w, stored, "duplicate with different bytes (read before write)");
            return CompletableFuture.completedFuture(WriteOutcome.CONFLICT);
        });
    }

    private void durable(DocumentHandle doc, DocumentHandle.Written w) {
        boolean publishNow;
        synchronized (doc) {
            doc.pendingWritten.add(w.seq());
            if (doc.pendingRecords.size() < MAX_PENDING_RECORDS) {
                doc.pendingRecords.add(w);
            }
            if (doc.firstDurableNanos == 0) {
                doc.firstDurableNanos = System.nanoTime();
                recordTakeover(doc);
            }
            publishNow = pendingOne(doc);
        }
        publishIf(publishNow, doc);
    }

    private void known(DocumentHandle doc, long seq) {
        boolean publishNow;
        synchronized (doc) {
            doc.pendingKnown.add(seq);
            publishNow = pendingOne(doc);
        }
        publishIf(publishNow, doc);
    }

    /** Counts one pending number; true once per batch when the batch threshold is reached (caller holds the lock). */
    private boolean pendingOne(DocumentHandle doc) {
        if (++doc.pendingCount >= batchThreshold(doc.recentBatch) && !doc.publishQueued) {
            doc.publishQueued = true;
            return true;
        }
        return false;
    }

    /**
     * How many pending numbers make a batch: publishBatch, or twice what the document's recent publishes carried if
     * that is less. A stream that speeds up then publishes in doubling batches, so what a writer holds unpublished
     * never outgrows what a node taking over allows for (twice this), which is small on a slow stream.
     */
    private long batchThreshold(long recentBatch) {
        return recentBatch > 0 ? Math.min(settings.publishBatch(), 2 * recentBatch) : settings.publishBatch();
    }

    /** A full batch publishes on the flush thread now instead of at the next tick (called outside the lock). */
    private void publishIf(boolean batchFull, DocumentHandle doc) {
        if (!batchFull) {
            return;
        }
        try {
            scheduler.execute(() -> flush(doc));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closing: close() publishes what is pending
        }
    }

    private void recordTakeover(DocumentHandle doc) {
        if (Boolean.TRUE.equals(doc.failover) && doc.firstDurableNanos != 0) {
            metrics.takeover(TimeUnit.NANOSECONDS.toMillis(doc.firstDurableNanos - doc.sessionStartNanos));
            doc.failover = Boolean.FALSE; // once per SESSION_START
        }
    }

    private void alarm(DocumentHandle doc, DocumentHandle.Written w, StoredRecord stored, String note) {
        metrics.integrityAlarms.increment();
        LOG.error("INTEGRITY ALARM {} seq {}: {} (stored by {} at {}, {} bytes; received here {} bytes)", doc.key,
                w.seq(), note, stored.receivedBy(), stored.receivedAt(), stored.data().remaining(), w.data().length);
        storage.saveIntegrityConflict(new IntegrityConflict(doc.key, w.seq(), Instant.now(), nodeId, stored.data(),
                ByteBuffer.wrap(w.data()), note)).whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.error("INTEGRITY ALARM {} seq {}: the conflict could not be saved: {}", doc.key, w.seq(),
                                e.toString());
                    }
                });
    }

    // ------------------------------------------------------------------ loading and rebuilding

    private void load(DocumentHandle doc, int generation) {
        ranges.getAsync(doc.mapKey).whenCompleteAsync((v, e) -> {
            if (e == null && v != null && v.complete()) {
                // published by nodes of this cluster: a dead node may have held a batch it had not published, and a
                // second one whose publish had not landed yet (or waited on a starved flush thread)
                synchronized (doc) {
                    doc.recentBatch = v.recentBatch();
                }
                ready(doc, generation, v.stored(), 2L * batchThreshold(v.recentBatch()));
            } else {
                rebuild(doc, generation);
            }
        }, callbacks);
    }

    /** Reads the stored sequence numbers from Cassandra (source of truth) and merges them into the cluster's set. */
    private void rebuild(DocumentHandle doc, int generation) {
        if (closed || !doc.rebuilding.compareAndSet(false, true)) {
            return;
        }
        worker.execute(() -> {
            SequenceRangeSet fromStorage;
            try {
                fromStorage = SequenceRangeSet.of(storage.storedSequences(doc.key));
            } catch (RuntimeException e) {
                doc.rebuilding.set(false);
                LOG.warn("{}: cannot read stored sequences ({}); records stay SUSPECT, retrying", doc, e.toString());
                if (!closed) {
                    scheduler.schedule(() -> rebuild(doc, generation), 1, TimeUnit.SECONDS);
                }
                return;
            }
            metrics.rebuilds.increment();
            // this node's own records are left to its publishes: marked known here, they would come back from the
            // next publish as "already stored by another node" (a false late duplicate)
            SequenceRangeSet othersOnly;
            synchronized (doc) {
                othersOnly = fromStorage.minus(doc.admitted);
            }
            ranges.submitToKey(doc.mapKey, new MarkDurable(new SequenceRangeSet(), othersOnly, true))
                    .whenCompleteAsync((r, e) -> {
                        doc.rebuilding.set(false);
                        SequenceRangeSet view = fromStorage.copy();
                        if (e == null) {
                            view.addAll(r.stored());
                            synchronized (doc) {
                                doc.recentBatch = r.recentBatch();
                            }
                        }
                        // read from Cassandra itself: no publish lag to allow for
                        ready(doc, generation, view, 0);
                    }, callbacks);
        });
    }

    /** {@code lag}: how many numbers beyond the view a previous node may have stored without publishing them. */
    private void ready(DocumentHandle doc, int generation, SequenceRangeSet clusterView, long lag) {
        synchronized (doc) {
            doc.known.addAll(clusterView);
            if (doc.loadGeneration == generation && doc.state == DocumentHandle.State.LOADING) {
                doc.continued = !doc.known.isEmpty();
                doc.suspectThrough = doc.continued ? doc.known.max() + lag + doc.continuationWindow : -1;
                doc.state = DocumentHandle.State.READY;
            }
        }
    }

    // ------------------------------------------------------------------ publishing durable ranges

    /** Publishes every document's pending ranges now (the timer does it every {@code flushInterval}). */
    public void flush() {
        for (DocumentHandle doc : documents.values()) {
            flush(doc);
        }
    }

    private void flushSafely() {
        try {
            flush();
            duplicates.flush();
        } catch (RuntimeException e) {
            LOG.warn("range flush failed: {}", e.toString());
        }
    }

    private void flush(DocumentHandle doc) {
        SequenceRangeSet written;
        SequenceRangeSet known;
        List<DocumentHandle.Written> records;
        synchronized (doc) {
            if (!doc.hasPending()) {
                return;
            }
            written = doc.pendingWritten;
            known = doc.pendingKnown;
            records = doc.pendingRecords;
            doc.pendingWritten = new SequenceRangeSet();
            doc.pendingKnown = new SequenceRangeSet();
            doc.pendingRecords = new ArrayList<>();
            doc.pendingCount = 0;
            doc.publishQueued = false;
        }
        metrics.rangeFlushes.increment();
        CompletionStage<MarkDurable.Result> call;
        try {
            call = ranges.submitToKey(doc.mapKey, new MarkDurable(written, known, false));
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenCompleteAsync((r, e) -> {
            if (e != null) {
                metrics.rangeFlushFailures.increment();
                // Hazelcast is an accelerator: keep the ranges and try again at the next tick (not counted towards the
                // next batch, so an unavailable cluster is not retried once per batch)
                synchronized (doc) {
                    doc.pendingWritten.addAll(written);
                    doc.pendingKnown.addAll(known);
                    if (doc.pendingRecords.size() + records.size() <= MAX_PENDING_RECORDS) {
                        doc.pendingRecords.addAll(records);
                    }
                }
                return;
            }
            synchronized (doc) {
                doc.known.addAll(r.stored());
                doc.recentBatch = r.recentBatch();
            }
            if (!r.complete()) {
                rebuild(doc, -1);
            }
            SequenceRangeSet already = r.alreadyStored();
            if (!already.isEmpty()) {
                for (DocumentHandle.Written w : records) {
                    if (already.contains(w.seq())) {
                        verifyOverlap(doc, w);
                    }
                }
            }
        }, callbacks);
    }

    /** Another node had stored a record this node wrote plainly: compare what is stored now with what we received. */
    private void verifyOverlap(DocumentHandle doc, DocumentHandle.Written w) {
        reader.read(doc.key, w.seq()).whenComplete((stored, e) -> {
            if (e != null || stored.isEmpty()) {
                LOG.warn("{} seq {}: stored twice, read-back failed: {}", doc, w.seq(), e);
                return;
            }
            if (stored.get().data().equals(ByteBuffer.wrap(w.data()))) {
                if (nodeId.equals(stored.get().receivedBy())) {
                    // our plain write was the last one: the other node's bytes are gone and cannot be compared
                    LOG.warn("{} seq {}: also stored by another node; its bytes were overwritten by ours and could not"
                            + " be compared", doc, w.seq());
                }
                metrics.lateDuplicates.increment();
                (w.dupFlag() ? metrics.duplicatesFlagged : metrics.duplicatesUnflagged).increment();
                duplicates.add(doc.key, w.dupFlag());
            } else {
                alarm(doc, w, stored.get(), "stored by two nodes with different bytes (found on publish)");
            }
        });
    }

    /** A checked record was stored with our bytes; a write the check could not see may have replaced them since. */
    private void verifyLater(DocumentHandle doc, DocumentHandle.Written w) {
        reader.read(doc.key, w.seq()).whenComplete((stored, e) -> {
            if (e == null && stored.isPresent() && !stored.get().data().equals(ByteBuffer.wrap(w.data()))) {
                alarm(doc, w, stored.get(), "replaced after the checked write (late write of another node or site)");
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        try {
            scheduler.submit(() -> {
                flush();
                duplicates.flush();
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("final range flush: {}", e.toString());
        }
        scheduler.shutdownNow();
        worker.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
