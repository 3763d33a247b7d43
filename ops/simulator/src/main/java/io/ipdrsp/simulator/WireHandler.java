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
import io.netty.util.AttributeKey;
import java.util.List;

/** The per-connection pipeline: cut frames with {@link Framing}, decode with {@link MessageCodec}, hand to the CMTS. */
final class WireHandler extends ByteToMessageDecoder {
    static final AttributeKey<SimulatedCmts.Link> LINK = AttributeKey.valueOf("ipdr-link");
    private static final int MAX_MESSAGE = 1 << 20;

    private final SimulatedCmts cmts;
    private boolean failed;

    private WireHandler(SimulatedCmts cmts) {
        this.cmts = cmts;
    }

    static final class Init extends ChannelInitializer<Channel> {
        private final SimulatedCmts cmts;
        private final SimulatedCmts.Link outbound;

        Init(SimulatedCmts cmts, SimulatedCmts.Link outbound) {
            this.cmts = cmts;
            this.outbound = outbound;
        }

        @Override
        protected void initChannel(Channel ch) {
            ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(256 * 1024, 1024 * 1024));
            ch.pipeline().addLast(new WireHandler(cmts), new Dispatch(cmts, outbound));
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
            cmts.decodeFailed(ctx.channel().attr(LINK).get(), ctx.channel(), e.getMessage());
        }
    }

    /** Delivers decoded messages and connection events to the CMTS (all on its event loop). */
    static final class Dispatch extends ChannelInboundHandlerAdapter {
        private final SimulatedCmts cmts;
        private final SimulatedCmts.Link outbound;

        Dispatch(SimulatedCmts cmts, SimulatedCmts.Link outbound) {
            this.cmts = cmts;
            this.outbound = outbound;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            cmts.channelActive(ctx.channel(), outbound);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cmts.channelInactive(ctx.channel().attr(LINK).get(), ctx.channel());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            SimulatedCmts.Link l = ctx.channel().attr(LINK).get();
            if (l != null && l.channel == ctx.channel()) {
                cmts.onMessage(l, (IpdrMessage) msg);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            cmts.writabilityChanged(ctx.channel().attr(LINK).get());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // connection resets are normal here (collectors die on purpose in tests)
        }
    }
}
