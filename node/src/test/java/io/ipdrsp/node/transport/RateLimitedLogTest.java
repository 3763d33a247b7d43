package io.ipdrsp.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.node.session.SessionFixture;
import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.MessageCodec;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {
    private static final long MS = 1_000_000L;

    @Test
    void oneLinePerIntervalPerKeyAndTheNextOneSaysHowManyWereLeftOut() {
        AtomicLong clock = new AtomicLong();
        RateLimitedLog log = new RateLimitedLog(1000, 16, clock::get);
        assertThat(log.admit("10.0.0.1")).isZero();
        for (int i = 0; i < 500; i++) {
            assertThat(log.admit("10.0.0.1")).isEqualTo(-1);
        }
        assertThat(log.admit("10.0.0.2")).as("another source has its own window").isZero();
        clock.addAndGet(999 * MS);
        assertThat(log.admit("10.0.0.1")).isEqualTo(-1);
        clock.addAndGet(MS);
        assertThat(log.admit("10.0.0.1")).isEqualTo(501);
        assertThat(RateLimitedLog.suppressed(501)).isEqualTo(" (501 similar suppressed)");
        assertThat(RateLimitedLog.suppressed(0)).isEmpty();
    }

    @Test
    void keysAreBoundedAndTheOverflowSharesOneWindow() {
        AtomicLong clock = new AtomicLong();
        RateLimitedLog log = new RateLimitedLog(1000, 4, clock::get);
        for (int i = 0; i < 4; i++) {
            log.admit("k" + i);
        }
        assertThat(log.admit("k4")).isZero();
        assertThat(log.admit("k5")).as("shares k4's overflow window").isEqualTo(-1);
        clock.addAndGet(2000 * MS);
        assertThat(log.admit("k6")).as("expired windows make room again").isZero();
    }

    @Test
    void refusalsOfAnUnknownSourceAreCountedByCodeAndClosed() throws Exception {
        try (SessionFixture f = new SessionFixture()) {
            EmbeddedChannel ch = new EmbeddedChannel(false, false);
            f.pipeline.refused(ch, 256, "exporter 192.0.2.9 is not configured on this collector");
            ch.register();
            ErrorMessage e = (ErrorMessage) MessageCodec.decode(ch.readOutbound());
            assertThat(e.errorCode()).isEqualTo(256);
            assertThat(ch.isOpen()).isFalse();
            assertThat(f.errorsSent(256)).isEqualTo(1);
            assertThat(f.errorsSent(3)).as("every code the node sends is exported from the start").isZero();
        }
    }
}
