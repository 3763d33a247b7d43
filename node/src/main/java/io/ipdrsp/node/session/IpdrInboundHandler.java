package io.ipdrsp.node.session;

import io.ipdrsp.node.transport.FrameDecoder;
import io.ipdrsp.protocol.ErrorCodes;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.IpdrMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both stages of a connection (the handshake, then the session dispatcher) do with what the pipeline reads:
 * a frame that cannot be decoded is ERROR 3; DATA (still its frame) and messages go to the stage; every read is
 * released; nothing thrown while handling it reaches Netty's pipeline tail (bad input is answered with ERROR and the
 * connection closed, a failure of the node itself likewise); other connections are not affected.
 */
abstract class IpdrInboundHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(IpdrInboundHandler.class);

    protected final Connection conn;

    IpdrInboundHandler(Connection conn) {
        this.conn = conn;
    }

    /** One DATA frame, read in place. */
    abstract void onData(ByteBuf frame) throws IpdrDecodeException;

    /** Any other message. */
    abstract void onMessage(ChannelHandlerContext c, IpdrMessage m);

    @Override
    public final void channelRead(ChannelHandlerContext c, Object msg) {
        try {
            if (conn.isClosed()) {
                return;
            }
            if (msg instanceof FrameDecoder.FrameError err) {
                conn.fail(ErrorCodes.MESSAGE_DECODE_ERROR, "framing: " + err.cause().getMessage());
            } else if (msg instanceof ByteBuf frame) {
                onData(frame);
            } else if (msg instanceof IpdrMessage m) {
                onMessage(c, m);
            }
        } catch (IpdrDecodeException e) {
            conn.fail(e.errorCode(), e.getMessage());
        } catch (RuntimeException e) {
            // a bug, not bad input; still never let it reach Netty's pipeline tail
            LOG.error("{}: unexpected failure handling a message", conn.exporter.name(), e);
            conn.fail(ErrorCodes.MESSAGE_DECODE_ERROR, "internal error: " + e.getClass().getSimpleName());
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        conn.exceptionCaught(cause);
    }
}
