package io.ipdrsp.node.transport;

import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Writes every {@link IpdrMessage} the node sends, so that no handler encodes by itself. Stateless: shared. */
@ChannelHandler.Sharable
public final class MessageEncoder extends MessageToByteEncoder<IpdrMessage> {
    public static final MessageEncoder INSTANCE = new MessageEncoder();

    private MessageEncoder() {
        super(IpdrMessage.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, IpdrMessage msg, ByteBuf out) {
        MessageCodec.encode(msg, out);
    }
}
