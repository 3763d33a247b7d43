package io.ipdrsp.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.DataAck;
import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.FlowStart;
import io.ipdrsp.protocol.GetSessionsResponse;
import io.ipdrsp.protocol.GetTemplates;
import io.ipdrsp.protocol.GetTemplatesResponse;
import io.ipdrsp.protocol.KeepAlive;
import io.ipdrsp.protocol.ModifyTemplate;
import io.ipdrsp.protocol.ModifyTemplateResponse;
import io.ipdrsp.protocol.RecordDecoder;
import io.ipdrsp.protocol.SessionStart;
import io.ipdrsp.protocol.SessionStop;
import io.ipdrsp.protocol.StartNegotiation;
import io.ipdrsp.protocol.StartNegotiationReject;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.protocol.TemplateData;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProtocolBehaviourTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static CmtsSpec listening(String name, List<CollectorSpec> collectors, SessionSpec... sessions) {
        return CmtsSpec.of(name, Direction.LISTEN, collectors, List.of(sessions)).withListen("127.0.0.1", 0);
    }

    @Test
    void keepAlivesFlowWhenIdleAndASilentCollectorIsDeclaredDead() throws Exception {
        CmtsSpec spec = listening("cmts-ka", List.of(CollectorSpec.at("127.0.0.1", 0, 1)),
                SessionSpec.adHoc(1, Templates.CPE_TYPE, 5)).withKeepAlive(1);
        try (Fleet fleet = Fleet.start(FleetSpec.of(spec));
                // we tolerate 1 s of silence: the idle CMTS must keep talking. Set before dialling: CONNECT carries
                // it (set after, it raced the connection thread, which could send CONNECT with the default 30 s)
                MiniCollector c = MiniCollector.create("c").keepAlive(1).dial("127.0.0.1", "127.0.0.1",
                        fleet.cmts("cmts-ka").listenPort())) {
            assertThat(c.await(x -> x.messages(KeepAlive.class).size() >= 3, WAIT)).isTrue();
            assertThat(c.messages(SessionStop.class)).extracting(SessionStop::reasonCode).containsExactly(0);
            c.sendKeepAlives = false; // now the collector goes silent
            assertThat(c.await(x -> x.messages(ErrorMessage.class).stream().anyMatch(e -> e.errorCode() == 0
                    && !e.sessionSpecific()), WAIT)).isTrue();
        }
    }

    @Test
    void templateNegotiationWithTheHighestPriorityCollectorOnly() throws Exception {
        CmtsSpec spec = listening("cmts-neg", List.of(CollectorSpec.at("127.0.0.1", 0, 1).named("high"),
                CollectorSpec.at("127.0.0.2", 0, 2).named("low")),
                SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(200).withAcks(10, 30))
                .withFailover(FailoverMode.LEGACY); // the low-priority standby is told of the document
        try (Fleet fleet = Fleet.start(FleetSpec.of(spec))) {
            int port = fleet.cmts("cmts-neg").listenPort();
            MiniCollector high = MiniCollector.connectTo("high", "127.0.0.1", "127.0.0.1", port, td -> {
                // the high-priority collector switches off ServiceClassName (field 21)
                if (!td.isNegotiable()) {
                    return null;
                }
                TemplateBlock b = td.templates().get(0);
                List<FieldDescriptor> fields = new ArrayList<>();
                b.fields().forEach(f -> fields.add(f.withEnabled(!f.localName().equals("ServiceClassName"))));
                return new ModifyTemplate(td.sessionId(), td.configId(), 0,
                        List.of(new TemplateBlock(b.templateId(), b.schemaName(), b.typeName(), fields)));
            });
            MiniCollector low = null;
            try (high) {
                assertThat(high.await(x -> x.records.size() >= 20, WAIT)).isTrue();
                low = MiniCollector.connectTo("low", "127.0.0.2", "127.0.0.1", port);
                ModifyTemplateResponse mr = high.messages(ModifyTemplateResponse.class).get(0);
                assertThat(mr.configId()).isNotEqualTo(high.messages(TemplateData.class).get(0).configId());
                assertThat(mr.templates().get(0).enabledFields()).hasSize(27);
                RecordDecoder dec = RecordDecoder.compile(mr.templates().get(0), DecoderOptions.DEFAULT);
                assertThat(high.records).allSatisfy(r -> {
                    assertThat(r.configId()).isEqualTo(mr.configId());
                    assertThat(dec.decodeValues(Unpooled.wrappedBuffer(r.record()))).hasSize(27);
                });
                assertThat(high.messages(TemplateData.class).get(0).isNegotiable()).isTrue();
                assertThat(low.await(x -> !x.messages(TemplateData.class).isEmpty(), WAIT)).isTrue();
                assertThat(low.messages(TemplateData.class)).noneMatch(TemplateData::isNegotiable);
                assertThat(low.await(x -> !x.messages(SessionStart.class).isEmpty(), WAIT)).isTrue();
                assertThat(low.messages(SessionStart.class).get(0).primary()).isFalse();

                low.send(new StartNegotiation(1));
                assertThat(low.await(x -> !x.messages(StartNegotiationReject.class).isEmpty(), WAIT)).isTrue();

                high.send(new GetTemplates(1, 7));
                assertThat(high.await(x -> !x.messages(GetTemplatesResponse.class).isEmpty(), WAIT)).isTrue();
                GetTemplatesResponse gt = high.messages(GetTemplatesResponse.class).get(0);
                assertThat(gt.requestId()).isEqualTo(7);
                assertThat(gt.configId()).isEqualTo(mr.configId());
                assertThat(gt.templates().get(0).enabledFields()).hasSize(27);
            } finally {
                if (low != null) {
                    low.close();
                }
            }
        }
    }

    @Test
    void protocolViolationsGetErrors() throws Exception {
        CmtsSpec spec = listening("cmts-err", List.of(CollectorSpec.at("127.0.0.1", 0, 1)),
                SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(10));
        try (Fleet fleet = Fleet.start(FleetSpec.of(spec))) {
            int port = fleet.cmts("cmts-err").listenPort();
            // a message before CONNECT: connection-level ERROR 2, then the CMTS closes
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port));
                s.getOutputStream().write(io.ipdrsp.protocol.MessageCodec.toBytes(new FlowStart(1)));
                byte[] reply = readAll(s.getInputStream());
                ErrorMessage e = (ErrorMessage) io.ipdrsp.protocol.MessageCodec.decode(Unpooled.wrappedBuffer(reply));
                assertThat(e.errorCode()).isEqualTo(2);
                assertThat(e.sessionSpecific()).isFalse();
            }
            // undecodable bytes (version 3): ERROR 3 and close
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port));
                s.getOutputStream().write(new byte[] {3, 5, 0, 0, 0, 0, 0, 8});
                byte[] reply = readAll(s.getInputStream());
                ErrorMessage e = (ErrorMessage) io.ipdrsp.protocol.MessageCodec.decode(Unpooled.wrappedBuffer(reply));
                assertThat(e.errorCode()).isEqualTo(3);
            }
            // an unknown session: session-specific ERROR, the connection stays
            try (MiniCollector c = MiniCollector.connectTo("c", "127.0.0.1", "127.0.0.1", port)) {
                assertThat(c.await(x -> !x.messages(GetSessionsResponse.class).isEmpty(), WAIT)).isTrue();
                c.send(new DataAck(42, 1, 0));
                assertThat(c.await(x -> !x.messages(ErrorMessage.class).isEmpty(), WAIT)).isTrue();
                ErrorMessage e = c.messages(ErrorMessage.class).get(0);
                assertThat(e.sessionSpecific()).isTrue();
                assertThat(e.sessionId()).isEqualTo(42);
                assertThat(c.await(x -> x.records.size() > 3, WAIT)).isTrue();
            }
        }
    }

    private static byte[] readAll(InputStream in) throws java.io.IOException {
        return in.readAllBytes(); // the CMTS closes after the ERROR
    }

    @Test
    void rebootBringsANewBootTimeAndLosesWhatWasNotAcknowledged() throws Exception {
        try (MiniCollector c = MiniCollector.listen("c", "127.0.0.1", 0)) {
            CmtsSpec spec = CmtsSpec.of("cmts-rb", Direction.CONNECT,
                    List.of(CollectorSpec.at("127.0.0.1", c.port(), 1)),
                    List.of(SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(500).withAcks(50, 30)))
                    .withReconnectDelay(Duration.ofMillis(100));
            try (Fleet fleet = Fleet.start(FleetSpec.of(spec))) {
                assertThat(fleet.awaitAcked(100, WAIT)).isTrue();
                c.acking = false;
                assertThat(c.await(x -> x.maxUnackedSeen >= 20, WAIT)).isTrue();
                long boot = fleet.cmts("cmts-rb").exporterBootTime();
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.REBOOT, "cmts-rb").lasting(Duration.ofMillis(300)));
                assertThat(c.await(x -> x.messages(SessionStart.class).size() >= 2, WAIT)).isTrue();
                c.acking = true;
                // acks go out on DATA; on a loaded machine the new document's whole window may already be here,
                // and then no more DATA comes until an ack does
                assertThat(c.await(x -> !x.records.isEmpty() && x.records.get(x.records.size() - 1).documentId()
                        .equals(x.messages(SessionStart.class).get(1).documentIdAsUuid().toString()), WAIT)).isTrue();
                c.ackNow();
                SessionStart after = c.messages(SessionStart.class).get(1);
                assertThat(after.exporterBootTime()).isGreaterThan(boot);
                assertThat(after.firstRecordSequenceNumber()).isZero();
                assertThat(after.documentId()).isNotEqualTo(c.messages(SessionStart.class).get(0).documentId());
                assertThat(fleet.awaitLedger(l -> l.documents("cmts-rb", 1).size() == 2
                        && l.documents("cmts-rb", 1).get(1).acked().count() > 10, WAIT)).isTrue();
                Ledger.Document before = fleet.ledger().documents("cmts-rb", 1).get(0);
                assertThat(before.lostSilently().count()).isGreaterThanOrEqualTo(20);
                assertThat(before.exporterBootTime()).isEqualTo(boot);
                RangeSet accounted = before.acked().copy();
                accounted.addAll(before.lostSilently());
                assertThat(accounted).isEqualTo(before.generated());
            }
        }
    }

    @Test
    void quirksMimicTheReferenceExporter() throws Exception {
        MiniCollector c1 = MiniCollector.listen("c1", "127.0.0.1", 0);
        int port2 = MiniCollector.freePort();
        CmtsSpec spec = CmtsSpec.of("cmts-q", Direction.CONNECT,
                List.of(CollectorSpec.at("127.0.0.1", c1.port(), 1), CollectorSpec.at("127.0.0.1", port2, 2)),
                List.of(SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(400).withAcks(30, 7)))
                .withQuirks(Quirks.REFERENCE_EXPORTER).withReconnectDelay(Duration.ofMillis(100))
                .withFailover(FailoverMode.LEGACY); // the test waits for the backup's SESSION_START before failing c1
        try (Fleet fleet = Fleet.start(FleetSpec.of(spec))) {
            assertThat(fleet.awaitAcked(50, WAIT)).isTrue(); // c1 is primary before the backup exists
            try (MiniCollector c2 = MiniCollector.listen("c2", "127.0.0.1", port2)) {
                assertThat(c2.await(x -> !x.messages(SessionStart.class).isEmpty(), WAIT)).isTrue();
                assertThat(c1.messages(GetSessionsResponse.class).get(0).sessionBlocks().get(0).ackTimeInterval())
                        .isEqualTo(7000);
                c1.acking = false;
                assertThat(c1.await(x -> x.maxUnackedSeen >= 30, WAIT)).isTrue();
                long lastAcked = fleet.ledger().documents("cmts-q", 1).get(0).acked().ranges().get(0)[1];
                c1.close();
                assertThat(c2.await(x -> x.records.size() > 40, WAIT)).isTrue();
                SessionStart promoted = c2.messages(SessionStart.class).stream().filter(SessionStart::primary)
                        .findFirst().orElseThrow();
                long lastResent = lastAcked + 30;
                assertThat(promoted.firstRecordSequenceNumber()).isEqualTo(lastResent + 1); // past the re-sends
                Set<Long> flagged = c2.records.stream().filter(MiniCollector.Rec::duplicate)
                        .map(MiniCollector.Rec::dsn).collect(Collectors.toSet());
                assertThat(flagged).hasSize(29).doesNotContain(lastResent);
                assertThat(c2.records.stream().filter(r -> r.dsn() == lastResent).findFirst().orElseThrow()
                        .duplicate()).isFalse();
                Ledger.Document doc = fleet.ledger().documents("cmts-q", 1).get(0);
                assertThat(doc.resentWithoutDuplicateFlag().ranges()).containsExactly(new long[] {lastResent,
                    lastResent});
                // ipV6 as 16 raw bytes: decodes only with the compatibility switch
                TemplateBlock t = c2.messages(TemplateData.class).get(0).templates().get(0);
                byte[] rec = c2.records.get(0).record();
                assertThat(RecordDecoder.compile(t, DecoderOptions.DEFAULT.withIpv6Raw(true))
                        .decodeValues(Unpooled.wrappedBuffer(rec))).hasSize(28);
            }
        }
    }

    @Test
    void aFleetOfCmtsesEachWithItsOwnIdentity() throws Exception {
        try (MiniCollector c = MiniCollector.listen("c", "127.0.0.1", 0)) {
            List<CmtsSpec> cmtses = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                cmtses.add(CmtsSpec.of("cmts-" + i, Direction.CONNECT,
                        List.of(CollectorSpec.at("127.0.0.1", c.port(), 1)),
                        List.of(SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(100).withRecords(50),
                                SessionSpec.event(2, Templates.CPE_TYPE).withRate(100).withRecords(20)))
                        .withMac(0x001dcf000100L + i));
            }
            try (Fleet fleet = Fleet.start(new FleetSpec(cmtses, java.util.Map.of(), List.of(), null, null, 2))) {
                assertThat(fleet.awaitAcked(12 * 70, WAIT)).isTrue();
                assertThat(fleet.awaitDrained(WAIT)).isTrue();
                List<Ledger.Document> docs = fleet.ledger().documents();
                assertThat(docs).hasSize(24);
                assertThat(docs.stream().map(d -> d.documentId().substring(24)).distinct().count()).isEqualTo(12);
                assertThat(c.messages(SessionStart.class).stream().map(SessionStart::documentId).distinct().count())
                        .isEqualTo(24);
                for (Ledger.Document d : docs) {
                    assertThat(d.acked()).isEqualTo(d.generated());
                }
                String json = fleet.ledger().toJson();
                assertThat(json).contains("\"cmts-11\"");
            }
        }
    }
}
