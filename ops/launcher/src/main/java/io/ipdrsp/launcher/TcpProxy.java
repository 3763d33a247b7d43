package io.ipdrsp.launcher;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * A TCP forwarder for fault injection between two real processes: a local port forwarded to a target, with the
 * network failures a collector meets in production — a path that stops moving bytes but keeps its connections
 * ({@link #pause()}), connections reset ({@link #sever()}), a peer that accepts and swallows everything
 * ({@link #blackhole()}), connections refused ({@link #refuse()}) and one source cut off ({@link #block(String)}).
 *
 * <p>The upstream side can be bound to a chosen local address ({@code sourceAddress}): peers that tell their clients
 * apart by source address (a listening CMTS, a node's {@code listen} side, Hazelcast members) then see that address
 * instead of the proxy's 127.0.0.1.
 */
public final class TcpProxy implements AutoCloseable {
    enum Mode { FORWARD, PAUSE, BLACKHOLE, REFUSE }

    private static final EventLoopGroup GROUP = new NioEventLoopGroup(2, new DefaultThreadFactory("tcp-proxy", true));

    private final String name;
    private final String bindHost;
    private final InetSocketAddress target;
    private final String sourceAddress;
    private final Channel server;
    private final List<Pair> pairs = new CopyOnWriteArrayList<>();
    private final Set<String> blockedSources = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.FORWARD;
    private volatile Supplier<BiConsumer<Boolean, ByteBuf>> tap;

    /** One accepted connection and its upstream. */
    private final class Pair {
        final Channel inbound;
        volatile Channel outbound;
        /** Sees what is forwarded: (from the client?, bytes); null without a {@link #tap}. */
        final BiConsumer<Boolean, ByteBuf> seen;

        Pair(Channel inbound) {
            this.inbound = inbound;
            Supplier<BiConsumer<Boolean, ByteBuf>> t = tap;
            this.seen = t == null ? null : t.get();
        }

        void seen(boolean fromClient, Object msg) {
            if (seen != null && msg instanceof ByteBuf b) {
                seen.accept(fromClient, b);
            }
        }

        void setAutoRead(boolean on) {
            inbound.config().setAutoRead(on);
            Channel o = outbound;
            if (o != null) {
                o.config().setAutoRead(on);
            }
        }

        void reset() {
            resetChannel(inbound);
            Channel o = outbound;
            if (o != null) {
                resetChannel(o);
            }
        }

        String source() {
            return ((InetSocketAddress) inbound.remoteAddress()).getAddress().getHostAddress();
        }
    }

    private TcpProxy(String name, String bindHost, int port, InetSocketAddress target, String sourceAddress)
            throws InterruptedException {
        this.name = name;
        this.bindHost = bindHost;
        this.target = target;
        this.sourceAddress = sourceAddress;
        this.server = new ServerBootstrap().group(GROUP).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new Inbound());
                    }
                }).bind(bindHost, port).sync().channel();
    }

    /** Listens on 127.0.0.1:{@code port} (0 = any free port) and forwards to {@code target}. */
    public static TcpProxy start(String name, int port, InetSocketAddress target, String sourceAddress) {
        return start(name, "127.0.0.1", port, target, sourceAddress);
    }

    /** Listens on {@code bindHost:port} (0 = any free port) and forwards to {@code target}. */
    public static TcpProxy start(String name, String bindHost, int port, InetSocketAddress target, String sourceAddress) {
        try {
            return new TcpProxy(name, bindHost, port, target, sourceAddress);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static TcpProxy start(String name, InetSocketAddress target) {
        return start(name, 0, target, null);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String address() {
        return bindHost + ":" + port();
    }

    Mode mode() {
        return mode;
    }

    public int connections() {
        return pairs.size();
    }

    /**
     * Shows the bytes of every connection accepted from now on to an observer made per connection: (from the client?,
     * bytes, not to be consumed). For counting IPDR/SP frames on the path.
     */
    public void tap(Supplier<BiConsumer<Boolean, ByteBuf>> perConnection) {
        tap = perConnection;
    }

    /** Stops moving bytes both ways; connections stay open (TCP back-pressure builds up). New ones are held too. */
    public synchronized void pause() {
        mode = Mode.PAUSE;
        pairs.forEach(p -> p.setAutoRead(false));
    }

    /** Back to forwarding; paused connections continue where they stopped. */
    public synchronized void resume() {
        if (mode == Mode.BLACKHOLE) {
            pairs.forEach(Pair::reset); // their bytes were swallowed: the streams cannot continue, peers reconnect
        }
        mode = Mode.FORWARD;
        blockedSources.clear();
        for (Pair p : pairs) {
            if (p.outbound == null) {
                connectUpstream(p);
            } else {
                p.setAutoRead(true);
            }
        }
    }

    /** Resets every current connection (both sides); the mode for new connections is unchanged. */
    public synchronized void sever() {
        pairs.forEach(Pair::reset);
    }

    /** Accepts connections and discards everything they send, never answering: a hung peer. Existing ones too. */
    public synchronized void blackhole() {
        mode = Mode.BLACKHOLE;
        pairs.forEach(p -> p.inbound.config().setAutoRead(true));
        pairs.forEach(p -> {
            Channel o = p.outbound;
            if (o != null) {
                o.config().setAutoRead(false); // hold the target's answers: nothing reaches the client
            }
        });
    }

    /** Resets current connections and closes new ones at once (a dead port without the RST storm of a host). */
    public synchronized void refuse() {
        mode = Mode.REFUSE;
        sever();
    }

    /** Resets connections from {@code source} (an IP) and closes new ones from it until {@link #resume()}. */
    public synchronized void block(String source) {
        blockedSources.add(source);
        pairs.stream().filter(p -> p.source().equals(source)).forEach(Pair::reset);
    }

    /** Lets connections from {@code source} in again (others blocked stay blocked; the mode is unchanged). */
    public synchronized void unblock(String source) {
        blockedSources.remove(source);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        pairs.forEach(Pair::reset);
        pairs.clear();
    }

    @Override
    public String toString() {
        return "TcpProxy[" + name + " " + address() + " -> " + target + " " + mode + "]";
    }

    private void connectUpstream(Pair p) {
        Bootstrap b = new Bootstrap().group(p.inbound.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3000)
                .handler(new Outbound(p));
        ChannelFuture f = sourceAddress == null ? b.connect(target)
                : b.connect(target, new InetSocketAddress(sourceAddress, 0));
        p.outbound = f.channel();
        f.addListener((ChannelFutureListener) done -> {
            if (!done.isSuccess()) {
                closeChannel(p.inbound);
                return;
            }
            if (mode == Mode.FORWARD) {
                p.setAutoRead(true);
            } else if (mode == Mode.BLACKHOLE) {
                p.inbound.config().setAutoRead(true);
            }
        });
    }

    private final class Inbound extends ChannelInboundHandlerAdapter {
        private Pair pair;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            String source = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
            if (mode == Mode.REFUSE || blockedSources.contains(source)) {
                resetChannel(ctx.channel());
                return;
            }
            pair = new Pair(ctx.channel());
            pairs.add(pair);
            if (mode == Mode.BLACKHOLE) {
                ctx.channel().config().setAutoRead(true);
            } else if (mode == Mode.FORWARD) {
                connectUpstream(pair);
            } // PAUSE: held unconnected until resume()
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel out = pair == null ? null : pair.outbound;
            if (mode == Mode.BLACKHOLE || out == null || !out.isActive()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            pair.seen(true, msg);
            out.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    closeChannel(ctx.channel());
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (pair != null) {
                pairs.remove(pair);
                Channel out = pair.outbound;
                if (out != null) {
                    closeChannel(out);
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeChannel(ctx.channel());
        }
    }

    private final class Outbound extends ChannelInboundHandlerAdapter {
        private final Pair pair;

        Outbound(Pair pair) {
            this.pair = pair;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (mode == Mode.BLACKHOLE) {
                ReferenceCountUtil.release(msg);
                return;
            }
            pair.seen(false, msg);
            pair.inbound.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    closeChannel(ctx.channel());
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeChannel(pair.inbound);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeChannel(ctx.channel());
        }
    }

    /** Close after what was written is flushed (a peer that went away in order). */
    private static void closeChannel(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    /** Abortive close (RST): what a crashed host or a cut cable looks like to the peer sooner or later. */
    private static void resetChannel(Channel ch) {
        if (ch.isOpen()) {
            try {
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (io.netty.channel.ChannelException closing) {
                // closed concurrently: a plain close is all that is left
            }
            ch.close();
        }
    }

    public static void shutdownAll() {
        GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
