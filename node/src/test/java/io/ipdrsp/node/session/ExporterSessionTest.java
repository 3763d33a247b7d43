package io.ipdrsp.node.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.node.config.TemplateNegotiation;
import io.ipdrsp.protocol.Data;
import io.ipdrsp.protocol.DataAck;
import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.FinalTemplateDataAck;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.ModifyTemplate;
import io.ipdrsp.protocol.ModifyTemplateResponse;
import io.ipdrsp.protocol.SessionStop;
import io.ipdrsp.protocol.TemplateData;
import io.ipdrsp.storage.DocumentInfo;
import io.ipdrsp.storage.Segment;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Session phases, template negotiation, DATA validation and the failover rulings of digest §1.9. */
class ExporterSessionTest {
    @RegisterExtension
    final SessionFixture f = new SessionFixture();
    private final UUID doc = UUID.randomUUID();

    private SessionFixture.Cmts session(ExporterState cmts) throws Exception {
        SessionFixture.Cmts c = f.connect(cmts, false);
        c.handshake(1);
        return c;
    }

    private SessionFixture.Cmts session() throws Exception {
        return session(new ExporterState(SessionFixture.cmtsConfig("cmts")));
    }

    /** A session with templates and SESSION_START of {@link #doc} (ackTimeInterval 60 s). */
    private SessionFixture.Cmts opened(boolean primary, int ackSequenceInterval) throws Exception {
        SessionFixture.Cmts c = session();
        c.open(1, doc, primary, ackSequenceInterval, 60);
        return c;
    }

    private static List<Long> acks(List<IpdrMessage> sent) {
        return sent.stream().filter(DataAck.class::isInstance).map(m -> ((DataAck) m).sequenceNum()).toList();
    }

    @Test
    void recordsOfAStartedSessionAreWrittenAndAckedOnceDurable() throws Exception {
        ExporterState cmts = new ExporterState(SessionFixture.cmtsConfig("cmts"));
        SessionFixture.Cmts c = session(cmts);
        c.open(1, doc, true, 4, 60);
        f.sync(); // the segment row is written: what follows updates it
        for (int dsn = 0; dsn < 3; dsn++) {
            c.data(1, dsn, "r" + dsn);
        }
        assertThat(f.sink.writes).extracting(SessionFixture.TestSink.Write::seq).containsExactly(0L, 1L, 2L);
        assertThat(f.sink.flushes.get()).as("the end of each read flushes what it wrote").isPositive();
        assertThat(acks(c.drain())).as("nothing durable yet").isEmpty();
        f.sink.storeAll();
        assertThat(acks(c.drain())).as("3 of a window of 4: the sequence trigger").containsExactly(2L);
        ExporterState.View v = cmts.view();
        assertThat(v.received()).isEqualTo(3);
        assertThat(v.stored()).isEqualTo(3);
        assertThat(v.acked()).isEqualTo(3);
        assertThat(v.sessions().get(0).role()).isEqualTo("primary");
        assertThat(f.ctx.documents().documents()).singleElement()
                .satisfies(d -> assertThat(d.lastAckDsn()).isEqualTo(2));
        f.sync();
        assertThat(f.metadata.other()).as("the open segment says how far it got, with its first ack")
                .anyMatch(w -> w.startsWith("progress ") && w.endsWith("highest 2"));
    }

    @Test
    void sessionStartBeforeTheTemplatesIsInvalidForState() throws Exception {
        SessionFixture.Cmts c = session();
        c.start(1, doc, true, 0, 10, 60);
        assertThat(c.expect(ErrorMessage.class).errorCode()).isEqualTo(2);
        assertThat(c.isOpen()).isFalse();
    }

