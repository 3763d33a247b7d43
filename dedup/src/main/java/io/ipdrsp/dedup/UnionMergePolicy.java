package io.ipdrsp.dedup;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

/**
 * Split-brain healing for the document range sets: the merged entry is the union of both sides, so a sequence number
 * stored while the cluster was split is never forgotten (forgetting one would let a later resend be stored again
 * unchecked). Union is commutative, associative and idempotent, so the order in which Hazelcast merges does not matter.
 * Values that are not {@link DocumentRanges} (never put by this module) keep the existing side.
 */
public final class UnionMergePolicy implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {

    public UnionMergePolicy() {
    }

    @Override
    public Object merge(MergingValue<Object> merging, MergingValue<Object> existing) {
        if (existing == null) {
            return merging.getRawValue();
        }
        Object m = merging.getDeserializedValue();
        Object e = existing.getDeserializedValue();
        if (m instanceof DocumentRanges a && e instanceof DocumentRanges b) {
            return DocumentRanges.union(b, a);
        }
        return e == null ? merging.getRawValue() : existing.getRawValue();
    }

    @Override
    public void writeData(ObjectDataOutput out) {
        // stateless
    }

    @Override
    public void readData(ObjectDataInput in) {
        // stateless
    }
}
