package io.ipdrsp.dedup.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.storage.IndexedDocument;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Segments ordered by the exporter's facts, and the triggers that follow, whatever the collectors' clocks say. */
class SegmentOrderTest {
    private static final RecordKey KEY = new RecordKey("cmts-o", 1, new UUID(0, 0), 1_700_000_000L);
    private static final Instant T = Instant.parse("2025-05-01T10:00:00Z");

    private static Segment seg(String node, boolean primary, long first, Instant start, Instant stop, Integer reason,
            Long highest) {
        return new Segment(KEY, start, node, primary, first, 0, 60, 100, stop, reason, null, highest);
    }

    private static FinalizationTrigger trigger(List<Segment> segments) {
        IndexedDocument doc = new IndexedDocument(KEY, T, T);
        return FinalizationTrigger.of(doc, segments, DocumentEvaluator.lastActivity(segments),
                FinalizationTrigger.Siblings.of(List.of(doc)),
                Map.of(), Duration.ofMinutes(15));
    }

    @Test
    void aHandOffProcessedLateOnAnotherNodeDoesNotOutlastTheEndOfTheDocument() {
        // issue 15 item 3a: node-2 received the whole document and SESSION_STOP 0; node-1, just restarted, processed
        // its SESSION_START 16 ms later by its own clock and then got SESSION_STOP 1 "handing off"
        Segment ended = seg("node-2", true, 0, T, T.plusSeconds(60), 0, 37_999L);
        Segment late = seg("node-1", true, 0, T.plusMillis(16), T.plusSeconds(61), 1, -1L);
        assertThat(SegmentOrder.latest(List.of(ended, late))).isEqualTo(ended);
        FinalizationTrigger t = trigger(List.of(late, ended));
        assertThat(t.liveState()).isEqualTo(DocumentFinalizer.STATE_STOPPED);
        assertThat(t.at()).isEqualTo(T.plusSeconds(60));
        assertThat(t.why()).isEqualTo("SESSION_STOP 0 received by node-2");
        // without the highest DSNs (rows written before they were reported) the end of the document still wins
        Segment endedLegacy = seg("node-2", true, 0, T, T.plusSeconds(60), 0, null);
        Segment lateLegacy = seg("node-1", true, 0, T.plusMillis(16), T.plusSeconds(61), 1, null);
        assertThat(SegmentOrder.latest(List.of(endedLegacy, lateLegacy))).isEqualTo(endedLegacy);
        assertThat(trigger(List.of(lateLegacy, endedLegacy)).liveState()).isEqualTo(DocumentFinalizer.STATE_STOPPED);
    }

    @Test
    void theExportersPositionOrdersSegmentsNotTheNodesClocks() {
        // node-3's clock runs a minute ahead: its hand-off stretch started "later" but the exporter went on on node-1
        Segment handOff = seg("node-3", true, 0, T.plusSeconds(60), T.plusSeconds(70), 1, 4_999L);
        Segment current = seg("node-1", false, 5_000, T.plusSeconds(15), null, null, null);
        assertThat(SegmentOrder.sorted(List.of(current, handOff))).containsExactly(handOff, current);
        assertThat(trigger(List.of(current, handOff)).liveState()).isEqualTo(DocumentFinalizer.STATE_OPEN);
        // the exporter suspended the document on node-1 (congestion) although node-3's row looks newer
        Segment congested = seg("node-1", false, 5_000, T.plusSeconds(15), T.plusSeconds(30), 3, 6_000L);
        FinalizationTrigger t = trigger(List.of(congested, handOff));
        assertThat(t.liveState()).isEqualTo(DocumentFinalizer.STATE_SUSPENDED);
        assertThat(t.at()).isNull();
    }

    @Test
    void theWholeDocumentOnAPrimaryFalseSegmentEndsIt() {
        // the vendor guide's failover: SESSION_STOP 1 to the active collector, SESSION_START primary=false to the
        // standby, which receives the rest and the end of the document
        Segment first = seg("node-1", true, 0, T, T.plusSeconds(10), 1, 999L);
        Segment standby = seg("node-2", false, 1_000, T.plusSeconds(11), T.plusSeconds(50), 6, 4_999L);
        FinalizationTrigger t = trigger(List.of(first, standby));
        assertThat(t.liveState()).isEqualTo(DocumentFinalizer.STATE_STOPPED);
        assertThat(t.why()).isEqualTo("SESSION_STOP 6 received by node-2");
        assertThat(SegmentOrder.failovers(List.of(first, standby))).isEqualTo(1);
    }
}
