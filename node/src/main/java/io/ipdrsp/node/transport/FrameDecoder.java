package io.ipdrsp.node.transport;

import io.ipdrsp.protocol.Framing;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts IPDR/SP frames out of the TCP stream on {@code messageLen}. The length is checked against the bound as soon
 * as a header is readable, so a hostile length never makes the node wait for or buffer that many bytes. A framing
 * error is passed on once as {@link FrameError}; everything after it is discarded (the connection is closing).
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    /** A stream that cannot be framed; the next handler answers ERROR 3 and closes. */
    public record FrameError(IpdrDecodeException cause) {
    }

    private final int maxMessageLength;
    private boolean failed;

    public FrameDecoder(int maxMessageLength) {
        this.maxMessageLength = maxMessageLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            ByteBuf frame = Framing.readFrame(in, maxMessageLength);
            if (frame != null) {
                out.add(frame);
            }
        } catch (IpdrDecodeException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            out.add(new FrameError(e));
        }
    }
}
