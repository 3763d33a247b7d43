package io.ipdrsp.dedup;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.ipdrsp.storage.SequenceRange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A set of non-negative longs stored as sorted, disjoint, non-adjacent inclusive ranges: a document's durable
 * sequence numbers cost one range while they are contiguous, however many there are (one million contiguous sequence
 * numbers = one range = 16 bytes). Every operation is O(log n + k) in the number of ranges n it touches k.
 *
 * <p>Mutable and not thread-safe: the cluster copy lives inside a Hazelcast entry (changed only by entry processors
 * on the partition thread), local copies are guarded by their owner.
 */
public final class SequenceRangeSet implements DataSerializable {
    /** firsts[i]..lasts[i], i < size, ascending, with firsts[i+1] > lasts[i] + 1. */
    private long[] firsts;
    private long[] lasts;
    private int size;

    public SequenceRangeSet() {
        firsts = new long[4];
        lasts = new long[4];
    }

    public static SequenceRangeSet of(List<SequenceRange> ranges) {
        SequenceRangeSet s = new SequenceRangeSet();
        for (SequenceRange r : ranges) {
            s.add(r.first(), r.last());
        }
        return s;
    }

    /** From the pairs of {@link #toArray()}. */
    public static SequenceRangeSet fromArray(long[] pairs) {
        if ((pairs.length & 1) != 0) {
            throw new IllegalArgumentException("odd number of range bounds: " + pairs.length);
        }
        SequenceRangeSet s = new SequenceRangeSet();
        for (int i = 0; i < pairs.length; i += 2) {
            s.add(pairs[i], pairs[i + 1]);
        }
        return s;
    }

    public SequenceRangeSet copy() {
        SequenceRangeSet c = new SequenceRangeSet();
        c.firsts = Arrays.copyOf(firsts, Math.max(4, size));
        c.lasts = Arrays.copyOf(lasts, Math.max(4, size));
        c.size = size;
        return c;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Number of ranges (the memory cost), not of sequence numbers. */
    public int rangeCount() {
        return size;
    }

    /** Number of sequence numbers in the set. */
    public long cardinality() {
        long n = 0;
        for (int i = 0; i < size; i++) {
            n += lasts[i] - firsts[i] + 1;
        }
        return n;
    }

    /** The highest member, or -1 when empty. */
    public long max() {
        return size == 0 ? -1 : lasts[size - 1];
    }

    /** The lowest member, or -1 when empty. */
    public long min() {
        return size == 0 ? -1 : firsts[0];
    }

    public boolean contains(long seq) {
        int i = indexAtOrBefore(seq);
        return i >= 0 && lasts[i] >= seq;
    }

    /** Whether every number of first..last is in the set. */
    public boolean containsAll(long first, long last) {
        checkRange(first, last);
        int i = indexAtOrBefore(first);
        return i >= 0 && lasts[i] >= last;
    }

    public void add(long seq) {
        add(seq, seq);
    }

    /** Adds first..last (inclusive), merging with touching or overlapping ranges. */
    public void add(long first, long last) {
        checkRange(first, last);
        // lo: first range that could merge (ends at or after first - 1); hi: last range that could merge
        int lo = firstEndingAtOrAfter(first == 0 ? 0 : first - 1);
        int hi = indexAtOrBefore(last == Long.MAX_VALUE ? last : last + 1);
        if (lo > hi) {
            insertAt(lo, first, last);
            return;
        }
        long newFirst = Math.min(first, firsts[lo]);
        long newLast = Math.max(last, lasts[hi]);
        firsts[lo] = newFirst;
        lasts[lo] = newLast;
        int removed = hi - lo;
        if (removed > 0) {
            System.arraycopy(firsts, hi + 1, firsts, lo + 1, size - hi - 1);
            System.arraycopy(lasts, hi + 1, lasts, lo + 1, size - hi - 1);
            size -= removed;
        }
    }

    /** Adds every member of {@code other}. */
    public void addAll(SequenceRangeSet other) {
        for (int i = 0; i < other.size; i++) {
            add(other.firsts[i], other.lasts[i]);
        }
    }

    /** The members of both sets, as a new set. */
    public SequenceRangeSet intersection(SequenceRangeSet other) {
        SequenceRangeSet out = new SequenceRangeSet();
        int i = 0;
        int j = 0;
        while (i < size && j < other.size) {
            long f = Math.max(firsts[i], other.firsts[j]);
            long l = Math.min(lasts[i], other.lasts[j]);
            if (f <= l) {
                out.append(f, l);
            }
            if (lasts[i] < other.lasts[j]) {
                i++;
            } else {
                j++;
            }
        }
        return out;
    }

    /** The members of this set that are not in {@code other}, as a new set. */
    public SequenceRangeSet minus(SequenceRangeSet other) {
        SequenceRangeSet out = new SequenceRangeSet();
        int j = 0;
        for (int i = 0; i < size; i++) {
            long next = firsts[i];
            long last = lasts[i];
            while (j < other.size && other.lasts[j] < next) {
                j++; // ends before this range, so before every later one too
            }
            boolean covered = false;
            for (int k = j; k < other.size && other.firsts[k] <= last; k++) {
                if (other.firsts[k] > next) {
                    out.append(next, other.firsts[k] - 1);
                }
                if (other.lasts[k] >= last) {
                    covered = true;
                    break;
                }
                next = Math.max(next, other.lasts[k] + 1);
            }
            if (!covered) {
                out.append(next, last);
            }
        }
        return out;
    }

    /** The numbers of first..last that are not in the set, ascending (the gaps of a document). */
    public List<SequenceRange> missing(long first, long last) {
        checkRange(first, last);
        List<SequenceRange> out = new ArrayList<>();
        long next = first;
        int i = Math.max(0, indexAtOrBefore(first));
        for (; i < size && next <= last; i++) {
            if (lasts[i] < next) {
                continue;
            }
            if (firsts[i] > next) {
                out.add(new SequenceRange(next, Math.min(last, firsts[i] - 1)));
            }
            if (lasts[i] == Long.MAX_VALUE) {
                return out;
            }
            next = lasts[i] + 1;
        }
        if (next <= last) {
            out.add(new SequenceRange(next, last));
        }
        return out;
    }

    /**
     * The highest h such that from..h are all in the set (the DSN a DATA_ACK may cover when the document started at
     * {@code from}), or {@code from - 1} when {@code from} itself is missing.
     */
    public long highestContiguousFrom(long from) {
        int i = indexAtOrBefore(from);
        return i >= 0 && lasts[i] >= from ? lasts[i] : from - 1;
    }

    public List<SequenceRange> ranges() {
        List<SequenceRange> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(new SequenceRange(firsts[i], lasts[i]));
        }
        return out;
    }

