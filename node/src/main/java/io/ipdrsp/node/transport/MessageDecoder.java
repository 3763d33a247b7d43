package io.ipdrsp.node.transport;

import io.ipdrsp.protocol.Framing;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.MessageCodec;
import io.ipdrsp.protocol.UnknownMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns whole frames into messages. DATA is passed on as its frame ({@link io.netty.buffer.ByteBuf}) so that the
 * record is read in place and copied once, for the write; every other message becomes its
 * {@link io.ipdrsp.protocol.IpdrMessage}. Unknown message ids are skipped (digest §1.11); a frame that does not
 * decode is passed on as a {@link FrameDecoder.FrameError}, once, and nothing after it.
 */
public final class MessageDecoder extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(MessageDecoder.class);
    private boolean failed;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof FrameDecoder.FrameError) {
            failed = true;
            ctx.fireChannelRead(msg);
        } else if (msg instanceof ByteBuf frame && !Framing.isData(frame)) {
            try {
                Object decoded = MessageCodec.decode(frame);
                if (decoded instanceof UnknownMessage u) {
                    LOG.debug("{}: skipping unknown message id 0x{}", ctx.channel().remoteAddress(),
                            Integer.toHexString(u.messageId()));
                } else {
                    ctx.fireChannelRead(decoded);
                }
            } catch (IpdrDecodeException e) {
                failed = true;
                ctx.fireChannelRead(new FrameDecoder.FrameError(e));
            } finally {
                frame.release();
            }
        } else {
            ctx.fireChannelRead(msg);
        }
    }
}