    @Test
    void negotiationSwitchesTheConfiguredFieldsOff() throws Exception {
        SessionFixture.Cmts c = session(new ExporterState(SessionFixture.cmtsConfig("cmts")
                .templates(new TemplateNegotiation().disable("LABEL"))));
        c.send(new TemplateData(1, 9, TemplateData.FLAG_NEGOTIABLE, List.of(SessionFixture.TEMPLATE)));
        ModifyTemplate mt = c.expect(ModifyTemplate.class);
        assertThat(mt.configId()).isEqualTo(9);
        assertThat(mt.templates().get(0).fields()).extracting(FieldDescriptor::enabled).containsExactly(true, false);
        c.start(1, doc, true, 0, 10, 60);
        assertThat(c.expect(ErrorMessage.class).description()).as("still negotiating").contains("before its templates");

        SessionFixture.Cmts again = session(new ExporterState(SessionFixture.cmtsConfig("cmts2")
                .templates(new TemplateNegotiation().disable("label"))));
        again.send(new TemplateData(1, 9, TemplateData.FLAG_NEGOTIABLE, List.of(SessionFixture.TEMPLATE)));
        ModifyTemplate asked = again.expect(ModifyTemplate.class);
        again.send(new ModifyTemplateResponse(1, 10, 0, asked.templates()));
        again.expect(FinalTemplateDataAck.class);
        again.start(1, doc, true, 0, 10, 60);
        // the counter alone: the label is switched off and not on the wire any more
        again.send(Data.of(1, 7, 10, 0, 0, java.nio.ByteBuffer.allocate(4).putInt(5).array()));
        assertThat(again.isOpen()).isTrue();
        assertThat(f.sink.writes).hasSize(1);
    }

    @Test
    void aTemplateThatIsNotNegotiableIsAcknowledgedAsItIs() throws Exception {
        SessionFixture.Cmts c = session(new ExporterState(SessionFixture.cmtsConfig("cmts")
                .templates(new TemplateNegotiation().disable("label"))));
        c.send(new TemplateData(1, 9, 0, List.of(SessionFixture.TEMPLATE)));
        c.expect(FinalTemplateDataAck.class);
    }

    @Test
    void dataNamingATemplateNeverAnnouncedIsADecodeError() throws Exception {
        SessionFixture.Cmts c = opened(true, 10);
        c.send(Data.of(1, 99, 1, 0, 0, SessionFixture.record(1, "x")));
        ErrorMessage e = c.expect(ErrorMessage.class);
        assertThat(e.errorCode()).isEqualTo(3);
        assertThat(e.description()).contains("templateId 99");
        assertThat(f.sink.writes).isEmpty();
    }

    @Test
    void aRecordThatDoesNotMatchItsTemplateIsADecodeError() throws Exception {
        SessionFixture.Cmts c = opened(true, 10);
        byte[] bad = SessionFixture.record(1, "label");
        bad[7] = 100; // string length beyond the record
        c.send(Data.of(1, 7, 1, 0, 0, bad));
        assertThat(c.expect(ErrorMessage.class).errorCode()).isEqualTo(3);
        assertThat(f.sink.writes).isEmpty();
    }

    @Test
    void aDsnOutOfOrderIsInvalidForStateAndNotWritten() throws Exception {
        SessionFixture.Cmts c = opened(true, 10);
        c.data(1, 5, "a");
        c.data(1, 5, "again");
        ErrorMessage e = c.expect(ErrorMessage.class);
        assertThat(e.errorCode()).isEqualTo(2);
        assertThat(e.description()).contains("out of sequence");
        assertThat(f.sink.writes).hasSize(1);
    }

    @Test
    void dataOutsideSessionStartToStopIsInvalidForState() throws Exception {
        SessionFixture.Cmts before = session();
        before.send(new TemplateData(1, 1, 0, List.of(SessionFixture.TEMPLATE)));
        before.expect(FinalTemplateDataAck.class);
        before.data(1, 0, "early");
        assertThat(before.expect(ErrorMessage.class).description()).contains("outside SESSION_START..SESSION_STOP");

        SessionFixture.Cmts after = opened(true, 10);
        after.send(new SessionStop(1, 0, "end"));
        after.data(1, 0, "late");
        assertThat(after.expect(ErrorMessage.class).errorCode()).isEqualTo(2);
        assertThat(f.sink.writes).isEmpty();
    }

