package io.ipdrsp.simulator;

import io.ipdrsp.protocol.Capabilities;
import io.ipdrsp.protocol.ConnectResponse;
import io.ipdrsp.protocol.DataAck;
import io.ipdrsp.protocol.FinalTemplateDataAck;
import io.ipdrsp.protocol.FlowStart;
import io.ipdrsp.protocol.Framing;
import io.ipdrsp.protocol.GetSessions;
import io.ipdrsp.protocol.GetSessionsResponse;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.MessageCodec;
import io.ipdrsp.protocol.MessageType;
import io.ipdrsp.protocol.SessionBlock;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cheapest correct collector, for measuring the simulator's load mode: Netty, DATA read in place with the
 * {@link Framing} accessors, one DATA_ACK per read batch and session (the last DSN received), nothing stored.
 */
final class FastAckCollector implements AutoCloseable {
    final AtomicLong records = new AtomicLong();
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;

    FastAckCollector() throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Handler());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private final class Handler extends ByteToMessageDecoder {
        private final long[] lastSeq = new long[256];
        private final int[] config = new int[256];
        private final boolean[] pending = new boolean[256];

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws IpdrDecodeException {
            ByteBuf frame;
            long n = 0;
            while ((frame = Framing.readFrame(in)) != null) {
                try {
                    if (Framing.isData(frame)) {
                        int sid = Framing.sessionId(frame);
                        int base = frame.readerIndex();
                        config[sid] = frame.getUnsignedShort(base + 10);
                        lastSeq[sid] = frame.getLong(base + 13);
                        pending[sid] = true;
                        n++;
                        continue;
                    }
                    IpdrMessage m = MessageCodec.decode(frame);
                    if (m.type() == MessageType.CONNECT) {
                        write(ctx, new ConnectResponse(Capabilities.MULTISESSION, 30, "fast-ack"));
                        write(ctx, new GetSessions(1));
                    } else if (m instanceof GetSessionsResponse r) {
                        for (SessionBlock b : r.sessionBlocks()) {
                            write(ctx, new FlowStart(b.sessionId()));
                        }
                    } else if (m.type() == MessageType.TEMPLATE_DATA) {
                        write(ctx, new FinalTemplateDataAck(m.sessionId()));
                    }
                } finally {
                    frame.release();
                }
            }
            records.addAndGet(n);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            for (int s = 0; s < 256; s++) {
                if (pending[s]) {
                    pending[s] = false;
                    ctx.write(MessageCodec.encode(new DataAck(s, config[s], lastSeq[s]), ctx.alloc()),
                            ctx.voidPromise());
                }
            }
            ctx.flush();
            super.channelReadComplete(ctx);
        }

        private void write(ChannelHandlerContext ctx, IpdrMessage m) {
            ctx.writeAndFlush(MessageCodec.encode(m, ctx.alloc()), ctx.voidPromise());
        }
    }
}
