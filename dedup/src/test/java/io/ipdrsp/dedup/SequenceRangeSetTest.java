package io.ipdrsp.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.storage.SequenceRange;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SequenceRangeSetTest {

    @Test
    void oneMillionContiguousSequenceNumbersAreOneRange() {
        SequenceRangeSet s = new SequenceRangeSet();
        for (long seq = 0; seq < 1_000_000; seq++) {
            s.add(seq);
        }
        assertThat(s.rangeCount()).isEqualTo(1);
        assertThat(s.cardinality()).isEqualTo(1_000_000);
        assertThat(s.ranges()).containsExactly(new SequenceRange(0, 999_999));
    }

    @Test
    void outOfOrderAddsMergeTouchingRanges() {
        SequenceRangeSet s = new SequenceRangeSet();
        s.add(10, 19);
        s.add(30, 39);
        s.add(50);
        assertThat(s.rangeCount()).isEqualTo(3);
        s.add(20, 29); // bridges the first two
        assertThat(s.ranges()).containsExactly(new SequenceRange(10, 39), new SequenceRange(50, 50));
        s.add(0, 100);
        assertThat(s.ranges()).containsExactly(new SequenceRange(0, 100));
    }

    @Test
    void missingHighestContiguousAndIntersection() {
        SequenceRangeSet s = SequenceRangeSet.of(List.of(new SequenceRange(5, 9), new SequenceRange(20, 24)));
        assertThat(s.missing(0, 30)).containsExactly(new SequenceRange(0, 4), new SequenceRange(10, 19),
                new SequenceRange(25, 30));
        assertThat(s.missing(6, 8)).isEmpty();
        assertThat(s.highestContiguousFrom(5)).isEqualTo(9);
        assertThat(s.highestContiguousFrom(10)).isEqualTo(9);
        SequenceRangeSet other = SequenceRangeSet.of(List.of(new SequenceRange(8, 21)));
        assertThat(s.intersection(other).ranges()).containsExactly(new SequenceRange(8, 9), new SequenceRange(20, 21));
        assertThat(s.containsAll(20, 24)).isTrue();
        assertThat(s.containsAll(9, 20)).isFalse();
        assertThat(SequenceRangeSet.fromArray(s.toArray())).isEqualTo(s);
    }

    /** The range set behaves exactly like a set of longs, and stays in canonical (merged) form. */
    @Property(tries = 300)
    void behavesLikeASetOfLongs(@ForAll @Size(max = 60) List<@IntRange(min = 0, max = 300) Integer> starts,
                                @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 12) Integer> lengths,
                                @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 320) Integer> probes) {
        SequenceRangeSet s = new SequenceRangeSet();
        SequenceRangeSet other = new SequenceRangeSet();
        TreeSet<Long> model = new TreeSet<>();
        TreeSet<Long> otherModel = new TreeSet<>();
        for (int i = 0; i < starts.size(); i++) {
            long first = starts.get(i);
            long last = first + (i < lengths.size() ? lengths.get(i) : 0);
            boolean toOther = i % 3 == 2;
            (toOther ? other : s).add(first, last);
            for (long v = first; v <= last; v++) {
                (toOther ? otherModel : model).add(v);
            }
        }
        for (int p : probes) {
            assertThat(s.contains(p)).isEqualTo(model.contains((long) p));
        }
        assertThat(s.cardinality()).isEqualTo(model.size());
        assertThat(s.max()).isEqualTo(model.isEmpty() ? -1 : model.last());
        // canonical: ranges ascending, disjoint and not adjacent
        List<SequenceRange> r = s.ranges();
        for (int i = 1; i < r.size(); i++) {
            assertThat(r.get(i).first()).isGreaterThan(r.get(i - 1).last() + 1);
        }
        // missing = complement within the window
        List<Long> missingModel = new ArrayList<>();
        for (long v = 0; v <= 320; v++) {
            if (!model.contains(v)) {
                missingModel.add(v);
            }
        }
        List<Long> missing = new ArrayList<>();
        s.missing(0, 320).forEach(g -> {
            for (long v = g.first(); v <= g.last(); v++) {
                missing.add(v);
            }
        });
        assertThat(missing).isEqualTo(missingModel);
        // intersection and union
        TreeSet<Long> both = new TreeSet<>(model);
        both.retainAll(otherModel);
        assertThat(s.intersection(other).cardinality()).isEqualTo(both.size());
        both.forEach(v -> assertThat(s.intersection(other).contains(v)).isTrue());
        TreeSet<Long> all = new TreeSet<>(model);
        all.addAll(otherModel);
        SequenceRangeSet union = DocumentRanges.union(new DocumentRanges(s, false), new DocumentRanges(other, true))
                .stored();
        assertThat(union.cardinality()).isEqualTo(all.size());
        all.forEach(v -> assertThat(union.contains(v)).isTrue());
        // difference, and still canonical
        TreeSet<Long> onlyHere = new TreeSet<>(model);
        onlyHere.removeAll(otherModel);
        SequenceRangeSet minus = s.minus(other);
        assertThat(minus.cardinality()).isEqualTo(onlyHere.size());
        onlyHere.forEach(v -> assertThat(minus.contains(v)).isTrue());
        List<SequenceRange> m = minus.ranges();
        for (int i = 1; i < m.size(); i++) {
            assertThat(m.get(i).first()).isGreaterThan(m.get(i - 1).last() + 1);
        }
    }
}