    @Test
    void aBackupSessionTakesDataAndWritesTheDocumentStateLikeThePrimary() throws Exception {
        ExporterState cmts = new ExporterState(SessionFixture.cmtsConfig("cmts"));
        SessionFixture.Cmts c = session(cmts);
        c.open(1, doc, false, 4, 60); // the vendor guide's standby: primary=false, then the data
        assertThat(cmts.view().sessions().get(0).role()).as("told of the document, no data yet").isEqualTo("backup");
        c.data(1, 0, "a");
        assertThat(cmts.view().sessions().get(0).role()).as("it receives the stream").isEqualTo("primary");
        c.data(1, 1, "b");
        f.sink.storeAll();
        f.advance(300, c);
        assertThat(acks(c.drain())).containsExactly(1L);
        f.sync();
        c.send(new SessionStop(1, 6, "end of IPDRDoc"));
        f.sync();
        assertThat(f.metadata.documents()).extracting(DocumentInfo::state).containsExactly("OPEN", "STOPPED");
        assertThat(f.metadata.documents().get(1).detail()).isEqualTo("SESSION_STOP 6 end of IPDRDoc");
        assertThat(f.sink.opened).singleElement().satisfies(d -> assertThat(d.primary()).isFalse());
        assertThat(cmts.view().sessions().get(0).role()).as("after SESSION_STOP").isEqualTo("idle");
    }

    @Test
    void aHandOffNeverMarksTheDocumentStopped() throws Exception {
        SessionFixture.Cmts c = opened(true, 4);
        c.send(new SessionStop(1, 1, "handing off"));
        f.sync();
        assertThat(f.metadata.other().stream().anyMatch(s -> s.contains("reason 1"))
                || f.metadata.segments().stream().anyMatch(s -> Integer.valueOf(1).equals(s.stopReasonCode())))
                .as("the segment's SESSION_STOP 1").isTrue();
        assertThat(f.metadata.documents()).extracting(DocumentInfo::state).containsExactly("OPEN");
    }

    @Test
    void aSessionStartOnAnOpenDocumentSupersedesItsSegment() throws Exception {
        SessionFixture.Cmts c = opened(false, 4); // the former simulator: primary=false to standbys ...
        c.data(1, 0, "a");
        c.start(1, doc, true, 1, 4, 60); // ... then primary=true on the same session without SESSION_STOP
        assertThat(c.isOpen()).isTrue();
        c.data(1, 1, "b");
        f.sync();
        List<Segment> segments = f.metadata.segments();
        assertThat(segments).as("two segments, the first ended").hasSizeGreaterThanOrEqualTo(2)
                .filteredOn(s -> s.stoppedAt() != null).hasSize(1);
        Segment first = segments.stream().filter(s -> !s.primary()).findFirst().orElseThrow();
        assertThat(first.stopReasonCode()).isNull();
        assertThat(first.stopReasonInfo()).contains("superseded");
        assertThat(segments).filteredOn(Segment::primary).singleElement()
                .satisfies(s -> assertThat(s.startedAt()).isAfter(first.startedAt()));
        assertThat(f.sink.opened).extracting(d -> d.key()).containsOnly(f.sink.opened.get(0).key()).hasSize(2);
        assertThat(f.metadata.documents()).as("one document, OPEN once").extracting(DocumentInfo::state)
                .containsExactly("OPEN");
        assertThat(f.sink.writes).extracting(SessionFixture.TestSink.Write::seq).containsExactly(0L, 1L);
    }

    @Test
    void aStoppedDocumentGetsItsLastAckOnceItsWritesAreDurable() throws Exception {
        SessionFixture.Cmts c = opened(true, 100);
        c.data(1, 0, "a");
        c.data(1, 1, "b");
        c.send(new SessionStop(1, 0, "end"));
        assertThat(acks(c.drain())).isEmpty();
        f.sink.storeAll();
        assertThat(acks(c.drain())).containsExactly(1L);
        assertThat(f.sink.closed).as("dedup told the stretch ended").hasSize(1);
    }
}
