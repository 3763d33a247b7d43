package io.ipdrsp.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.SessionStopReason;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;

/** The record source of a session without any network: rate, buffer bound, drops and ad-hoc exports. */
class RecordGenerationTest {
    private final Ledger ledger = new Ledger();
    private final ArrayDeque<ExportDocument> docs = new ArrayDeque<>();
    private int docCount;

    private ExportDocument doc(long limit) {
        ExportDocument d = new ExportDocument(new byte[16], docCount, null,
                ledger.open("cmts", 1, "00000000-0000-0000-0000-000000000000", 1, 1), limit);
        docCount++;
        docs.add(d);
        return d;
    }

    @Test
    void theRateIsSpentIntoTheNewestDocument() {
        RecordGeneration g = new RecordGeneration(SessionSpec.event(1, Templates.CPE_TYPE).withRate(100), 1000, docs);
        ExportDocument d = doc(Long.MAX_VALUE);
        for (int i = 0; i < 50; i++) {
            g.accrue(10_000_000L, true); // 10 ms at 100/s
        }
        assertThat(d.nextGen).isBetween(49L, 50L);
        assertThat(ledger.documents().get(0).generated().count()).isEqualTo(d.nextGen);
    }

    @Test
    void aFullBufferWithoutCollectorDropsTheOldestAndDeclaresThem() {
        RecordGeneration g = new RecordGeneration(SessionSpec.event(1, Templates.CPE_TYPE).withRate(1000), 100, docs);
        ExportDocument d = doc(Long.MAX_VALUE);
        g.accrue(100_000_000L, true); // 100 records fill the buffer
        assertThat(d.nextGen).isEqualTo(100);
        g.accrue(10_000_000L, true); // a live but slow collector: generation waits at the bound
        assertThat(d.nextGen).isEqualTo(100);
        assertThat(g.takeDeclaredDrops()).isZero();
        g.accrue(10_000_000L, false); // nobody takes records: the 20 owed now go in, the oldest 20 go out
        assertThat(d.nextGen).isEqualTo(120);
        assertThat(d.held).isEqualTo(20);
        assertThat(g.takeDeclaredDrops()).isEqualTo(20);
        assertThat(g.takeDeclaredDrops()).isZero();
        assertThat(ledger.documents().get(0).droppedDeclared().ranges()).containsExactly(new long[] {0, 19});
    }

    @Test
    void aDropOnPurposeWaitsForWhatWasSentAndHoldsBackWhatFollows() {
        RecordGeneration g = new RecordGeneration(SessionSpec.event(1, Templates.CPE_TYPE), 1000, docs);
        ExportDocument d = doc(Long.MAX_VALUE);
        d.nextGen = 40;
        d.nextSend = 30;
        d.maxSent = 30;
        d.held = 10;
        g.requestDrop(5);
        assertThat(g.sendLimit(d)).isEqualTo(30);
        assertThat(g.applyDrop(true)).as("30 sent, 10 acknowledged: not yet").isFalse();
        d.held = 30;
        assertThat(g.applyDrop(true)).isTrue();
        assertThat(d.held).isEqualTo(35);
        assertThat(g.takeDeclaredDrops()).isEqualTo(5);
        assertThat(g.sendLimit(d)).isEqualTo(40);
    }

    @Test
    void everyAdHocExportAtRateZeroGetsItsRecords() {
        RecordGeneration g = new RecordGeneration(SessionSpec.adHoc(1, Templates.CPE_TYPE, 30).withRate(0), 1000,
                docs);
        for (int export = 0; export < 3; export++) {
            ExportDocument d = doc(30);
            g.generateOnDemand(d, 200);
            assertThat(d.nextGen).as("export %d", export).isEqualTo(30);
            assertThat(d.closing).isTrue();
            assertThat(d.stopReason).isEqualTo(SessionStopReason.END_OF_DATA);
            d.held = 30;
            docs.pollFirst();
        }
    }

    @Test
    void anEventSessionsCapStopsGenerationButNotTheDocument() {
        RecordGeneration g = new RecordGeneration(SessionSpec.event(1, Templates.CPE_TYPE).withRate(0)
                .withRecords(25), 1000, docs);
        ExportDocument d = doc(Long.MAX_VALUE);
        g.generateOnDemand(d, 10);
        assertThat(d.nextGen).isEqualTo(10);
        d.held = 10;
        g.generateOnDemand(d, 100);
        assertThat(d.nextGen).isEqualTo(25);
        assertThat(d.closing).isFalse();
    }
}
