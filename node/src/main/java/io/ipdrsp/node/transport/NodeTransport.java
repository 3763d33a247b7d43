package io.ipdrsp.node.transport;

import io.ipdrsp.node.config.AddressMatcher;
import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.config.FleetConfig;
import io.ipdrsp.node.config.ListenConfig;
import io.ipdrsp.node.fleet.ExporterDirectory;
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
 * (matched to configured exporters by source address, or admitted by {@code listen.allow} and named by their
 * CONNECT; others get ERROR and are closed) and a {@link Connector} per CMTS the node dials, configured or from the
 * inventory file. Every channel gets the {@link IpdrPipeline}.
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
    /** The CMTSes this node dials, by name: configured ones, then the inventory's (changed by {@link #inventory}). */
    private final Map<String, Connector> connectors = new ConcurrentHashMap<>();
    /** The inventory's CMTSes now, by name (guarded by this). */
    private Map<String, ExporterConfig> inventory = Map.of();
    private final ExporterDirectory directory;
    private final RangeAdmission admission;
    private volatile boolean started;
    private final Collection<Channel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;
    private Channel server;

    public NodeTransport(NodeContext ctx, ListenConfig listen, List<ExporterConfig> configured, int ioThreads) {
        this(ctx, listen, new FleetConfig(), new ExporterDirectory(
                configured.stream().map(ExporterConfig::getName).toList()), configured, ioThreads);
    }

    /**
     * @param fleet     how CMTSes admitted by {@code listen.allow} are named
     * @param directory learns the names of CMTSes admitted by range and of the inventory's CMTSes
     */
    public NodeTransport(NodeContext ctx, ListenConfig listen, FleetConfig fleet, ExporterDirectory directory,
                         List<ExporterConfig> configured, int ioThreads) {
        this.listen = listen;
        this.allow = AddressMatcher.parse(listen.getAllow());
        this.group = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("ipdr-io", true));
        this.pipeline = new IpdrPipeline(ctx);
        this.directory = directory;
        this.admission = new RangeAdmission(fleet, directory, exporters, current, this::replace);
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
                connectors.put(e.getName(), connector(st));
            }
        }
    }

    private Connector connector(ExporterState st) {
        return new Connector(st, group, pipeline, this::connected, () -> stopped);
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
        synchronized (this) {
            started = true;
            for (Connector c : connectors.values()) {
                c.connect();
            }
        }
        return port;
    }

    /** Every exporter known to the node: configured ones, the inventory's, and those admitted by range. */
    public Collection<ExporterState> exporters() {
        List<ExporterState> out = new ArrayList<>(exporters.values());
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    /**
     * A CMTS dialed in: matched by source address to a configured CMTS; else, from an address in {@code listen.allow},
     * named by its CONNECT ({@link RangeAdmission}); else refused.
     */
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
        if (st != null) {
            replace(st, ch);
            pipeline.session(ch, st, false, null);
        } else if (allow.allows(peer)) {
            pipeline.admitted(ch, admission.standIn(peer.getHostAddress()), admission);
        } else {
            pipeline.refused(ch, REFUSED, "exporter " + peer.getHostAddress() + " is not configured on this collector");
        }
    }

    /**
     * The inventory file's CMTSes now: new ones are dialed, removed ones disconnected (DISCONNECT) and no longer
     * redialed, changed ones (address, port, local address) redialed at the new place. Names under
     * {@code exporters} are never in it (the file is refused).
     */
    public synchronized void inventory(List<ExporterConfig> now) {
        Map<String, ExporterConfig> next = new LinkedHashMap<>();
        now.forEach(e -> next.put(e.getName(), e));
        List<String> removed = new ArrayList<>();
        List<String> added = new ArrayList<>();
        for (ExporterConfig was : inventory.values()) {
            ExporterConfig is = next.get(was.getName());
            if (is == null || !sameEndpoint(was, is)) {
                Connector c = connectors.remove(was.getName());
                if (c != null) {
                    c.remove();
                }
                exporters.remove(was.getName());
                removed.add(was.getName());
            }
        }
        for (ExporterConfig e : next.values()) {
            if (!connectors.containsKey(e.getName())) {
                ExporterState st = new ExporterState(e);
                exporters.put(e.getName(), st);
                Connector c = connector(st);
                connectors.put(e.getName(), c);
                added.add(e.getName());
                if (started) {
                    c.connect();
                }
            }
        }
        inventory = next;
        directory.inventory(next.keySet());
        if (!removed.isEmpty() || !added.isEmpty()) {
            LOG.info("inventory: {} CMTSes; dialing {} new or moved, {} removed or moved{}", next.size(), added.size(),
                    removed.size(), added.size() + removed.size() <= 10 ? " (+" + added + " -" + removed + ")" : "");
        }
    }

    private static boolean sameEndpoint(ExporterConfig a, ExporterConfig b) {
        return a.getAddress().equals(b.getAddress()) && a.getPort() == b.getPort()
                && a.getLocalAddress().equals(b.getLocalAddress()) && a.getKeepAliveSeconds() == b.getKeepAliveSeconds();
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
