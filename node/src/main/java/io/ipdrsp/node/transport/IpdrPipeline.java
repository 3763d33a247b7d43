package io.ipdrsp.node.transport;

import io.ipdrsp.node.session.Admission;
import io.ipdrsp.node.session.Connection;
import io.ipdrsp.node.session.ExporterState;
import io.ipdrsp.node.session.HandshakeHandler;
import io.ipdrsp.node.session.NodeContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;

/**
 * The IPDR/SP pipeline of a channel, the same whichever side dialed:
 * <pre>
 *   [tls] → frames → messages → encoder → idle → keepalive → handshake (replaced by "sessions" once ready)
 * </pre>
 * {@code frames} cuts whole messages on messageLen (bounded), {@code messages} decodes them (DATA stays its frame),
 * {@code encoder} writes what the handlers send, {@code idle}/{@code keepalive} keep the connection alive or expire
 * it, and the handshake handler hands over to the session dispatcher. A refused connection gets the same transport
 * and codec, then ERROR and close.
 */
public final class IpdrPipeline {
    private final NodeContext ctx;

    public IpdrPipeline(NodeContext ctx) {
        this.ctx = ctx;
    }

    /** A connection to {@code exporter}; {@code initiator}: this node dialed (it sends CONNECT). */
    public void session(Channel ch, ExporterState exporter, boolean initiator, Runnable onEstablished) {
        handshake(ch, new Connection(ctx, exporter, initiator, ch), onEstablished);
    }

    /**
     * A connection admitted by address range, whose CMTS {@code admission} names at CONNECT; {@code standIn} carries
     * the connection (keep-alive, capabilities, errors) until then.
     */
    public void admitted(Channel ch, ExporterState standIn, Admission admission) {
        handshake(ch, new Connection(ctx, standIn, false, ch, admission), null);
    }

    private void handshake(Channel ch, Connection conn, Runnable onEstablished) {
        ChannelPipeline p = transport(ch);
        int own = conn.exporter().config().getKeepAliveSeconds();
        p.addLast(KeepAliveHandler.IDLE, KeepAliveHandler.idleState(own, 0));
        p.addLast("keepalive", new KeepAliveHandler(ctx.errors(), conn.exporter(), own));
        p.addLast("handshake", new HandshakeHandler(conn, onEstablished));
    }

    /** A connection the node does not take: ERROR {@code code} as soon as it is up, then closed. */
    public void refused(Channel ch, int code, String why) {
        transport(ch).addLast("refuse", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext c) {
                ctx.errors().send(c.channel(), null, code, why);
            }

            @Override
            public void channelRead(ChannelHandlerContext c, Object msg) {
                ReferenceCountUtil.release(msg); // nothing is read from a refused connection
            }
        });
    }

    /** The part every IPDR/SP channel has, up to the codec. */
    private ChannelPipeline transport(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        // IPDR/SP over TLS (IpdrTls.addTo) is added by whoever creates the channel (NodeTransport.accept for the
        // listen port, Connector for a dialed CMTS) before this, so it is first in the pipeline
        p.addLast("frames", new FrameDecoder(ctx.identity().getMaxMessageLength()));
        p.addLast("messages", new MessageDecoder());
        p.addLast("encoder", MessageEncoder.INSTANCE);
        return p;
    }
}
