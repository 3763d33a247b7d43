package io.ipdrsp.simulator;

import io.ipdrsp.protocol.Framing;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The per-connection pipeline: cut frames with {@link Framing}, decode with {@link MessageCodec}, hand to the CMTS. */
final class WireHandler extends ByteToMessageDecoder {
    static final AttributeKey<CollectorLink> LINK = AttributeKey.valueOf("ipdr-link");
    private static final Logger LOG = LoggerFactory.getLogger(WireHandler.class);
    private static final int MAX_MESSAGE = 1 << 20;

    private final CmtsTransport transport;
    private boolean failed;

    private WireHandler(CmtsTransport transport) {
        this.transport = transport;
    }

    /** TLS first when the CMTS has it, then framing, then dispatch. {@code outbound} is the link we dialled. */
    static final class Init extends ChannelInitializer<Channel> {
        private final CmtsTransport transport;
        private final CollectorLink outbound;
        private final SslContext tls;
        private final boolean verifyHostname;

        Init(CmtsTransport transport, CollectorLink outbound, SslContext tls, boolean verifyHostname) {
            this.transport = transport;
            this.outbound = outbound;
            this.tls = tls;
            this.verifyHostname = verifyHostname;
        }

        @Override
        protected void initChannel(Channel ch) {
            ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(256 * 1024, 1024 * 1024));
            if (tls != null) {
                ch.pipeline().addLast(TlsContexts.handler(tls, ch.alloc(), outbound == null ? null : outbound.spec,
                        verifyHostname));
            }
            ch.pipeline().addLast(new WireHandler(transport), new Dispatch(transport, outbound));
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            ByteBuf frame;
            while ((frame = Framing.readFrame(in, MAX_MESSAGE)) != null) {
                try {
                    out.add(MessageCodec.decode(frame));
                } finally {
                    frame.release(); // collectors send no DATA, so no decoded message refers to the frame
                }
            }
        } catch (IpdrDecodeException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            transport.decodeFailed(ctx.channel().attr(LINK).get(), ctx.channel(), e.getMessage());
        }
    }

    /** Delivers decoded messages and connection events to the CMTS (all on its event loop). */
    static final class Dispatch extends ChannelInboundHandlerAdapter {
        private final CmtsTransport transport;
        private final CollectorLink outbound;

        Dispatch(CmtsTransport transport, CollectorLink outbound) {
            this.transport = transport;
            this.outbound = outbound;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            transport.channelActive(ctx.channel(), outbound);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            transport.channelInactive(ctx.channel().attr(LINK).get(), ctx.channel());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            CollectorLink l = ctx.channel().attr(LINK).get();
            if (l != null && l.channel == ctx.channel()) {
                transport.onMessage(l, (IpdrMessage) msg);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            transport.writabilityChanged(ctx.channel().attr(LINK).get());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Connection resets are normal here (collectors die on purpose in tests); a refused TLS peer (plain
            // bytes, untrusted certificate) is worth one line per connection.
            Throwable root = cause;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            if (root instanceof SSLException) { // NotSslRecordException (plain bytes) is one too
                LOG.info("{}: TLS with {} refused: {}", transport.cmtsName(), ctx.channel().remoteAddress(),
                        root.getMessage());
            }
            ctx.close();
        }
    }
}
