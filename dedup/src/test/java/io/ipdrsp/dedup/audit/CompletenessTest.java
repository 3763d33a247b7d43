package io.ipdrsp.dedup.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.dedup.SequenceRangeSet;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import io.ipdrsp.storage.SequenceRange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The verdict arithmetic over synthetic stored ranges and segments. */
class CompletenessTest {
    private static final RecordKey KEY = new RecordKey("cmts-1", 1, UUID.randomUUID(), 1_700_000_000L);
    private static final Instant T0 = Instant.parse("2024-05-01T00:00:00Z");

    private static Segment seg(int order, String node, boolean primary, long first, long dropped) {
        return new Segment(KEY, T0.plusSeconds(order), node, primary, first, dropped, 60, 100, null, null, null);
    }

    private static List<SequenceRange> r(long... pairs) {
        List<SequenceRange> out = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.add(new SequenceRange(pairs[i], pairs[i + 1]));
        }
        return out;
    }

    @Test
    void everythingStoredIsComplete() {
        var e = Completeness.evaluate(r(0, 99), List.of(seg(0, "a", true, 0, 0), seg(0, "b", false, 0, 0)), true,
                true);
        assertThat(e.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(e.expectedFirst()).isZero();
        assertThat(e.expectedLast()).isEqualTo(99);
        assertThat(e.recordsHeld()).isEqualTo(100);
        assertThat(e.missing()).isEmpty();
        assertThat(e.failovers()).isZero();
    }

    @Test
    void notFinalIsOpenWhateverTheFigures() {
        var e = Completeness.evaluate(r(0, 9, 20, 29), List.of(seg(0, "a", true, 0, 0)), true, false);
        assertThat(e.verdict()).isEqualTo(Verdict.OPEN);
        assertThat(e.missing()).isEqualTo(r(10, 19));
        assertThat(e.unexplained()).isEqualTo(r(10, 19));
    }

    @Test
    void dropsDeclaredAtTheRestartPointExplainTheGapBelowIt() {
        var e = Completeness.evaluate(r(0, 49, 60, 99), List.of(seg(0, "a", true, 0, 0), seg(1, "a", true, 60, 10)),
                true, true);
        assertThat(e.verdict()).isEqualTo(Verdict.COMPLETE_WITH_DECLARED_DROPS);
        assertThat(e.matched()).isEqualTo(r(50, 59));
        assertThat(e.unexplained()).isEmpty();
        assertThat(e.declaredDrops()).isEqualTo(10);
        assertThat(e.declaredUnplaced()).isZero();
    }

    @Test
    void aCountThatFallsShortLeavesTheLowestMissingUnexplained() {
        var e = Completeness.evaluate(r(0, 49, 60, 99), List.of(seg(0, "a", true, 0, 0), seg(1, "b", true, 60, 4)),
                true, true);
        assertThat(e.verdict()).isEqualTo(Verdict.INCOMPLETE);
        assertThat(e.matched()).isEqualTo(r(56, 59));
        assertThat(e.unexplained()).isEqualTo(r(50, 55));
        assertThat(e.failovers()).isEqualTo(1);
    }

    @Test
    void aDeclarationCannotExplainRecordsAfterItsRestartPoint() {
        // drops declared at f=40 happened before DSN 40: the later gap 50..59 stays unexplained; the window 30..39
        // is held (the exporter dropped records a collector had stored)
        var e = Completeness.evaluate(r(0, 49, 60, 99), List.of(seg(0, "a", true, 0, 0), seg(1, "a", true, 40, 10)),
                true, true);
        assertThat(e.verdict()).isEqualTo(Verdict.INCOMPLETE);
        assertThat(e.unexplained()).isEqualTo(r(50, 59));
        assertThat(e.declaredReceived()).isEqualTo(r(30, 39));
        assertThat(e.declaredUnplaced()).isZero();
    }

    @Test
    void recordsDroppedAfterACollectorStoredThemAreReceivedNotMissing() {
        // the exporter sent 50..59 to node a (stored late, never acked), dropped 50..69 and resumed at 70 on node b
        var e = Completeness.evaluate(r(0, 59, 70, 99), List.of(seg(0, "a", true, 0, 0), seg(1, "b", true, 70, 20)),
                true, true);
        assertThat(e.verdict()).isEqualTo(Verdict.COMPLETE_WITH_DECLARED_DROPS);
        assertThat(e.matched()).isEqualTo(r(60, 69));
        assertThat(e.declaredReceived()).isEqualTo(r(50, 59));
        assertThat(e.declaredUnplaced()).isZero();
        // all of them landed: nothing missing at all
        var all = Completeness.evaluate(r(0, 99), List.of(seg(0, "a", true, 0, 0), seg(1, "b", true, 70, 20)), true,
                true);
        assertThat(all.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(all.declaredReceivedCount()).isEqualTo(20);
    }

    @Test
    void aDeclarationNeverReachesBelowItsWindowToExplainASilentLoss() {
        // 10..19 lost silently; 40..49 sent, stored, then dropped and declared at f=50: the loss stays unexplained
        var e = Completeness.evaluate(r(0, 9, 20, 49), List.of(seg(0, "a", true, 0, 0), seg(1, "b", true, 50, 10)),
                true, true);
        assertThat(e.verdict()).isEqualTo(Verdict.INCOMPLETE);
        assertThat(e.unexplained()).isEqualTo(r(10, 19));
        assertThat(e.declaredReceived()).isEqualTo(r(40, 49));
    }

    @Test
    void successiveDeclarationsClaimDisjointWindows() {
        // b declares 10 at f=50 (40..49); c, restarting at the same f, declares 5 more: older records, 35..39
        var e = Completeness.evaluate(r(0, 34, 50, 99), List.of(seg(0, "a", true, 0, 0), seg(1, "b", true, 50, 10),
                seg(2, "c", true, 50, 5)), true, true);
        assertThat(e.matched()).isEqualTo(r(35, 49));
        assertThat(e.verdict()).isEqualTo(Verdict.COMPLETE_WITH_DECLARED_DROPS);
    }

    @Test
    void silentLossBelowADeclaredDropStaysUnexplained() {
        // 10..19 lost silently, 30..39 dropped and declared at f=40
        var e = Completeness.evaluate(r(0, 9, 20, 29, 40, 49),
                List.of(seg(0, "a", true, 0, 0), seg(1, "a", true, 40, 10)), true, true);
        assertThat(e.verdict()).isEqualTo(Verdict.INCOMPLETE);
        assertThat(e.matched()).isEqualTo(r(30, 39));
        assertThat(e.unexplained()).isEqualTo(r(10, 19));
        assertThat(e.missingCount()).isEqualTo(20);
    }

    @Test
    void aRestartPointBeyondTheLastRecordExtendsTheExpectedRange() {
        var e = Completeness.evaluate(r(0, 99), List.of(seg(0, "a", true, 0, 0), seg(1, "a", true, 120, 20)), true,
                true);
        assertThat(e.expectedLast()).isEqualTo(119);
        assertThat(e.verdict()).isEqualTo(Verdict.COMPLETE_WITH_DECLARED_DROPS);
        assertThat(e.matched()).isEqualTo(r(100, 119));
        var undeclared = Completeness.evaluate(r(0, 99), List.of(seg(0, "a", true, 0, 0), seg(1, "a", true, 120, 0)),
                true, true);
        assertThat(undeclared.unexplained()).isEqualTo(r(100, 119));
    }

    @Test
    void dropsDeclaredAtTheFirstStartBelongToAnEarlierDocumentAndAreUnplaced() {
        var e = Completeness.evaluate(r(0, 99), List.of(seg(0, "a", true, 0, 7)), true, true);
        assertThat(e.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(e.declaredDrops()).isEqualTo(7);
        assertThat(e.declaredUnplaced()).isEqualTo(7);
    }

    @Test
    void aDeclarationCountsWhicheverCollectorGotItAndOncePerRestartPoint() {
        // the vendor guide's failover: the standby gets SESSION_START primary=false, the stream and the declaration
        var e = Completeness.evaluate(r(0, 49, 60, 99), List.of(seg(0, "a", true, 0, 0), seg(1, "b", false, 60, 10)),
                true, true);
        assertThat(e.declaredDrops()).isEqualTo(10);
        assertThat(e.matched()).isEqualTo(r(50, 59));
        assertThat(e.verdict()).isEqualTo(Verdict.COMPLETE_WITH_DECLARED_DROPS);
        // the same SESSION_START seen by two collectors (one told primary, one not) is one declaration, whatever the
        // order their clocks give
        var twice = Completeness.evaluate(r(0, 49, 60, 99), List.of(seg(0, "a", true, 0, 0),
                seg(1, "b", false, 60, 10), seg(1, "a", true, 60, 10)), true, true);
        assertThat(twice.declaredDrops()).isEqualTo(10);
        assertThat(twice.declaredUnplaced()).isZero();
    }

    @Test
    void failoversAreChangesOfTheCollectorThatCarriedTheData() {
        // highest DSN reported: a -> b -> a carried data; c only held an idle primary=false stretch
        var e = Completeness.evaluate(r(0, 99), List.of(data(0, "a", false, 0, 29), data(1, "c", false, 0, -1),
                data(2, "b", false, 30, 59), data(3, "a", true, 60, 99)), true, true);
        assertThat(e.failovers()).isEqualTo(2);
        // rows without the highest DSN (written before it was reported): the primary flag is the hint
        var legacy = Completeness.evaluate(r(0, 99), List.of(seg(0, "a", true, 0, 0), seg(1, "b", true, 30, 0),
                seg(2, "a", true, 60, 0), seg(3, "c", false, 60, 0)), true, true);
        assertThat(legacy.failovers()).isEqualTo(2);
    }

    private static Segment data(int order, String node, boolean primary, long first, long highest) {
        return new Segment(KEY, T0.plusSeconds(order), node, primary, first, 0, 60, 100, T0.plusSeconds(order + 1),
                1, "hand-off", highest);
    }

    @Test
    void theExpectedRangeStartsAtZeroUnlessToldOtherwise() {
        List<Segment> s = List.of(seg(0, "a", true, 100, 0));
        var fromZero = Completeness.evaluate(r(100, 199), s, true, true);
        assertThat(fromZero.verdict()).isEqualTo(Verdict.INCOMPLETE);
        assertThat(fromZero.unexplained()).isEqualTo(r(0, 99));
        var fromFirst = Completeness.evaluate(r(100, 199), s, false, true);
        assertThat(fromFirst.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(fromFirst.expectedFirst()).isEqualTo(100);
    }

    @Test
    void anEmptyDocumentIsComplete() {
        var e = Completeness.evaluate(List.of(), List.of(seg(0, "a", true, 0, 0)), true, true);
        assertThat(e.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(e.expectedLast()).isEqualTo(-1);
    }

    /**
     * A simulated exporter: stretches of sent records, silent losses and declared drops (each drop followed by a
     * SESSION_START at the next DSN with the count, possibly on another node). The evaluation must find exactly the
     * model's dropped set as declared and exactly its lost set (within the visible range) as unexplained.
     */
    @Property(tries = 300)
    void verdictMatchesTheExportersLedger(@ForAll @Size(min = 1, max = 25) List<@IntRange(min = 0, max = 3) Integer>
            actions, @ForAll @Size(min = 25, max = 25) List<@IntRange(min = 1, max = 30) Integer> sizes) {
        SequenceRangeSet stored = new SequenceRangeSet();
        SequenceRangeSet lost = new SequenceRangeSet();
        SequenceRangeSet dropped = new SequenceRangeSet();
        SequenceRangeSet droppedButStored = new SequenceRangeSet();
        List<Segment> segments = new ArrayList<>();
        segments.add(seg(0, "a", true, 0, 0));
        long next = 0;
        for (int i = 0; i < actions.size(); i++) {
            int k = sizes.get(i);
            switch (actions.get(i)) {
                case 0 -> stored.add(next, next + k - 1);
                case 1 -> lost.add(next, next + k - 1);
                case 3 -> { // sent to a node whose writes landed late; the exporter dropped them meanwhile
                    long sent = (k + 1) / 2;
                    stored.add(next, next + sent - 1);
                    droppedButStored.add(next, next + sent - 1);
                    if (k > sent) {
                        dropped.add(next + sent, next + k - 1);
                    }
                    segments.add(seg(i + 1, "b", true, next + k, k));
                }
                default -> {
                    dropped.add(next, next + k - 1);
                    segments.add(seg(i + 1, i % 2 == 0 ? "a" : "b", true, next + k, k));
                    segments.add(seg(i + 1, i % 2 == 0 ? "b" : "a", false, next + k, 0));
                }
            }
            next += k;
        }
        var e = Completeness.evaluate(stored.ranges(), segments, true, true);
        long visibleLast = Math.max(stored.max(), Math.max(dropped.max(), droppedButStored.max()));
        assertThat(e.expectedLast()).isEqualTo(visibleLast);
        assertThat(e.matched()).isEqualTo(dropped.ranges());
        assertThat(e.declaredReceived()).isEqualTo(droppedButStored.ranges());
        SequenceRangeSet visibleLost = new SequenceRangeSet();
        for (SequenceRange l : lost.ranges()) {
            if (l.first() <= visibleLast) {
                visibleLost.add(l.first(), Math.min(l.last(), visibleLast));
            }
        }
        assertThat(e.unexplained()).isEqualTo(visibleLost.ranges());
        assertThat(e.declaredUnplaced()).isZero();
        assertThat(e.recordsHeld()).isEqualTo(stored.cardinality());
        Verdict expected = visibleLost.isEmpty() ? (dropped.isEmpty() ? Verdict.COMPLETE
                : Verdict.COMPLETE_WITH_DECLARED_DROPS) : Verdict.INCOMPLETE;
        assertThat(e.verdict()).isEqualTo(expected);
    }

    /** Whatever the segments say: matched and unexplained partition the missing set, and counts add up. */
    @Property(tries = 300)
    void matchingPartitionsTheMissingSet(@ForAll @Size(max = 8) List<@IntRange(min = 0, max = 300) Integer> cuts,
            @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 320) Integer> starts,
            @ForAll @Size(min = 6, max = 6) List<@IntRange(min = 0, max = 40) Integer> drops) {
        SequenceRangeSet stored = new SequenceRangeSet();
        for (int i = 0; i + 1 < cuts.size(); i += 2) {
            stored.add(Math.min(cuts.get(i), cuts.get(i + 1)), Math.max(cuts.get(i), cuts.get(i + 1)));
        }
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            segments.add(seg(i, "n" + (i % 3), i % 4 != 3, starts.get(i), drops.get(i)));
        }
        var e = Completeness.evaluate(stored.ranges(), segments, true, true);
        SequenceRangeSet union = SequenceRangeSet.of(e.matched());
        union.addAll(SequenceRangeSet.of(e.unexplained()));
        assertThat(union.ranges()).isEqualTo(e.missing());
        assertThat(SequenceRangeSet.of(e.matched()).intersection(SequenceRangeSet.of(e.unexplained())).isEmpty())
                .isTrue();
        // one declaration per distinct (firstRecordSequenceNumber, droppedRecordCount), from any segment
        java.util.Set<List<Long>> distinct = new java.util.HashSet<>();
        segments.forEach(sg -> distinct.add(List.of(sg.firstRecordSeq(), sg.droppedRecordCount())));
        long declared = distinct.stream().mapToLong(d -> d.get(1)).sum();
        assertThat(e.declaredDrops()).isEqualTo(declared);
        assertThat(e.matchedCount() + e.declaredReceivedCount() + e.declaredUnplaced()).isEqualTo(declared);
        assertThat(SequenceRangeSet.of(e.declaredReceived()).intersection(SequenceRangeSet.of(e.missing())).isEmpty())
                .as("received means held").isTrue();
        if (e.matchedCount() < e.missingCount()) {
            assertThat(e.verdict()).isEqualTo(Verdict.INCOMPLETE);
        }
    }
}
