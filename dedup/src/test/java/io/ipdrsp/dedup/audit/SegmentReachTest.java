package io.ipdrsp.dedup.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.storage.Receipt;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import io.ipdrsp.storage.StoredSequences.Reach;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SegmentReachTest {
    private static final RecordKey KEY = new RecordKey("cmts", 1, UUID.randomUUID(), 1L);
    private static final Instant T0 = Instant.parse("2026-12-07T06:02:38.482Z");

    private static Segment segment(String node, long startMillis, boolean primary, long first, Long highest,
            Integer stop) {
        return new Segment(KEY, T0.plusMillis(startMillis), node, primary, first, 0, 3, 50,
                stop == null ? null : T0.plusMillis(startMillis + 1_000), stop, null, highest);
    }

    private static Reach reach(String node, long stretch, long highestSeq) {
        return new Reach(new Receipt(node, stretch), highestSeq);
    }

    private static long micros(long startMillis) {
        return (T0.toEpochMilli() + startMillis) * 1_000;
    }

    /**
     * The vendor sequence's standby took the stream (primary=false) and was killed before it reported progress: by its
     * segment alone it carried no data, and node-1 → node-2 → node-1 counted as one failover. Its receipts say it
     * stored DSNs up to 99, so it is two.
     */
    @Test
    void aStretchKilledBeforeItReportedProgressIsPlacedByWhatItStored() {
        List<Segment> segments = List.of(
                segment("node-1", 0, false, 0, null, null), // killed
                segment("node-2", 5_000, true, 100, 300L, 1),
                segment("node-1", 9_000, true, 250, 500L, 2)); // restarted: a new stretch of the same node
        List<Reach> reached = List.of(reach("node-1", micros(0) + 700, 99),
                reach("node-2", micros(5_000) + 300, 300), reach("node-1", micros(9_000) + 40, 500));
        assertThat(SegmentOrder.failovers(segments)).as("by the segments alone").isEqualTo(1);

        List<Segment> placed = SegmentReach.withStored(segments, reached);
        assertThat(placed).extracting(Segment::highestSeq).containsExactly(99L, 300L, 500L);
        assertThat(SegmentOrder.failovers(placed)).isEqualTo(2);
    }

    @Test
    void aStaleReportIsRaisedAndNothingIsLowered() {
        List<Segment> segments = List.of(segment("node-1", 0, true, 0, 8L, null), segment("node-3", 2_000, false,
                64, 120L, 2));
        List<Reach> reached = List.of(reach("node-1", micros(0) + 10, 63), reach("node-3", micros(2_000) + 5,
                100), reach("node-9", micros(0), 1_000)); // a node without a segment here changes nothing
        assertThat(SegmentReach.withStored(segments, reached)).extracting(Segment::highestSeq)
                .containsExactly(63L, 120L);
    }
}
