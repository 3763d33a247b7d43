package io.ipdrsp.node.transport;

import io.ipdrsp.node.config.AddressMatcher;
import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.config.ListenConfig;
import io.ipdrsp.node.session.Connection;
import io.ipdrsp.node.session.ExporterState;
import io.ipdrsp.node.session.NodeContext;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
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
 * (matched to configured exporters by source address; others get ERROR and are closed) and a {@link Connector} per
 * CMTS the node dials. Every channel gets the {@link IpdrPipeline}.
 */
public final class NodeTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeTransport.class);
    /** ERROR code of a refused connection (vendor-specific range). */
    private static final int REFUSED = 256;

    private final ListenConfig listen;
    private final AddressMatcher allow;
    private final EventLoopGroup group;
    private final IpdrPipeline pipeline;
    private final Map<String, ExporterState> exporters = new ConcurrentHashMap<>();
    private final Map<InetAddress, ExporterState> listeners = new LinkedHashMap<>();
    private final Map<ExporterState, Channel> current = new ConcurrentHashMap<>();
    private final List<Connector> connectors = new ArrayList<>();
    private final Collection<Channel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;
    private Channel server;

    public NodeTransport(NodeContext ctx, ListenConfig listen, List<ExporterConfig> configured, int ioThreads) {
        this.listen = listen;
        this.allow = AddressMatcher.parse(listen.getAllow());
        this.group = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("ipdr-io", true));
        this.pipeline = new IpdrPipeline(ctx);
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
                connectors.add(new Connector(st, group, pipeline, this::connected, () -> stopped));
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

    /** A CMTS dialed in: matched by source address to a configured CMTS, or admitted by the allow-list, or refused. */
    private void accept(SocketChannel ch) {
        track(ch);
        listen.getTls().addTo(ch, null, 0); // IPDR/SP over TLS when listen.tls is enabled: first in the pipeline
        InetAddress peer = ch.remoteAddress().getAddress();
        ExporterState st = listeners.get(peer);
        if (st == null && peer.getAddress().length == 16) {
            byte[] a = peer.getAddress();
            try {
                st = listeners.get(InetAddress.getByAddress(new byte[] {a[12], a[13], a[14], a[15]}));
            } catch (UnknownHostException ignored) {
                // not an IPv4-mapped address
            }
        }
        if (st == null && allow.allows(peer)) {
            // not configured but on the allow-list (e.g. the embedded default): collect under its address
            String name = peer.getHostAddress();
            st = exporters.computeIfAbsent(name, n -> new ExporterState(
                    new ExporterConfig(n, n, ch.remoteAddress().getPort(), Direction.LISTEN)));
        } else if (st != null) {
            replace(st, ch);
        }
        if (st == null) {
            pipeline.refused(ch, REFUSED, "exporter " + peer.getHostAddress() + " is not configured on this collector");
            return;
        }
        pipeline.session(ch, st, false, null);
    }

    /** A dialed connection came up. */
    private void connected(ExporterState st, Channel ch) {
        track(ch);
        replace(st, ch);
    }

    private void track(Channel ch) {
        open.add(ch);
        ch.closeFuture().addListener(f -> open.remove(ch));
    }

    /** The newest connection of a configured CMTS replaces an older one still open. */
    private void replace(ExporterState st, Channel ch) {
        Channel previous = current.put(st, ch);
        if (previous != null && previous != ch && previous.isActive()) {
            LOG.info("{}: new connection from {} replaces {}", st.name(), ch.remoteAddress(), previous.remoteAddress());
            previous.close();
        }
    }

    @Override
    public void close() {
        stopped = true;
        for (Channel ch : open) {
            Connection c = Connection.of(ch);
            if (c != null) {
                c.disconnect();
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
