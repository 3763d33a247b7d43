package io.ipdrsp.node.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.node.config.SessionSelector;
import io.ipdrsp.node.transport.KeepAliveHandler;
import io.ipdrsp.protocol.Connect;
import io.ipdrsp.protocol.ConnectResponse;
import io.ipdrsp.protocol.Data;
import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.FlowStart;
import io.ipdrsp.protocol.GetSessions;
import io.ipdrsp.protocol.GetSessionsResponse;
import io.ipdrsp.protocol.SessionBlock;
import io.ipdrsp.protocol.TemplateData;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** CONNECT … GET_SESSIONS in both directions, then the hand-over to the session dispatcher. */
class HandshakeHandlerTest {
    @RegisterExtension
    final SessionFixture f = new SessionFixture();

    @Test
    void aCmtsThatDialsInIsAnsweredAndItsConfiguredSessionsStarted() throws Exception {
        ExporterState cmts = new ExporterState(SessionFixture.cmtsConfig("c1")
                .sessions(SessionSelector.id(1), SessionSelector.name("cpe")));
        SessionFixture.Cmts c = f.connect(cmts, false);
        assertThat(c.read()).as("the listening side waits for CONNECT").isNull();
        assertThat(cmts.link()).isEqualTo(ExporterState.Link.HANDSHAKE);

        c.send(new Connect(0x7f000003, 4000, 0x01 | 0x02, 7, "cmts-vendor")); // STRUCTURES is not offered by us
        ConnectResponse r = c.expect(ConnectResponse.class);
        assertThat(r.capabilities()).as("only what both offer").isEqualTo(0x02);
        assertThat(r.keepAliveInterval()).isEqualTo(5);
        GetSessions gs = c.expect(GetSessions.class);
        assertThat(cmts.link()).isEqualTo(ExporterState.Link.CONNECTED);
        IdleStateHandler idle = (IdleStateHandler) c.ch.pipeline().get(KeepAliveHandler.IDLE);
        assertThat(idle.getWriterIdleTimeInMillis()).as("the CMTS's 7 s minus a quarter").isEqualTo(5250);
        assertThat(idle.getReaderIdleTimeInMillis()).as("our 5 s plus a grace").isEqualTo(5500);

        c.send(new GetSessionsResponse(gs.requestId(), List.of(new SessionBlock(1, 0, "samis", "", 5, 10),
                new SessionBlock(2, 0, "other", "", 5, 10), new SessionBlock(3, 0, "cpe", "", 5, 10))));
        assertThat(c.drain()).extracting(m -> ((FlowStart) m).sessionId()).containsExactly(1, 3);
        assertThat(c.ch.pipeline().get("handshake")).as("replaced itself").isNull();
        assertThat(c.ch.pipeline().get(SessionDispatcher.class)).isNotNull();
        assertThat(cmts.view().sessions()).extracting(ExporterState.SessionView::state)
                .containsExactly("FLOW_STARTED", "NOT_WANTED", "FLOW_STARTED");
    }

    @Test
    void theNodeThatDialsSendsConnectAndTakesTheResponse() throws Exception {
        ExporterState cmts = new ExporterState(SessionFixture.cmtsConfig("c2"));
        SessionFixture.Cmts c = f.connect(cmts, true);
        Connect connect = c.expect(Connect.class);
        assertThat(connect.keepAliveInterval()).isEqualTo(5);
        assertThat(connect.capabilities()).isEqualTo(0x02 | 0x04);

        c.send(new ConnectResponse(0x02 | 0x01, 30, "cmts"));
        GetSessions gs = c.expect(GetSessions.class);
        assertThat(cmts.link()).isEqualTo(ExporterState.Link.CONNECTED);
        c.send(new GetSessionsResponse(gs.requestId(), List.of(new SessionBlock(4, 0, "s", "", 5, 10))));
        assertThat(c.expect(FlowStart.class).sessionId()).as("no selection: every session").isEqualTo(4);
    }

    @Test
    void dataBeforeTheHandshakeIsInvalidForState() throws Exception {
        SessionFixture.Cmts c = f.connect(new ExporterState(SessionFixture.cmtsConfig("c3")), false);
        c.send(Data.of(1, 7, 1, 0, 0, SessionFixture.record(1, "x")));
        assertThat(c.expect(ErrorMessage.class).errorCode()).isEqualTo(2);
        assertThat(c.isOpen()).isFalse();
        assertThat(f.errorsSent(2)).isEqualTo(1);
    }

    @Test
    void sessionMessagesBeforeGetSessionsResponseAreInvalidForState() throws Exception {
        SessionFixture.Cmts c = f.connect(new ExporterState(SessionFixture.cmtsConfig("c4")), false);
        c.send(new Connect(0x7f000003, 4000, 0x02, 5, "v"));
        c.drain();
        c.send(new TemplateData(1, 1, 0, List.of(SessionFixture.TEMPLATE)));
        ErrorMessage e = c.expect(ErrorMessage.class);
        assertThat(e.errorCode()).isEqualTo(2);
        assertThat(e.description()).contains("not started with FLOW_START");
        assertThat(c.isOpen()).isFalse();
    }

    @Test
    void aSecondConnectAndGarbageAreErrors() throws Exception {
        SessionFixture.Cmts twice = f.connect(new ExporterState(SessionFixture.cmtsConfig("c5")), false);
        twice.send(new Connect(0x7f000003, 4000, 0x02, 5, "v"));
        twice.drain();
        twice.send(new Connect(0x7f000003, 4000, 0x02, 5, "v"));
        assertThat(twice.expect(ErrorMessage.class).errorCode()).isEqualTo(2);

        SessionFixture.Cmts garbage = f.connect(new ExporterState(SessionFixture.cmtsConfig("c6")), false);
        garbage.sendRaw(new byte[] {1, 5, 0, 0, 0, 0, 0, 8}); // version 1
        assertThat(garbage.expect(ErrorMessage.class).errorCode()).isEqualTo(3);
        assertThat(garbage.isOpen()).isFalse();
    }
}
