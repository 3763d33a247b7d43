package io.ipdrsp.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.node.session.ExporterState;
import io.ipdrsp.node.session.SessionFixture;
import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.KeepAlive;
import io.ipdrsp.protocol.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.handler.timeout.IdleStateEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** KEEP_ALIVE when the node was silent, ERROR 0 when the CMTS was: the idle events of the pipeline. */
class KeepAliveHandlerTest {
    @RegisterExtension
    final SessionFixture f = new SessionFixture();
    private final ExporterState cmts = new ExporterState(SessionFixture.cmtsConfig("cmts"));

    private static Object next(SessionFixture.Cmts c) throws Exception {
        ByteBuf b = c.ch.readOutbound();
        try {
            return b == null ? null : MessageCodec.decode(b);
        } finally {
            if (b != null) {
                b.release();
            }
        }
    }

    @Test
    void marginsAreTodays() {
        assertThat(KeepAliveHandler.readerIdleMillis(30)).as("own 30 s + 2 s").isEqualTo(32_000);
        assertThat(KeepAliveHandler.readerIdleMillis(1)).as("own 1 s + 250 ms").isEqualTo(1_250);
        assertThat(KeepAliveHandler.readerIdleMillis(10)).as("own 10 s + a tenth").isEqualTo(11_000);
        assertThat(KeepAliveHandler.writerIdleMillis(5, 30)).as("peer 30 s - 2 s").isEqualTo(28_000);
        assertThat(KeepAliveHandler.writerIdleMillis(5, 1)).as("peer 1 s - 250 ms").isEqualTo(750);
        assertThat(KeepAliveHandler.writerIdleMillis(5, 0)).as("peer unknown: own 5 s - 1.25 s").isEqualTo(3_750);
    }

    @Test
    void aSilentNodeSendsKeepAlive() throws Exception {
        SessionFixture.Cmts c = f.connect(cmts, false);
        c.ch.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_WRITER_IDLE_STATE_EVENT);
        assertThat(next(c)).isInstanceOf(KeepAlive.class);
        assertThat(c.isOpen()).isTrue();
    }

    @Test
    void aSilentCmtsGetsKeepAliveExpiredAndIsClosedAndCounted() throws Exception {
        SessionFixture.Cmts c = f.connect(cmts, false);
        c.handshake(1);
        c.ch.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        ErrorMessage e = (ErrorMessage) next(c);
        assertThat(e.errorCode()).isZero();
        assertThat(e.description()).contains("nothing received for 5500 ms");
        assertThat(c.isOpen()).isFalse();
        assertThat(f.errorsSent(0)).isEqualTo(1);
        assertThat(cmts.view().errorsSent()).isEqualTo(1);
        assertThat(cmts.failures().consecutive()).as("a dead link is not a protocol failure").isZero();
    }

    @Test
    void silenceWhileTheNodeItselfStoppedReadingIsNotTheCmtsFault() throws Exception {
        SessionFixture.Cmts c = f.connect(cmts, false);
        c.ch.config().setAutoRead(false);
        c.ch.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        assertThat(next(c)).isNull();
        assertThat(c.isOpen()).isTrue();
    }
}
