package io.ipdrsp.node.session;

import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.storage.DocumentInfo;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session layer's metadata writes — segments, document rows, templates — off the record path. Event loops only
 * enqueue; one journal thread coalesces what arrived within {@value #LINGER_MILLIS} ms (a segment started and
 * stopped meanwhile is one row write; a document row is written OPEN once per document and node, templates once per
 * (exporter, session, boot, configId) and node, not per connection) and hands the writes to {@link MetadataWrites}
 * (bounded, in row order, retried).
 */
public final class SegmentJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentJournal.class);
    static final long LINGER_MILLIS = 20;
    private static final int REMEMBERED = 10_000;

    private final String nodeId;
    private final MetadataStore store;
    private final ScheduledExecutorService thread;
    private final ConcurrentLinkedQueue<Op> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    // journal thread only:
    private final MetadataWrites writes;
    private final Map<Object, Boolean> templatesWritten = lru();
    private final Map<RecordKey, Boolean> documentsOpened = lru();
    private volatile int lastPending;

    /** What an event loop asked for; {@code key} names the row it writes (later writes of a row replace earlier ones). */
    private record Op(Kind kind, Object key, String what, Supplier<CompletionStage<Void>> write, Segment segment,
                      RecordKey document) {
    }

    private enum Kind { SEGMENT, SEGMENT_PROGRESS, SEGMENT_STOP, DOCUMENT_OPEN, DOCUMENT_STOP, TEMPLATES }

    public SegmentJournal(String nodeId, MetadataStore store) {
        this.nodeId = nodeId;
        this.store = store;
        this.thread = DaemonThreads.single("ipdr-segment-journal");
        this.writes = new MetadataWrites(thread);
    }

    public String nodeId() {
        return nodeId;
    }

    /** SESSION_START: the segment row (rewritten whole with its stop fields if it ends before being written). */
    void segmentStarted(Segment s) {
        enqueue(new Op(Kind.SEGMENT, segmentKey(s), "segment start " + s.key(), () -> store.saveSegment(s), s, null));
    }

    /**
     * SESSION_STOP on a segment started earlier. {@code highestSeq}: the highest DSN this node received in it, -1 when
     * none — what orders segments by the exporter's own progress (audit.md, "Segment order").
     */
    void segmentStopped(Segment started, Instant stoppedAt, int reason, String info, long highestSeq) {
        Segment whole = new Segment(started.key(), started.startedAt(), started.node(), started.primary(),
                started.firstRecordSeq(), started.droppedRecordCount(), started.ackTimeInterval(),
                started.ackSequenceInterval(), stoppedAt, reason, info, highestSeq);
        enqueue(new Op(Kind.SEGMENT_STOP, segmentKey(started), "segment stop " + started.key(),
                () -> store.stopSegment(started.key(), started.startedAt(), started.node(), stoppedAt, reason, info,
                        highestSeq), whole, null));
    }

    /**
     * How far an open segment has got ({@code highestSeq}: the highest DSN received so far). Without it, a stretch
     * whose node is killed before SESSION_STOP says only where it started, and sorts before an earlier stretch of
     * another node that carried a few records (audit.md, "Segment order").
     */
    void segmentProgress(Segment started, long highestSeq) {
        Segment progressed = new Segment(started.key(), started.startedAt(), started.node(), started.primary(),
                started.firstRecordSeq(), started.droppedRecordCount(), started.ackTimeInterval(),
                started.ackSequenceInterval(), null, null, null, highestSeq);
        enqueue(new Op(Kind.SEGMENT_PROGRESS, segmentKey(started), "segment progress " + started.key(),
                () -> store.segmentProgress(started.key(), started.startedAt(), started.node(), highestSeq),
                progressed, null));
    }

    /** The segment ended without SESSION_STOP (FLOW_STOP, superseded, connection closed): the whole row. */
    void segmentEnded(Segment started, Instant stoppedAt, String info, long highestSeq) {
        Segment ended = new Segment(started.key(), started.startedAt(), started.node(), started.primary(),
                started.firstRecordSeq(), started.droppedRecordCount(), started.ackTimeInterval(),
                started.ackSequenceInterval(), stoppedAt, null, info, highestSeq);
        enqueue(new Op(Kind.SEGMENT, segmentKey(started), "segment end " + started.key(),
                () -> store.saveSegment(ended), ended, null));
    }

    /**
     * The document row with {@code state} (OPEN at SESSION_START — written once per document by this node — or
     * STOPPED), written by whichever node receives it. The start it proposes is this node's segment start: the
     * storage keeps the first claim of any node (docs/audit.md, "the claimed start time"). Never a time read from the
     * documentId: a random documentId's first 32 bits read as DOCSIS seconds since 1900 fall between 2000 and now
     * for about a fifth of all UUIDs, and such a document was indexed in 2012, outside every audit window and the
     * finalizer's lookback — never finalized.
     */
    void document(RecordKey key, Instant segmentStart, String state, String detail) {
        DocumentInfo info = new DocumentInfo(key, state, segmentStart, segmentStart,
                Instant.now(), null, detail, nodeId);
        Kind kind = "OPEN".equals(state) ? Kind.DOCUMENT_OPEN : Kind.DOCUMENT_STOP;
        enqueue(new Op(kind, List.of(key, info.startedAt()), "document " + state + " " + key,
                () -> store.saveDocument(info), null, key));
    }

    /** The templates records of (exporter, session, boot, configId) are decoded with; once per node. */
    void templates(String exporter, int sessionId, long bootTime, int configId, List<TemplateBlock> templates) {
        if (templates == null || templates.isEmpty()) {
            return;
        }
        enqueue(new Op(Kind.TEMPLATES, List.of(exporter, sessionId, bootTime, configId),
                exporter + " templates session " + sessionId + " configId " + configId,
                () -> store.saveTemplates(exporter, sessionId, bootTime, configId, templates), null, null));
    }

    private static Object segmentKey(Segment s) {
        return List.of(s.key(), s.startedAt(), s.node());
    }

    private void enqueue(Op op) {
        queue.add(op);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                thread.schedule(this::drain, LINGER_MILLIS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                LOG.warn("{}: not stored (node stopping)", op.what());
            }
        }
    }

    /** Journal thread: coalesce what was queued, then start writes up to the in-flight bound. */
    private void drain() {
        drainScheduled.set(false);
        Map<Object, Op> latest = new LinkedHashMap<>();
        Op op;
        while ((op = queue.poll()) != null) {
            Op before = latest.remove(op.key()); // a later write of a row replaces an earlier one, at its own place
            boolean merge = op.kind() == Kind.SEGMENT_STOP || op.kind() == Kind.SEGMENT_PROGRESS;
            if (merge && before != null && before.kind() == Kind.SEGMENT) {
                Segment whole = op.segment(); // started and stopped (or advanced) before anything was written: one row
                op = new Op(Kind.SEGMENT, op.key(), op.what(), () -> store.saveSegment(whole), whole, null);
            }
            latest.put(op.key(), op);
        }
        for (Op o : latest.values()) {
            Runnable onGiveUp = null;
            switch (o.kind()) {
                case TEMPLATES -> {
                    if (templatesWritten.put(o.key(), true) != null) {
                        continue;
                    }
                    onGiveUp = () -> templatesWritten.remove(o.key());
                }
                case DOCUMENT_OPEN -> {
                    if (documentsOpened.put(o.document(), true) != null) {
                        continue;
                    }
                    onGiveUp = () -> documentsOpened.remove(o.document());
                }
                case DOCUMENT_STOP -> documentsOpened.remove(o.document()); // a resumed document is OPEN again
                default -> {
                    // segments: every one is written
                }
            }
            boolean background = o.kind() == Kind.SEGMENT_PROGRESS;
            MetadataWrites.Write w = new MetadataWrites.Write(o.key(), o.what(), o.write(), onGiveUp,
                    System.nanoTime(), background);
            if (background) {
                writes.submitBackground(w);
            } else {
                writes.submit(w);
            }
        }
    }

    private static <K> Map<K, Boolean> lru() {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Boolean> eldest) {
                return size() > REMEMBERED;
            }
        };
    }

    /**
     * Writes asked for and not stored yet (queued, waiting behind their row, in flight, or retried): the
     * {@code ipdr_metadata_writes_pending} gauge. Asked on the journal thread, which only ever does short work; the last
     * known figure while it does not answer within a second.
     */
    int pending() {
        try {
            lastPending = thread.submit(() -> queue.size() + writes.outstanding()).get(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                | java.util.concurrent.RejectedExecutionException e) {
            // stopping, or busy: the last figure
        }
        return lastPending;
    }

    /** Waits until what was queued so far is written or given up (tests; shutdown). */
    void sync() throws Exception {
        awaitWritten(TimeUnit.SECONDS.toNanos(10));
    }

    private void awaitWritten(long timeoutNanos) throws Exception {
        long deadline = System.nanoTime() + timeoutNanos;
        do {
            thread.submit(this::drain).get(timeoutNanos, TimeUnit.NANOSECONDS);
            if (thread.submit(writes::outstanding).get() == 0) {
                return;
            }
            Thread.sleep(5);
        } while (System.nanoTime() < deadline);
    }

    /**
     * Writes what is queued and waits up to 3 s for the writes in flight (segment ends of the connections closed at
     * shutdown), then stops the journal thread.
     */
    @Override
    public void close() {
        if (thread.isShutdown()) {
            return;
        }
        try {
            awaitWritten(TimeUnit.SECONDS.toNanos(3));
        } catch (Exception e) {
            LOG.warn("metadata writes at shutdown: {}", e.toString());
        }
        writes.closing();
        thread.shutdownNow();
    }
}
