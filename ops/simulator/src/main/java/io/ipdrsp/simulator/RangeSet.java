package io.ipdrsp.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of non-negative longs kept as disjoint, non-adjacent closed ranges. The ledger records millions of DSNs
 * per document; ranges keep that to a handful of entries. Not thread-safe: the {@link Ledger} guards it.
 */
public final class RangeSet {
    private final TreeMap<Long, Long> ranges = new TreeMap<>(); // from -> to (inclusive)

    /** Adds the closed range [from, to]; does nothing when to &lt; from. */
    public void add(long from, long to) {
        if (to < from) {
            return;
        }
        Map.Entry<Long, Long> before = ranges.floorEntry(from);
        if (before != null && before.getValue() >= from - 1) {
            from = before.getKey();
            to = Math.max(to, before.getValue());
        }
        Map.Entry<Long, Long> next = ranges.ceilingEntry(from);
        while (next != null && next.getKey() <= to + 1) {
            to = Math.max(to, next.getValue());
            ranges.remove(next.getKey());
            next = ranges.ceilingEntry(from);
        }
        ranges.put(from, to);
    }

    public void add(long value) {
        add(value, value);
    }

    public void addAll(RangeSet other) {
        other.ranges.forEach(this::add);
    }

    public boolean contains(long value) {
        Map.Entry<Long, Long> e = ranges.floorEntry(value);
        return e != null && e.getValue() >= value;
    }

    /** The upper end of the range holding {@code value}, or -1 when the value is not in the set. */
    public long endOfRangeContaining(long value) {
        Map.Entry<Long, Long> e = ranges.floorEntry(value);
        return e != null && e.getValue() >= value ? e.getValue() : -1;
    }

    /** True when every value of [from, to] is in the set. */
    public boolean containsAll(long from, long to) {
        Map.Entry<Long, Long> e = ranges.floorEntry(from);
        return e != null && e.getValue() >= to;
    }

    /** Number of values in the set. */
    public long count() {
        long n = 0;
        for (Map.Entry<Long, Long> e : ranges.entrySet()) {
            n += e.getValue() - e.getKey() + 1;
        }
        return n;
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** The ranges in ascending order, each as {@code [from, to]} inclusive. */
    public List<long[]> ranges() {
        List<long[]> out = new ArrayList<>(ranges.size());
        ranges.forEach((f, t) -> out.add(new long[] {f, t}));
        return out;
    }

    /** Values of [from, to] that are not in this set. */
    public RangeSet missingIn(long from, long to) {
        RangeSet gaps = new RangeSet();
        long cursor = from;
        for (Map.Entry<Long, Long> e : ranges.subMap(ranges.floorKey(from) == null ? from : ranges.floorKey(from), true,
                to, true).entrySet()) {
            if (e.getKey() > cursor) {
                gaps.add(cursor, Math.min(to, e.getKey() - 1));
            }
            cursor = Math.max(cursor, e.getValue() + 1);
            if (cursor > to) {
                break;
            }
        }
        if (cursor <= to) {
            gaps.add(cursor, to);
        }
        return gaps;
    }

    public RangeSet copy() {
        RangeSet c = new RangeSet();
        c.ranges.putAll(ranges);
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RangeSet r && r.ranges.equals(ranges);
    }

    @Override
    public int hashCode() {
        return ranges.hashCode();
    }

    /** {@code [0-9,12-12]} style, as in the ledger JSON. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        ranges.forEach((f, t) -> sb.append(sb.length() > 1 ? "," : "").append(f).append('-').append(t));
        return sb.append(']').toString();
    }
}
