package io.ipdrsp.dedup;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.Receipt;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.RecordWriter;
import io.ipdrsp.storage.WriteOutcome;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record path's entry into storage: every record is written at once, with no read before it, as a version keyed
 * by the digest of its bytes and with its stretch's receipt ({@link RecordWriter}; docs/storage.md "Versions"). An
 * identical re-send is the same row, a differing one a second row: integrity is decided by Cassandra's key, not by who
 * checked first, and no Hazelcast split or second site can make one version replace another. What dedup adds:
 * <ul>
 * <li>the cluster's view of each document (Hazelcast range sets, rebuilt from Cassandra when absent:
 * {@link DocumentViews}), published in batches ({@link RangePublisher});</li>
 * <li>per record, whether another version or an earlier receipt of it may exist ({@link DocumentState}); if so it is
 * read back after its write ({@link VersionCheck}) — differing versions raise the alarm once in the cluster
 * ({@link ConflictAlarm}), an earlier receipt makes it a re-send. A brand-new document's records are never read.</li>
 * </ul>
 * Hazelcast and ZooKeeper are never awaited on the record path; Cassandra is (the write).
 */
public final class RecordDeduplicator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RecordDeduplicator.class);
    public static final String RANGES_MAP = "ipdr-document-ranges";
    public static final String PRIMARY_MAP = "ipdr-session-primary";

    /** The local decision for one record: NEW = written and never read; SUSPECT = read back after its write. */
    public enum Verdict { NEW, SUSPECT }

    private final String nodeId;
    private final IMap<String, DocumentRanges> ranges;
    private final IMap<String, PrimaryClaim> primaries;
    private final RecordWriter writer;
    private final DedupSettings settings;
    private final DedupMetrics metrics = new DedupMetrics();
    private final ConcurrentHashMap<String, DocumentState> documents = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService worker;
    /**
     * Runs the callbacks of Hazelcast futures on the flush thread (inline once it is shut down). A plain
     * {@code whenComplete} runs them on Hazelcast's default async executor, which, when the common pool's parallelism
     * is below 2 (a JVM that sees 2 CPUs or fewer), starts a thread per callback (docs/performance.md "Cluster").
     */
    private final Executor callbacks;
    private final ConflictAlarm alarm;
    private final DocumentViews views;
    private final RangePublisher publisher;
    private final VersionCheck checks;
    private volatile BooleanSupplier sharedViewTrusted = () -> true;

    private RecordDeduplicator(String nodeId, HazelcastInstance hazelcast, CassandraStorage storage,
            RecordWriter writer, DedupSettings settings) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.ranges = hazelcast.getMap(RANGES_MAP);
        this.primaries = hazelcast.getMap(PRIMARY_MAP);
        this.writer = writer;
        this.settings = settings;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ipdr-dedup-flush-" + nodeId));
        this.worker = Executors.newFixedThreadPool(2, r -> daemon(r, "ipdr-dedup-worker-" + nodeId));
        this.callbacks = r -> {
            try {
                scheduler.execute(r);
            } catch (RejectedExecutionException closing) {
                r.run();
            }
        };
        this.alarm = new ConflictAlarm(storage, nodeId, settings.serialConsistency(), metrics);
        this.checks = new VersionCheck(storage.recordReader(), scheduler, settings.verifyDelay(), metrics, alarm,
                nodeId);
        this.views = new DocumentViews(ranges, storage, worker, scheduler, callbacks, metrics,
                recent -> RangePublisher.batchThreshold(settings, recent), this::decided);
        this.publisher = new RangePublisher(ranges, scheduler, callbacks, settings, metrics, views, this::overlap);
        long every = settings.flushInterval().toNanos();
        scheduler.scheduleWithFixedDelay(this::flushSafely, every, every, TimeUnit.NANOSECONDS);
    }

    /**
     * Starts dedup on one node. {@code writer} is the node's record writer; read-backs use a reader from
     * {@code storage}. The Hazelcast maps must be configured as in {@link ClusterMember#hazelcastConfig} (union merge
     * policy on {@link #RANGES_MAP}).
     */
    public static RecordDeduplicator start(String nodeId, HazelcastInstance hazelcast, CassandraStorage storage,
            RecordWriter writer, DedupSettings settings) {
        RecordDeduplicator d = new RecordDeduplicator(nodeId, hazelcast, storage, writer, settings);
        // A member's first partition operation arranges (or fetches) Hazelcast's partition table synchronously on the
        // calling thread, seconds on a busy machine: do it here, at start, not on the event loop of the first
        // SESSION_START (whose claim would be that first operation).
        d.primaries.containsKey("");
        return d;
    }

    public DedupMetrics metrics() {
        return metrics;
    }

    /** The alarm for conflicts, for the finalizer's {@link ConflictAlarm#checkDocument} (counts in these metrics). */
    public ConflictAlarm conflictAlarm() {
        return alarm;
    }

    /**
     * Whether the shared view (Hazelcast) may be trusted, asked per record; when false every record is treated as if
     * there were no view: read back after its write and never taken for a re-send from the view. Default: always.
     */
    public void setSharedViewTrusted(BooleanSupplier trusted) {
        this.sharedViewTrusted = Objects.requireNonNull(trusted, "trusted");
    }

    /**
     * The cluster's published durable sequence numbers of a document (Hazelcast), empty when the cluster holds none.
     * Synchronous Hazelcast read: for REST handlers, not event loops.
     */
    public Optional<SequenceRangeSet> clusterRanges(RecordKey key) {
        DocumentRanges r = ranges.get(DocumentKeys.of(key));
        return r == null ? Optional.empty() : Optional.of(r.stored().copy());
    }

    // ------------------------------------------------------------------ per SESSION_START

    /** {@link #sessionStarted(RecordKey, long, boolean, long)} with the configured continuation window. */
    public DocumentHandle sessionStarted(RecordKey key, long firstRecordSequenceNumber, boolean primary) {
        return sessionStarted(key, firstRecordSequenceNumber, primary, settings.continuationWindow());
    }

    /**
     * Call on every SESSION_START (primary or not). Non-blocking: loads the document's view in the background. As
     * primary, the stretch claims the session in Hazelcast with its first durable record ({@link #claimPrimary}); a
     * previous primary on another node counts as an observed failover. {@code continuationWindow}:
     * what a previous collector may have stored without publishing is bounded by the exporter's window of
     * unacknowledged records, which it re-sends; those records are read back after their write.
     */
    public DocumentHandle sessionStarted(RecordKey key, long firstRecordSequenceNumber, boolean primary,
            long continuationWindow) {
        if (continuationWindow < 0) {
            throw new IllegalArgumentException("continuationWindow must be >= 0");
        }
        int[] generation = new int[1];
        DocumentState doc = documents.compute(DocumentKeys.of(key), (k, v) -> {
            DocumentState d = v == null ? new DocumentState(key) : v;
            generation[0] = d.open(continuationWindow);
            return d;
        });
        DocumentHandle h = new DocumentHandle(doc, Receipt.next(nodeId), firstRecordSequenceNumber, primary);
        views.load(doc, generation[0]);
        return h;
    }

    /**
     * Call at SESSION_STOP or when the session's connection is gone, once its writes completed: publishes what is
     * pending and forgets the document when no other SESSION_START of it is open here.
     */
    public void sessionStopped(DocumentHandle h) {
        DocumentState doc = h.doc;
        scheduler.execute(() -> {
            publisher.flush(doc);
            documents.computeIfPresent(doc.mapKey, (k, v) -> v != doc || doc.close() ? v : null);
        });
    }

    /**
     * The stretch's first durable record: it carries the session now, so it claims the primary role in Hazelcast. A
     * previous claim by another node is an observed failover, and SESSION_START → this record the takeover time.
     * Claiming at SESSION_START instead counted a stretch that never carried data: an exporter that opens a session
     * as primary on two collectors at once and hands one off before any DATA left the idle node's claim standing, and
     * the data's next move to that node went uncounted.
     */
    private void claimPrimary(DocumentHandle h) {
        DocumentState doc = h.doc;
        PrimaryClaim claim = new PrimaryClaim(nodeId, doc.key.documentId().toString(), doc.key.bootTime(),
                System.currentTimeMillis());
        primaries.submitToKey(doc.exporterSession, new PrimaryClaim.Claim(claim)).whenCompleteAsync((prev, e) -> {
            boolean failover = e == null && prev != null && !prev.nodeId().equals(nodeId);
            if (failover) {
                metrics.failover(doc.key.exporter());
                LOG.info("{}: primary moved from {} to {}", doc.exporterSession, prev.nodeId(), nodeId);
            }
            metrics.takeover(h.claimAnswered(failover));
        }, callbacks);
    }

    // ------------------------------------------------------------------ per record

    /** The local decision for a record, without admitting it. Cheap; no network. */
    public Verdict classify(DocumentHandle h, long seq, boolean dupFlag) {
        DocumentState.Check c = sharedViewTrusted.getAsBoolean() ? h.doc.classify(h, seq, dupFlag)
                : DocumentState.Check.VERIFY;
        return c == DocumentState.Check.NONE ? Verdict.NEW : Verdict.SUSPECT;
    }

    /**
     * {@link #writeOwned} of a copy of {@code data} (position to limit); the caller may release its buffer on return.
     */
    public CompletionStage<WriteOutcome> write(DocumentHandle h, long seq, int templateId, int configId,
            boolean dupFlag, ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        return writeOwned(h, seq, templateId, configId, dupFlag, bytes);
    }

    /**
     * Stores one record of {@code h}'s stretch. Never blocks (event loops call it) and never reads: the outcome
     * arrives on a driver thread once the record is durable — STORED, or DUPLICATE when the number was known stored
     * already (a re-send: the cluster's view or another stretch here held it) — and may be acked; exceptionally
     * ({@link io.ipdrsp.storage.StorageException}): nothing known, do not ack, retry with the same handle (a retry is
     * not a re-send). {@code bytes} is the caller's own copy, which neither side changes afterwards. CONFLICT is never
     * returned: differing versions are both stored and found by the read-back or the finalizer.
     */
    public CompletionStage<WriteOutcome> writeOwned(DocumentHandle h, long seq, int templateId, int configId,
            boolean dupFlag, byte[] bytes) {
        boolean trusted = sharedViewTrusted.getAsBoolean();
        boolean known = h.doc.admit(h, seq, trusted);
        if (known) {
            metrics.resend(dupFlag);
            h.countResend();
        }
        CompletionStage<Void> write;
        try {
            write = writer.writeOwned(h.doc.key, seq, templateId, configId, h.receipt, dupFlag, ByteBuffer.wrap(bytes));
        } catch (RuntimeException e) { // e.g. overloaded: this write fails, the caller retries
            return CompletableFuture.failedFuture(e);
        }
        return write.thenApply(v -> {
            durable(h, seq, dupFlag, known, trusted);
            return known ? WriteOutcome.DUPLICATE : WriteOutcome.STORED;
        });
    }

    private void durable(DocumentHandle h, long seq, boolean dupFlag, boolean known, boolean trusted) {
        if (h.primary && h.durable()) { // a backup stretch claims nothing, and needs no takeover timing
            claimPrimary(h);
        }
        // decided before it is published: the number must not come back in the view as if another node held it
        DocumentState.Check c = h.doc.check(h, seq, dupFlag, known, trusted);
        if (c == DocumentState.Check.VERIFY) {
            metrics.checkedWrites.increment();
            checks.schedule(h.doc, h, seq, dupFlag, known);
        } else if (c == DocumentState.Check.NONE) {
            metrics.plainWrites.increment();
        }
        publisher.durable(h.doc, seq);
    }

    /** The view arrived: records admitted before it are decided now. */
    private void decided(DocumentState doc, List<DocumentState.Decided> decided) {
        for (DocumentState.Decided d : decided) {
            DocumentState.Parked p = d.record();
            if (d.verify()) {
                metrics.checkedWrites.increment();
                checks.schedule(doc, p.handle(), p.seq(), p.dupFlag(), false);
            } else {
                metrics.plainWrites.increment();
            }
        }
    }

    /** Numbers this node wrote that another node published as written too: read back those not read back yet. */
    private void overlap(DocumentState doc, SequenceRangeSet numbers) {
        for (io.ipdrsp.storage.SequenceRange r : doc.unchecked(numbers).ranges()) {
            for (long seq = r.first(); seq <= r.last(); seq++) {
                checks.schedule(doc, null, seq, false, false);
            }
        }
    }

    // ------------------------------------------------------------------ publishing and closing

    /** Publishes every document's pending ranges now (the timer does it every {@code flushInterval}). */
    public void flush() {
        documents.values().forEach(publisher::flush);
    }

    private void flushSafely() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("range flush failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        views.close();
        try {
            scheduler.submit(this::flush).get(5, TimeUnit.SECONDS);
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
