package io.ipdrsp.simulator;

import io.ipdrsp.protocol.Connect;
import io.ipdrsp.protocol.ErrorCodes;
import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.MessageCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP (or TLS) side of one CMTS: listens for collectors, or dials each of them and re-dials a lost one;
 * matches an accepted connection to a configured collector by source address, as a CMTS does. Event-loop
 * confined.
 */
final class CmtsTransport {
    private static final Logger LOG = LoggerFactory.getLogger(CmtsTransport.class);
    /** Arris answers unknown collectors with this vendor error. */
    private static final int COLLECTOR_NOT_CONFIGURED = 257;

    private final SimulatedCmts cmts;
    private final CmtsSpec spec;
    private final SslContext tls;
    private Channel server;
    private volatile int boundPort;

    CmtsTransport(SimulatedCmts cmts) {
        this.cmts = cmts;
        this.spec = cmts.spec;
        this.tls = TlsContexts.forCmts(spec);
    }

    int boundPort() {
        return boundPort;
    }

    String cmtsName() {
        return spec.name();
    }

    /** Binds the listener (LISTEN; the same port again after a reboot) or dials every collector (CONNECT). */
    void open(CompletableFuture<Void> started) {
        if (spec.direction() == Direction.LISTEN) {
            new ServerBootstrap().group(cmts.loop, cmts.loop).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new WireHandler.Init(this, null, tls, false))
                    .bind(spec.listenHost() == null ? "0.0.0.0" : spec.listenHost(),
                            boundPort != 0 ? boundPort : spec.listenPort())
                    .addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            server = f.channel();
                            boundPort = ((InetSocketAddress) server.localAddress()).getPort();
                            LOG.info("{} listening on {}{}", spec.name(), server.localAddress(),
                                    tls == null ? "" : " (TLS)");
                            started.complete(null);
                        } else {
                            started.completeExceptionally(f.cause());
                        }
                    });
        } else {
            for (CollectorLink l : cmts.links) {
                connect(l);
            }
            started.complete(null);
        }
    }

    /** Stops listening (connections are closed by their links). */
    void closeListener() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    void connect(CollectorLink l) {
        if (cmts.isStopped() || l.channel != null || l.connecting) {
            return;
        }
        long now = System.nanoTime();
        if (l.refuseUntil > now) {
            l.scheduleReconnect(l.refuseUntil - now);
            return;
        }
        l.connecting = true;
        Bootstrap b = new Bootstrap().group(cmts.loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3000)
                .handler(new WireHandler.Init(this, l, tls, spec.tls() != null && spec.tls().verifyHostname()));
        (spec.listenHost() == null ? b.connect(l.spec.host(), l.spec.port())
                : b.connect(new InetSocketAddress(l.spec.host(), l.spec.port()),
                        new InetSocketAddress(spec.listenHost(), 0)))
                .addListener((ChannelFutureListener) f -> {
                    l.connecting = false;
                    if (!f.isSuccess()) {
                        LOG.debug("{}: connect to {} failed: {}", spec.name(), l.spec.name(), f.cause().toString());
                        l.scheduleReconnect(spec.reconnectDelay().toNanos());
                    }
                });
    }

    /** A new connection is up; {@code outbound} is the link we dialled, null for an accepted one. */
    void channelActive(Channel ch, CollectorLink outbound) {
        long now = System.nanoTime();
        if (outbound != null) {
            if (cmts.isStopped()) {
                ch.close();
                return;
            }
            outbound.attach(ch, now);
            InetSocketAddress local = (InetSocketAddress) ch.localAddress();
            // initiatorId: the CMTS's own address, which is the connection's unless it is behind a NAT
            int initiator = spec.initiatorAddress() != null ? cmts.identity().ipv4()
                    : SimulatedCmts.ipv4Int(local.getAddress());
            outbound.send(new Connect(initiator, local.getPort(),
                    spec.capabilities(), spec.keepAliveSeconds(), spec.vendorId()));
            outbound.state = CollectorLink.State.AWAIT_CONNECT_RESPONSE;
            return;
        }
        InetAddress remote = ((InetSocketAddress) ch.remoteAddress()).getAddress();
        CollectorLink match = null;
        for (CollectorLink l : cmts.links) {
            if (l.channel == null && l.matches(remote)) {
                match = l;
                break;
            }
        }
        if (match == null || cmts.isStopped()) {
            ch.writeAndFlush(MessageCodec.encode(new ErrorMessage(0, System.currentTimeMillis() / 1000, false,
                    COLLECTOR_NOT_CONFIGURED, "collector not configured"), ch.alloc()))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (match.refuseUntil > now) {
            ch.close();
            return;
        }
        match.attach(ch, now);
        match.state = CollectorLink.State.AWAIT_CONNECT;
    }

    void channelInactive(CollectorLink l, Channel ch) {
        if (l == null || l.channel != ch) {
            return;
        }
        LOG.info("{}: connection to {} closed", spec.name(), l.spec.name());
        l.detach();
        for (SessionRuntime s : cmts.sessions.values()) {
            s.pump(System.nanoTime());
        }
        if (spec.direction() == Direction.CONNECT && !cmts.isStopped()) {
            l.scheduleReconnect(spec.reconnectDelay().toNanos());
        }
    }

    void writabilityChanged(CollectorLink l) {
        if (l != null && l.channel != null && l.channel.isWritable()) {
            for (SessionRuntime s : cmts.sessions.values()) {
                if (s.active == l) {
                    s.pump(System.nanoTime());
                }
            }
        }
    }

    void onMessage(CollectorLink l, IpdrMessage m) {
        cmts.protocol.onMessage(l, m);
    }

    void decodeFailed(CollectorLink l, Channel ch, String why) {
        LOG.warn("{}: undecodable message from {}: {}", spec.name(), l == null ? ch.remoteAddress() : l.spec.name(),
                why);
        ch.writeAndFlush(MessageCodec.encode(new ErrorMessage(0, System.currentTimeMillis() / 1000, false,
                ErrorCodes.MESSAGE_DECODE_ERROR, why), ch.alloc())).addListener(ChannelFutureListener.CLOSE);
    }
}
