package io.ipdrsp.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.protocol.RecordDecoder;
import io.ipdrsp.protocol.SessionStart;
import io.ipdrsp.protocol.SessionStop;
import io.ipdrsp.protocol.TemplateData;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DropsAndDocumentsTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static CmtsSpec oneCollector(int port, SessionSpec session) {
        return CmtsSpec.of("cmts-d", Direction.CONNECT, List.of(CollectorSpec.at("127.0.0.1", port, 1).named("c1")),
                List.of(session)).withReconnectDelay(Duration.ofMillis(100));
    }

    @Test
    void fullBufferWithoutCollectorDropsOldestAndDeclaresThemInTheNextSessionStart() throws Exception {
        MiniCollector c1 = MiniCollector.listen("c1", "127.0.0.1", 0);
        int port = c1.port();
        CmtsSpec spec = oneCollector(port, SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(1000)
                .withAcks(20, 30)).withBufferCapacity(100);
        try (Fleet fleet = Fleet.start(FleetSpec.of(spec))) {
            assertThat(fleet.awaitAcked(100, WAIT)).isTrue();
            c1.close();
            Thread.sleep(800); // ~800 records generated, 100 fit the buffer
            try (MiniCollector c1b = MiniCollector.listen("c1", "127.0.0.1", port)) {
                assertThat(c1b.await(c -> !c.messages(SessionStart.class).isEmpty(), WAIT)).isTrue();
                SessionStart ss = c1b.messages(SessionStart.class).get(0);
                Ledger.Document doc = fleet.ledger().documents("cmts-d", 1).get(0);
                assertThat(ss.droppedRecordCount()).isGreaterThan(500).isEqualTo(doc.droppedDeclared().count())
                        .isEqualTo(doc.declaredDropCount());
                assertThat(ss.documentIdAsUuid().toString()).isEqualTo(doc.documentId());
                // the oldest went: what is re-sent/sent starts right after the dropped range
                long droppedTo = doc.droppedDeclared().ranges().get(doc.droppedDeclared().ranges().size() - 1)[1];
                assertThat(ss.firstRecordSequenceNumber()).isEqualTo(droppedTo + 1);
                assertThat(c1b.await(c -> !c.records.isEmpty(), WAIT)).isTrue();
                assertThat(c1b.records.get(0).dsn()).isEqualTo(droppedTo + 1);
                // nothing is both dropped and delivered
                for (MiniCollector.Rec r : c1b.records) {
                    assertThat(doc.droppedDeclared().contains(r.dsn())).isFalse();
                }
            }
        }
    }

    @Test
    void declaredDropAndSilentLossAreDistinguishable() throws Exception {
        try (MiniCollector c1 = MiniCollector.listen("c1", "127.0.0.1", 0)) {
            CmtsSpec spec = oneCollector(c1.port(), SessionSpec.event(1, Templates.CMTS_CM_REG_STATUS_TYPE)
                    .withRate(500).withAcks(10, 30));
            try (Fleet fleet = Fleet.start(FleetSpec.of(spec))) {
                assertThat(fleet.awaitAcked(50, WAIT)).isTrue();
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.DROP, "cmts-d").count(25));
                assertThat(c1.await(c -> c.messages(SessionStart.class).size() == 2, WAIT)).isTrue();
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.LOSE, "cmts-d").count(10));
                assertThat(fleet.awaitLedger(l -> !l.documents("cmts-d", 1).get(0).lostSilently().isEmpty(), WAIT))
                        .isTrue();
                long lostEnd = fleet.ledger().documents("cmts-d", 1).get(0).lostSilently().ranges().get(0)[1];
                assertThat(fleet.awaitLedger(l -> l.documents("cmts-d", 1).get(0).acked().contains(lostEnd + 50),
                        WAIT)).isTrue();

                assertThat(c1.messages(SessionStop.class)).extracting(SessionStop::reasonCode).containsExactly(3);
                SessionStart second = c1.messages(SessionStart.class).get(1);
                assertThat(second.droppedRecordCount()).isEqualTo(25);
                Ledger.Document doc = fleet.ledger().documents("cmts-d", 1).get(0);
                assertThat(doc.droppedDeclared().count()).isEqualTo(25);
                assertThat(doc.lostSilently().count()).isEqualTo(10);
                assertThat(doc.declaredDropCount()).isEqualTo(25);
                // the collector saw gaps of exactly those ranges and nothing else
                List<Long> dsns = c1.records.stream().map(MiniCollector.Rec::dsn).distinct().sorted().toList();
                RangeSet seen = new RangeSet();
                dsns.forEach(seen::add);
                long max = dsns.get(dsns.size() - 1);
                RangeSet gaps = seen.missingIn(0, max);
                RangeSet expected = doc.droppedDeclared().copy();
                expected.addAll(doc.lostSilently());
                assertThat(gaps).isEqualTo(expected);
                assertThat(c1.violation).isNull();
            }
        }
    }

    @Test
    void timeIntervalSessionOpensANewDocumentEachIntervalWithDsnFromZero() throws Exception {
        try (MiniCollector c1 = MiniCollector.listen("c1", "127.0.0.1", 0)) {
            CmtsSpec spec = oneCollector(c1.port(), SessionSpec.timeInterval(2, Templates.SAMIS_TYPE_1,
                    Duration.ofMillis(400)).withRate(200).withAcks(15, 30));
            try (Fleet fleet = Fleet.start(FleetSpec.of(spec))) {
                assertThat(fleet.awaitLedger(l -> l.documents("cmts-d", 2).stream()
                        .filter(d -> d.stopReason() != null).count() >= 3, WAIT)).isTrue();
                List<Ledger.Document> docs = fleet.ledger().documents("cmts-d", 2);
                assertThat(docs.stream().map(Ledger.Document::documentId).distinct().count()).isEqualTo(docs.size());
                Map<String, List<MiniCollector.Rec>> byDoc = c1.records.stream()
                        .collect(Collectors.groupingBy(MiniCollector.Rec::documentId));
                for (Ledger.Document d : docs.subList(0, 3)) {
                    assertThat(d.stopReason()).isEqualTo(6);
                    assertThat(d.acked()).isEqualTo(d.generated());
                    List<Long> dsns = byDoc.get(d.documentId()).stream().map(MiniCollector.Rec::dsn).toList();
                    assertThat(dsns.get(0)).isZero();
                    assertThat(dsns).hasSize((int) d.generated().count()).isSorted();
                    assertThat(d.documentId()).endsWith(String.format("%012x", spec.mac()));
                }
                // time words strictly increase
                assertThat(docs.stream().map(d -> d.documentId().substring(0, 8)).toList()).isSorted();
                assertThat(c1.messages(SessionStop.class)).extracting(SessionStop::reasonCode).contains(6)
                        .containsOnly(6);
            }
        }
    }

    @Test
    void templateChangeStopsWithReason7AndAnnouncesANewConfigId() throws Exception {
        try (MiniCollector c1 = MiniCollector.listen("c1", "127.0.0.1", 0)) {
            CmtsSpec spec = oneCollector(c1.port(), SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(300)
                    .withAcks(10, 30));
            try (Fleet fleet = Fleet.start(FleetSpec.of(spec))) {
                assertThat(fleet.awaitAcked(30, WAIT)).isTrue();
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.CHANGE_TEMPLATE, "*"));
                assertThat(c1.await(c -> c.records.stream().anyMatch(r -> r.configId() == 2), WAIT)).isTrue();
                assertThat(c1.messages(SessionStop.class)).extracting(SessionStop::reasonCode).containsExactly(7);
                List<TemplateData> tds = c1.messages(TemplateData.class);
                assertThat(tds).extracting(TemplateData::configId).containsExactly(1, 2);
                assertThat(tds.get(1).templates().get(0).enabledFields()).hasSize(27);
                List<SessionStart> starts = c1.messages(SessionStart.class);
                assertThat(starts).hasSize(2);
                assertThat(starts.get(1).documentId()).isNotEqualTo(starts.get(0).documentId());
                assertThat(starts.get(1).firstRecordSequenceNumber()).isZero();
                RecordDecoder dec = RecordDecoder.compile(tds.get(1).templates().get(0), DecoderOptions.DEFAULT);
                MiniCollector.Rec r = c1.records.stream().filter(x -> x.configId() == 2).findFirst().orElseThrow();
                assertThat(r.dsn()).isZero();
                assertThat(dec.decodeValues(Unpooled.wrappedBuffer(r.record()))).hasSize(27);
                List<Ledger.Document> docs = fleet.ledger().documents("cmts-d", 1);
                assertThat(docs).hasSize(2);
                assertThat(docs.get(0).stopReason()).isEqualTo(7);
                assertThat(docs.get(1).configId()).isEqualTo(2);
            }
        }
    }
}
