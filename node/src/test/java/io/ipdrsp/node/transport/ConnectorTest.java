package io.ipdrsp.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.session.ExporterState;
import io.ipdrsp.node.session.SessionFixture;
import io.netty.channel.nio.NioEventLoopGroup;
import org.junit.jupiter.api.Test;

/** The node redials a CMTS whose records it cannot take no sooner than its protocol-failure back-off allows. */
class ConnectorTest {

    @Test
    void theRedialWaitsForTheProtocolFailureBackOff() throws Exception {
        ExporterState cmts = new ExporterState(new ExporterConfig("c", "127.0.0.1", 4737, Direction.CONNECT)
                .reconnect(100, 500));
        NioEventLoopGroup group = new NioEventLoopGroup(1);
        try (SessionFixture f = new SessionFixture()) {
            Connector c = new Connector(cmts, group, f.pipeline, (e, ch) -> { }, () -> true);
            assertThat(c.nextDelayMillis()).as("the jittered reconnect delay").isBetween(50L, 100L);
            for (int i = 0; i < 4; i++) {
                cmts.failures().failed(true, "decode", "exporters[].ipv6Raw");
            }
            assertThat(c.nextDelayMillis()).as("the second back-off step, 2 s").isBetween(1900L, 2000L);
        } finally {
            group.shutdownGracefully().sync();
        }
    }
}
