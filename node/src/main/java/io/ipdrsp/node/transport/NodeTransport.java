package io.ipdrsp.node.transport;

import io.ipdrsp.node.config.AddressMatcher;
import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.config.ListenConfig;
import io.ipdrsp.node.session.ConnectionHandler;
import io.ipdrsp.node.session.ExporterState;
import io.ipdrsp.node.session.NodeContext;
import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.MessageCodec;
import io.netty.bootstrap.Bootstrap;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's Netty transport: one event loop group for all CMTSes, a listen socket for CMTSes that dial in
 * (matched to configured exporters by source address; others get ERROR and are closed) and a connector per CMTS
 * the node dials, re-established with jittered exponential back-off.
 */
public final class NodeTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeTransport.class);

    private final NodeContext ctx;
    private final ListenConfig listen;
    private final AddressMatcher allow;
    private final EventLoopGroup group;
    private final Map<String, ExporterState> exporters = new ConcurrentHashMap<>();
    private final Map<InetAddress, ExporterState> listeners = new LinkedHashMap<>();
    private final Map<ExporterState, Channel> current = new ConcurrentHashMap<>();
    private final List<Connector> connectors = new ArrayList<>();
    private final Collection<Channel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;
    private Channel server;

    public NodeTransport(NodeContext ctx, ListenConfig listen, List<ExporterConfig> configured, int ioThreads) {
        this.ctx = ctx;
        this.listen = listen;
        this.allow = AddressMatcher.parse(listen.getAllow());
        this.group = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("ipdr-io", true));
        for (ExporterConfig e : configured) {
            ExporterState st = new ExporterState(e);
            exporters.put(e.getName(), st);
            if (e.getDirection() == Direction.LISTEN) {
                try {
                    listeners.put(InetAddress.getByName(e.getAddress().trim()), st);
                } catch (UnknownHostException ex) {
                    throw new IllegalArgumentException("exporter " + e.getName() + ": bad address " + e.getAddress());
                }
            } else {
                connectors.add(new Connector(st));
            }
        }
    }

    /** Binds the listen socket (if enabled) and starts dialing; returns the bound port, or -1 if not listening. */
    public int start() throws InterruptedException {
        int port = -1;
        if (listen.isEnabled()) {
            ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            accept(ch);
                        }
                    });
            server = b.bind(listen.getAddress().trim(), listen.getPort()).sync().channel();
            port = ((InetSocketAddress) server.localAddress()).getPort();
            LOG.info("listening for CMTSes on {}", server.localAddress());
        }
        for (Connector c : connectors) {
            c.connect();
        }
        return port;
    }

    /** Every exporter known to the node: configured ones, then those admitted by the allow-list. */
    public Collection<ExporterState> exporters() {
        List<ExporterState> out = new ArrayList<>(exporters.values());
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    private void accept(SocketChannel ch) {
        listen.getTls().addTo(ch, null, 0); // IPDR/SP over TLS when listen.tls is enabled (issue 16)
        InetAddress peer = ch.remoteAddress().getAddress();
        ExporterState st = listeners.get(peer);
        if (st == null) {
            byte[] a = peer.getAddress();
            if (a.length == 16) {
                try {
                    st = listeners.get(InetAddress.getByAddress(normalizeMapped(a)));
                } catch (UnknownHostException ignored) {
                    // not an IPv4-mapped address
                }
            }
        }
        boolean dynamic = false;
        if (st == null && allow.allows(peer)) {
            // not configured but on the allow-list (e.g. the embedded default): collect under its address
            String name = peer.getHostAddress();
            st = exporters.computeIfAbsent(name, n -> new ExporterState(
                    new ExporterConfig(n, n, ch.remoteAddress().getPort(), Direction.LISTEN)));
            dynamic = true;
        }
        if (st == null) {
            LOG.warn("refusing IPDR/SP connection from {}: not a configured CMTS and not in listen.allow", peer);
            ch.pipeline().addLast(new Refuse("exporter " + peer.getHostAddress() + " is not configured on this collector"));
            return;
        }
        if (!dynamic) {
            Channel previous = current.put(st, ch);
            if (previous != null && previous.isActive()) {
                LOG.info("{}: new connection from {} replaces {}", st.name(), ch.remoteAddress(), previous.remoteAddress());
                previous.close();
            }
        }
        install(ch, st, false, null);
    }

    private static byte[] normalizeMapped(byte[] a) {
        return new byte[] {a[12], a[13], a[14], a[15]};
    }

    private void install(Channel ch, ExporterState st, boolean initiator, Connector connector) {
        open.add(ch);
        ch.closeFuture().addListener(f -> open.remove(ch));
        ch.pipeline().addLast("frames", new FrameDecoder(ctx.identity().getMaxMessageLength()));
        ch.pipeline().addLast("ipdr", new ConnectionHandler(ctx, st, initiator,
                connector == null ? null : h -> connector.backoff.reset()));
    }

    /** Sends ERROR (connection-level) as soon as the refused connection is up, then closes it. */
    private static final class Refuse extends ChannelInboundHandlerAdapter {
        private final String why;

        Refuse(String why) {
            this.why = why;
        }

        @Override
        public void channelActive(ChannelHandlerContext c) {
            c.channel().config().setAutoRead(false);
            c.writeAndFlush(MessageCodec.encode(new ErrorMessage(0, System.currentTimeMillis() / 1000, false, 256, why),
                    c.alloc())).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Dials one CMTS and keeps dialing while the node runs. */
    private final class Connector {
        final ExporterState exporter;
        final Backoff backoff;

        Connector(ExporterState exporter) {
            this.exporter = exporter;
            this.backoff = new Backoff(exporter.config().getReconnectMinMillis(), exporter.config().getReconnectMaxMillis());
        }

        void connect() {
            if (stopped) {
                return;
            }
            exporter.linkChanged(ExporterState.Link.CONNECTING, null);
            Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            exporter.config().getTls().addTo(ch, exporter.config().getAddress().trim(), // TLS: issue 16
                                    exporter.config().getPort());
                            install(ch, exporter, true, Connector.this);
                        }
                    });
            String local = exporter.config().getLocalAddress().trim();
            // a listening CMTS matches its collectors by source address: dial from the configured one
            ChannelFuture f = local.isEmpty()
                    ? b.connect(exporter.config().getAddress().trim(), exporter.config().getPort())
                    : b.connect(new InetSocketAddress(exporter.config().getAddress().trim(), exporter.config().getPort()),
                            new InetSocketAddress(local, 0));
            f.addListener((ChannelFuture done) -> {
                if (!done.isSuccess()) {
                    exporter.linkChanged(ExporterState.Link.DISCONNECTED, null);
                    retry("connect failed: " + done.cause());
                    return;
                }
                current.put(exporter, done.channel());
                done.channel().closeFuture().addListener(x -> retry("connection closed"));
            });
        }

        void retry(String why) {
            if (stopped) {
                return;
            }
            long delay = backoff.nextDelayMillis();
            LOG.debug("{}: {}; reconnecting in {} ms", exporter.name(), why, delay);
            group.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        stopped = true;
        for (Channel ch : open) {
            ConnectionHandler h = ch.pipeline().get(ConnectionHandler.class);
            if (h != null) {
                h.disconnect();
            }
        }
        try {
            for (Channel ch : new ArrayList<>(open)) {
                ch.closeFuture().await(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (server != null) {
            server.close().awaitUninterruptibly(2000);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5000);
    }
}