    /** first0, last0, first1, last1, ... */
    public long[] toArray() {
        long[] out = new long[2 * size];
        for (int i = 0; i < size; i++) {
            out[2 * i] = firsts[i];
            out[2 * i + 1] = lasts[i];
        }
        return out;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeLong(firsts[i]);
            out.writeLong(lasts[i]);
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("negative range count " + n);
        }
        firsts = new long[Math.max(4, n)];
        lasts = new long[Math.max(4, n)];
        size = 0;
        for (int i = 0; i < n; i++) {
            long f = in.readLong();
            long l = in.readLong();
            if (f < 0 || f > l || (size > 0 && f <= lasts[size - 1] + 1)) {
                throw new IOException("ranges not ascending and disjoint at " + i);
            }
            append(f, l);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SequenceRangeSet s) || s.size != size) {
            return false;
        }
        return Arrays.equals(firsts, 0, size, s.firsts, 0, size) && Arrays.equals(lasts, 0, size, s.lasts, 0, size);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toArray());
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < size && i < 20; i++) {
            b.append(i == 0 ? "" : ", ").append(firsts[i]);
            if (lasts[i] != firsts[i]) {
                b.append("..").append(lasts[i]);
            }
        }
        return b.append(size > 20 ? ", ... (" + size + " ranges)]" : "]").toString();
    }

    private static void checkRange(long first, long last) {
        if (first < 0 || first > last) {
            throw new IllegalArgumentException("bad range " + first + ".." + last);
        }
    }

    /** Index of the last range whose first <= seq, or -1. */
    private int indexAtOrBefore(long seq) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (firsts[mid] <= seq) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi;
    }

    /** Index of the first range whose last >= seq, or size. */
    private int firstEndingAtOrAfter(long seq) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (lasts[mid] < seq) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private void insertAt(int i, long first, long last) {
        grow();
        System.arraycopy(firsts, i, firsts, i + 1, size - i);
        System.arraycopy(lasts, i, lasts, i + 1, size - i);
        firsts[i] = first;
        lasts[i] = last;
        size++;
    }

    private void append(long first, long last) {
        grow();
        firsts[size] = first;
        lasts[size] = last;
        size++;
    }

    private void grow() {
        if (size == firsts.length) {
            firsts = Arrays.copyOf(firsts, size * 2);
            lasts = Arrays.copyOf(lasts, size * 2);
        }
    }
}
