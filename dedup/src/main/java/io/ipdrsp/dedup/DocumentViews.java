package io.ipdrsp.dedup;

import com.hazelcast.map.IMap;
import io.ipdrsp.storage.CassandraStorage;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a document's view when a SESSION_START opens it: from Hazelcast when the cluster's entry is complete (then a
 * previous writer may have stored up to two publish batches it had not published yet: the lag allowed for), else
 * rebuilt from Cassandra — one read of the document's buckets and stored numbers, never a read per record — and merged
 * into the cluster's entry. Retries a failed rebuild every second. Runs off the record path; the document's records are
 * written meanwhile and decided when the view arrives.
 */
final class DocumentViews {
    private static final Logger LOG = LoggerFactory.getLogger(DocumentViews.class);

    private final IMap<String, DocumentRanges> ranges;
    private final CassandraStorage storage;
    private final ExecutorService worker;
    private final ScheduledExecutorService scheduler;
    private final Executor callbacks;
    private final DedupMetrics metrics;
    /** The publish batch for a document's recent batch (see {@link RangePublisher#batchThreshold}). */
    private final LongUnaryOperator batchThreshold;
    /** Told the records a document admitted before its view arrived, decided. */
    private final BiConsumer<DocumentState, List<DocumentState.Decided>> onReady;
    private volatile boolean closed;

    DocumentViews(IMap<String, DocumentRanges> ranges, CassandraStorage storage, ExecutorService worker,
            ScheduledExecutorService scheduler, Executor callbacks, DedupMetrics metrics,
            LongUnaryOperator batchThreshold, BiConsumer<DocumentState, List<DocumentState.Decided>> onReady) {
        this.ranges = ranges;
        this.storage = storage;
        this.worker = worker;
        this.scheduler = scheduler;
        this.callbacks = callbacks;
        this.metrics = metrics;
        this.batchThreshold = batchThreshold;
        this.onReady = onReady;
    }

    void load(DocumentState doc, int generation) {
        ranges.getAsync(doc.mapKey).whenCompleteAsync((v, e) -> {
            if (e == null && v != null && v.complete()) {
                // published by nodes of this cluster: a dead node may have held a batch it had not published, and a
                // second one whose publish had not landed yet (or waited on a starved flush thread)
                doc.recentBatch(v.recentBatch());
                ready(doc, generation, v.stored(), 2L * batchThreshold.applyAsLong(v.recentBatch()));
            } else {
                rebuild(doc, generation);
            }
        }, callbacks);
    }

    /** Reads the stored sequence numbers from Cassandra (source of truth) and merges them into the cluster's set. */
    void rebuild(DocumentState doc, int generation) {
        if (closed || !doc.rebuilding.compareAndSet(false, true)) {
            return;
        }
        try {
            worker.execute(() -> rebuildNow(doc, generation));
        } catch (RejectedExecutionException closing) {
            doc.rebuilding.set(false);
        }
    }

    private void rebuildNow(DocumentState doc, int generation) {
        SequenceRangeSet fromStorage;
        try {
            fromStorage = SequenceRangeSet.of(storage.storedSequences(doc.key));
        } catch (RuntimeException e) {
            doc.rebuilding.set(false);
            LOG.warn("{}: cannot read stored sequences ({}); retrying in 1 s", doc, e.toString());
            if (!closed) {
                try {
                    scheduler.schedule(() -> rebuild(doc, generation), 1, TimeUnit.SECONDS);
                } catch (RejectedExecutionException closing) {
                    // closing
                }
            }
            return;
        }
        metrics.rebuilds.increment();
        // this node's own records are left to its publishes: marked known here, they would come back from the next
        // publish as "already written by another node" (a false overlap)
        SequenceRangeSet othersOnly = fromStorage.minus(doc.admittedCopy());
        ranges.submitToKey(doc.mapKey, new MarkDurable(new SequenceRangeSet(), othersOnly, true))
                .whenCompleteAsync((r, e) -> {
                    doc.rebuilding.set(false);
                    SequenceRangeSet view = fromStorage.copy();
                    if (e == null) {
                        view.addAll(r.stored());
                        doc.recentBatch(r.recentBatch());
                    }
                    // read from Cassandra itself: no publish lag to allow for
                    ready(doc, generation, view, 0);
                }, callbacks);
    }

    private void ready(DocumentState doc, int generation, SequenceRangeSet view, long lag) {
        List<DocumentState.Decided> decided = doc.ready(generation, view, lag);
        if (!decided.isEmpty()) {
            onReady.accept(doc, decided);
        }
    }

    void close() {
        closed = true;
    }
}
