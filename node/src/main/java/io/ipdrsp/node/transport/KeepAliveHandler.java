package io.ipdrsp.node.transport;

import io.ipdrsp.node.session.ExporterState;
import io.ipdrsp.protocol.ErrorCodes;
import io.ipdrsp.protocol.KeepAlive;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * IPDR/SP keep-alive (digest §1.9) on Netty's {@link IdleStateHandler} (pipeline name {@value #IDLE}): each side's
 * keepAliveInterval is the longest silence it tolerates from the other. The node sends KEEP_ALIVE when it wrote
 * nothing for the peer's interval minus a margin (a quarter, at least 100 ms, at most 2 s), and answers ERROR 0 and
 * closes when it read nothing for its own interval plus a grace (a tenth, at least 250 ms, at most 2 s). Before the
 * handshake tells the peer's interval, the node's own stands in for it.
 *
 * <p>While the node itself stopped reading (back-pressure: {@code autoRead} off) silence is not the peer's fault and
 * does not expire the connection.
 */
public final class KeepAliveHandler extends ChannelInboundHandlerAdapter {
    /** The pipeline name of the {@link IdleStateHandler} this handler reacts to. */
    public static final String IDLE = "idle";

    private final ProtocolErrors errors;
    private final ExporterState exporter;
    private final int ownSeconds;

    public KeepAliveHandler(ProtocolErrors errors, ExporterState exporter, int ownSeconds) {
        this.errors = errors;
        this.exporter = exporter;
        this.ownSeconds = ownSeconds;
    }

    /** The idle detector for our interval and the peer's (seconds; 0 = not known yet). */
    public static IdleStateHandler idleState(int ownSeconds, int peerSeconds) {
        return new IdleStateHandler(readerIdleMillis(ownSeconds), writerIdleMillis(ownSeconds, peerSeconds), 0,
                TimeUnit.MILLISECONDS);
    }

    /** Silence tolerated from the peer: our own interval plus a grace. */
    static long readerIdleMillis(int ownSeconds) {
        long own = ownSeconds * 1000L;
        return own + Math.min(2000, Math.max(250, own / 10));
    }

    /** Our longest silence: the peer's interval (ours while unknown) minus a margin. */
    static long writerIdleMillis(int ownSeconds, int peerSeconds) {
        long peer = (peerSeconds > 0 ? peerSeconds : ownSeconds) * 1000L;
        return Math.max(1, peer - Math.min(2000, Math.max(peer / 4, 100)));
    }

    /** The handshake told the peer's interval: re-arm the idle detector with it. */
    public void peerInterval(ChannelPipeline pipeline, int peerSeconds) {
        pipeline.replace(IDLE, IDLE, idleState(ownSeconds, peerSeconds));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (!(evt instanceof IdleStateEvent e)) {
            super.userEventTriggered(ctx, evt);
            return;
        }
        switch (e.state()) {
            case WRITER_IDLE -> ctx.writeAndFlush(new KeepAlive(), ctx.voidPromise());
            case READER_IDLE -> {
                if (ctx.channel().config().isAutoRead()) {
                    // the connection's CMTS as known now: a connection admitted by range is named at its CONNECT
                    io.ipdrsp.node.session.Connection conn = io.ipdrsp.node.session.Connection.of(ctx.channel());
                    errors.send(ctx.channel(), conn != null ? conn.exporter() : exporter, ErrorCodes.KEEP_ALIVE_EXPIRED,
                            "nothing received for " + readerIdleMillis(ownSeconds) + " ms");
                }
            }
            default -> {
                // ALL_IDLE is not armed
            }
        }
    }
}
