package io.ipdrsp.dedup;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;

/**
 * The cluster's value per document: the sequence numbers known to be durably stored, the subset that nodes published
 * as written by themselves (only those make a later writer's number a late duplicate: a number another node found
 * already stored was counted as a duplicate by that node), and whether the set was ever
 * merged with what Cassandra holds ({@code complete}). An incomplete entry (created by a mark before any rebuild,
 * e.g. after the partition holding it was lost) is completed by the next node that touches the document.
 *
 * <p>{@code recentBatch} is how many numbers the writers' recent publishes carried (a maximum that decays by half per
 * publish, so a stream that slows down is followed within a few publishes). A writer publishes once it holds twice
 * that (or publishBatch, if less), so a node taking over allows for two such batches instead of for two full
 * publishBatches, which on a slow stream would make it check thousands of new records before writing them.
 */
public final class DocumentRanges implements DataSerializable {
    private SequenceRangeSet stored = new SequenceRangeSet();
    private SequenceRangeSet written = new SequenceRangeSet();
    private boolean complete;
    private long recentBatch;

    public DocumentRanges() {
    }

    DocumentRanges(SequenceRangeSet stored, boolean complete) {
        this(stored, new SequenceRangeSet(), complete, 0);
    }

    private DocumentRanges(SequenceRangeSet stored, SequenceRangeSet written, boolean complete, long recentBatch) {
        this.stored = stored;
        this.written = written;
        this.complete = complete;
        this.recentBatch = recentBatch;
    }

    public SequenceRangeSet stored() {
        return stored;
    }

    /** The numbers nodes published as stored by their own writes (a subset of {@link #stored}). */
    SequenceRangeSet written() {
        return written;
    }

    public boolean complete() {
        return complete;
    }

    void markComplete() {
        complete = true;
    }

    /** Numbers in the writers' recent publishes (decaying maximum); 0 when no writer has published yet. */
    long recentBatch() {
        return recentBatch;
    }

    /** A writer published {@code numbers} sequence numbers. */
    void published(long numbers) {
        recentBatch = Math.max(numbers, recentBatch / 2);
    }

    /** Union of both sides: neither side's knowledge is lost (split-brain healing). */
    static DocumentRanges union(DocumentRanges a, DocumentRanges b) {
        SequenceRangeSet s = a.stored.copy();
        s.addAll(b.stored);
        SequenceRangeSet w = a.written.copy();
        w.addAll(b.written);
        return new DocumentRanges(s, w, a.complete || b.complete, Math.max(a.recentBatch, b.recentBatch));
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeBoolean(complete);
        out.writeLong(recentBatch);
        stored.writeData(out);
        written.writeData(out);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        complete = in.readBoolean();
        recentBatch = in.readLong();
        stored = new SequenceRangeSet();
        stored.readData(in);
        written = new SequenceRangeSet();
        written.readData(in);
    }

    @Override
    public String toString() {
        return "DocumentRanges" + stored + (complete ? "" : " (incomplete)");
    }
}
