package io.ipdrsp.dedup;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * Adds a node's recently stored sequence numbers to a document's range set in one partition-thread step, and reports
 * which of the {@code written} ones another node had published as written too (a late-detected duplicate). {@code known} numbers (found already stored by the read-before-write check) are added without
 * that check. {@code rebuilt} = the caller merges what Cassandra holds: the entry becomes complete. Runs on the backup
 * replicas too (same deterministic union), so the backups stay equal to the owner.
 */
public final class MarkDurable implements EntryProcessor<String, DocumentRanges, MarkDurable.Result>, DataSerializable {
    private static final long serialVersionUID = 1L;

    private long[] written;
    private long[] known;
    private boolean rebuilt;

    public MarkDurable() {
    }

    MarkDurable(SequenceRangeSet written, SequenceRangeSet known, boolean rebuilt) {
        this.written = written.toArray();
        this.known = known.toArray();
        this.rebuilt = rebuilt;
    }

    @Override
    public Result process(Map.Entry<String, DocumentRanges> entry) {
        DocumentRanges value = entry.getValue();
        if (value == null) {
            value = new DocumentRanges();
        }
        SequenceRangeSet w = SequenceRangeSet.fromArray(written);
        SequenceRangeSet k = SequenceRangeSet.fromArray(known);
        // only another node's own write makes ours a late duplicate; a number it found already stored (known) was
        // counted as a duplicate by that node when it found it
        SequenceRangeSet already = value.written().intersection(w);
        value.written().addAll(w);
        value.stored().addAll(w);
        value.stored().addAll(k);
        if (rebuilt) {
            value.markComplete(); // a rebuild's numbers are what Cassandra held, not a writer's batch
        } else {
            value.published(w.cardinality() + k.cardinality());
        }
        entry.setValue(value);
        return new Result(already.toArray(), value.stored().toArray(), value.complete(), value.recentBatch());
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeLongArray(written);
        out.writeLongArray(known);
        out.writeBoolean(rebuilt);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        written = in.readLongArray();
        known = in.readLongArray();
        rebuilt = in.readBoolean();
    }

    /** What the entry looked like after the update. */
    public static final class Result implements DataSerializable {
        private long[] alreadyStored;
        private long[] stored;
        private boolean complete;
        private long recentBatch;

        public Result() {
        }

        Result(long[] alreadyStored, long[] stored, boolean complete, long recentBatch) {
            this.alreadyStored = alreadyStored;
            this.stored = stored;
            this.complete = complete;
            this.recentBatch = recentBatch;
        }

        /** The written numbers that the cluster already held before this update. */
        public SequenceRangeSet alreadyStored() {
            return SequenceRangeSet.fromArray(alreadyStored);
        }

        /** The whole range set after the update. */
        public SequenceRangeSet stored() {
            return SequenceRangeSet.fromArray(stored);
        }

        public boolean complete() {
            return complete;
        }

        /** See {@link DocumentRanges#recentBatch()}. */
        long recentBatch() {
            return recentBatch;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeLongArray(alreadyStored);
            out.writeLongArray(stored);
            out.writeBoolean(complete);
            out.writeLong(recentBatch);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            alreadyStored = in.readLongArray();
            stored = in.readLongArray();
            complete = in.readBoolean();
            recentBatch = in.readLong();
        }
    }
}
