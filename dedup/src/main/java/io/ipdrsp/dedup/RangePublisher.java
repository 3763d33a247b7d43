package io.ipdrsp.dedup;

import com.hazelcast.map.IMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;

/**
 * Publishes a document's durable numbers to the cluster's range set: one entry-processor call ({@link MarkDurable})
 * per document every {@code flushInterval}, or as soon as a batch is pending, never per record. The answer is the
 * cluster's whole set (the view grows) and the numbers another node had published as written too: this node wrote a
 * number someone else wrote, which nobody may have compared — handed to {@code onOverlap} to be read back. A failed
 * publish keeps its numbers for the next tick: Hazelcast is an accelerator, Cassandra holds the records.
 */
final class RangePublisher {
    private final IMap<String, DocumentRanges> ranges;
    private final ScheduledExecutorService scheduler;
    private final Executor callbacks;
    private final DedupSettings settings;
    private final DedupMetrics metrics;
    private final DocumentViews views;
    private final BiConsumer<DocumentState, SequenceRangeSet> onOverlap;

    RangePublisher(IMap<String, DocumentRanges> ranges, ScheduledExecutorService scheduler, Executor callbacks,
            DedupSettings settings, DedupMetrics metrics, DocumentViews views,
            BiConsumer<DocumentState, SequenceRangeSet> onOverlap) {
        this.ranges = ranges;
        this.scheduler = scheduler;
        this.callbacks = callbacks;
        this.settings = settings;
        this.metrics = metrics;
        this.views = views;
        this.onOverlap = onOverlap;
    }

    /**
     * How many pending numbers make a batch: publishBatch, or twice what the document's recent publishes carried if
     * that is less. A stream that speeds up then publishes in doubling batches, so what a writer holds unpublished
     * never outgrows what a node taking over allows for (twice this), which is small on a slow stream.
     */
    static long batchThreshold(DedupSettings settings, long recentBatch) {
        return recentBatch > 0 ? Math.min(settings.publishBatch(), 2 * recentBatch) : settings.publishBatch();
    }

    /** A record of this node is durable; a full batch publishes now, on the flush thread. */
    void durable(DocumentState doc, long seq) {
        if (doc.durable(seq, batchThreshold(settings, doc.recentBatch()))) {
            try {
                scheduler.execute(() -> flush(doc));
            } catch (RejectedExecutionException closing) {
                // closing: close() publishes what is pending
            }
        }
    }

    /** Publishes what the document has pending (the timer calls it every flushInterval). */
    void flush(DocumentState doc) {
        SequenceRangeSet written = doc.takePending();
        if (written == null) {
            return;
        }
        metrics.rangeFlushes.increment();
        CompletionStage<MarkDurable.Result> call;
        try {
            call = ranges.submitToKey(doc.mapKey, new MarkDurable(written, new SequenceRangeSet(), false));
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenCompleteAsync((r, e) -> {
            if (e != null) {
                metrics.rangeFlushFailures.increment();
                doc.restorePending(written);
                return;
            }
            doc.published(r.stored(), r.recentBatch());
            if (!r.complete()) {
                views.rebuild(doc, -1);
            }
            SequenceRangeSet overlap = r.alreadyStored();
            if (!overlap.isEmpty()) {
                onOverlap.accept(doc, overlap);
            }
        }, callbacks);
    }
}
