package io.ipdrsp.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.ConnectResponse;
import io.ipdrsp.protocol.Data;
import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.protocol.GetSessionsResponse;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.SessionStart;
import io.ipdrsp.protocol.TemplateData;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandshakeAndFlowControlTest {

    @Test
    void collectorConnectsInAndReceivesEveryRecordWithinTheAckWindow() throws Exception {
        CmtsSpec cmts = CmtsSpec.of("cmts-a", Direction.LISTEN,
                        List.of(CollectorSpec.at("127.0.0.1", 0, 1).named("c1")),
                        List.of(SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(2000).withAcks(10, 5)
                                .withRecords(300)))
                .withListen("127.0.0.1", 0);
        try (Fleet fleet = Fleet.start(FleetSpec.of(cmts))) {
            int port = fleet.cmts("cmts-a").listenPort();
            try (MiniCollector c = MiniCollector.connectTo("c1", "127.0.0.1", "127.0.0.1", port)) {
                c.ackEvery = 10; // the slowest legal collector: ack only when the window is full
                assertThat(fleet.awaitAcked(300, Duration.ofSeconds(15))).isTrue();

                List<IpdrMessage> msgs = c.received;
                assertThat(msgs.get(0)).isInstanceOf(ConnectResponse.class);
                assertThat(((ConnectResponse) msgs.get(0)).capabilities()).isEqualTo(c.capabilities);
                assertThat(msgs).filteredOn(m -> m instanceof GetSessionsResponse).hasSize(1);
                TemplateData td = c.messages(TemplateData.class).get(0);
                assertThat(td.isNegotiable()).isTrue(); // the only, hence highest-priority, collector
                assertThat(td.templates().get(0).typeName()).isEqualTo("SAMIS-TYPE-1");
                assertThat(td.templates().get(0).fields()).hasSize(28);
                SessionStart ss = c.messages(SessionStart.class).get(0);
                assertThat(ss.primary()).isTrue();
                assertThat(ss.firstRecordSequenceNumber()).isZero();
                assertThat(ss.ackSequenceInterval()).isEqualTo(10);
                // DOCSIS layout: time word, zeros, CMTS MAC
                assertThat(ss.documentId().toHex().substring(8))
                        .isEqualTo("000000000000" + String.format("%012x", cmts.mac()));
                // order: TEMPLATE_DATA before SESSION_START before the first DATA
                int iTd = msgs.indexOf(td);
                int iSs = msgs.indexOf(ss);
                int iData = indexOfFirst(msgs, Data.class);
                assertThat(iTd).isLessThan(iSs);
                assertThat(iSs).isLessThan(iData);

                assertThat(c.violation).isNull();
                assertThat(c.maxUnackedSeen).isLessThanOrEqualTo(10).isGreaterThan(1);
                assertThat(c.records).extracting(MiniCollector.Rec::dsn)
                        .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 300).boxed().toList());
                assertThat(c.records).noneMatch(MiniCollector.Rec::duplicate);

                // every record decodes with the announced template and exactly fills its bytes
                var decoder = io.ipdrsp.protocol.RecordDecoder.compile(td.templates().get(0), DecoderOptions.DEFAULT);
                for (MiniCollector.Rec r : c.records) {
                    assertThat(decoder.decodeValues(io.netty.buffer.Unpooled.wrappedBuffer(r.record())))
                            .hasSize(28);
                }

                Ledger.Document doc = fleet.ledger().documents("cmts-a", 1).get(0);
                assertThat(doc.documentId()).isEqualTo(ss.documentIdAsUuid().toString());
                assertThat(doc.generated().ranges()).containsExactly(new long[] {0, 299});
                assertThat(doc.ackedBy().get("c1").ranges()).containsExactly(new long[] {0, 299});
                assertThat(doc.resentWithDuplicateFlag().isEmpty()).isTrue();
                assertThat(doc.droppedDeclared().isEmpty()).isTrue();
            }
        }
    }

    @Test
    void aSendWindowBeyondTheAckIntervalIsFilledWhileSessionStartStillAnnouncesTheAckInterval() throws Exception {
        // the reference exporter's shape: ack every 10 asked for, up to 40 records outstanding
        CmtsSpec cmts = CmtsSpec.of("cmts-w", Direction.LISTEN,
                        List.of(CollectorSpec.at("127.0.0.1", 0, 1).named("c1")),
                        List.of(SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(2000).withAcks(10, 5)
                                .withWindow(40).withRecords(200)))
                .withListen("127.0.0.1", 0);
        try (Fleet fleet = Fleet.start(FleetSpec.of(cmts))) {
            int port = fleet.cmts("cmts-w").listenPort();
            try (MiniCollector c = MiniCollector.connectTo("c1", "127.0.0.1", "127.0.0.1", port)) {
                c.sendWindow = 40;
                c.ackEvery = 40; // acks only when the whole window is out
                assertThat(fleet.awaitAcked(200, Duration.ofSeconds(15))).isTrue();

                assertThat(c.messages(SessionStart.class).get(0).ackSequenceInterval()).isEqualTo(10);
                assertThat(c.violation).isNull();
                assertThat(c.maxUnackedSeen).isEqualTo(40);
                assertThat(c.records).extracting(MiniCollector.Rec::dsn)
                        .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 200).boxed().toList());
            }
        }
    }

    static int indexOfFirst(List<IpdrMessage> msgs, Class<?> type) {
        for (int i = 0; i < msgs.size(); i++) {
            if (type.isInstance(msgs.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
