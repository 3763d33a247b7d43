package io.ipdrsp.node.transport;

import io.ipdrsp.node.session.ExporterState;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dials one CMTS and keeps dialing while the node runs: after a failed dial or a closed connection it waits the
 * jittered exponential reconnect delay, or the CMTS's protocol-failure back-off if that is longer (a CMTS whose
 * records this node cannot take is not redialed in a loop). A completed handshake resets the reconnect delay.
 */
final class Connector {
    private static final Logger LOG = LoggerFactory.getLogger(Connector.class);

    private final ExporterState exporter;
    private final EventLoopGroup group;
    private final IpdrPipeline pipeline;
    private final BiConsumer<ExporterState, io.netty.channel.Channel> connected;
    private final BooleanSupplier stopped;
    private final Backoff backoff;
    /** Taken out of the inventory: no more dials, the connection closed. */
    private volatile boolean removed;
    private volatile io.netty.channel.Channel channel;

    /** @param connected told of each connection that came up (the transport tracks the current one per CMTS) */
    Connector(ExporterState exporter, EventLoopGroup group, IpdrPipeline pipeline,
              BiConsumer<ExporterState, io.netty.channel.Channel> connected, BooleanSupplier stopped) {
        this.exporter = exporter;
        this.group = group;
        this.pipeline = pipeline;
        this.connected = connected;
        this.stopped = stopped;
        this.backoff = new Backoff(exporter.config().getReconnectMinMillis(), exporter.config().getReconnectMaxMillis());
    }

    void connect() {
        if (stopped.getAsBoolean() || removed) {
            return;
        }
        exporter.dialing(true);
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // IPDR/SP over TLS when exporters[].tls is enabled: first in the pipeline
                        exporter.config().getTls().addTo(ch, exporter.config().getAddress().trim(),
                                exporter.config().getPort());
                        pipeline.session(ch, exporter, true, backoff::reset);
                    }
                });
        String address = exporter.config().getAddress().trim();
        String local = exporter.config().getLocalAddress().trim();
        // a listening CMTS matches its collectors by source address: dial from the configured one
        ChannelFuture f = local.isEmpty() ? b.connect(address, exporter.config().getPort())
                : b.connect(new InetSocketAddress(address, exporter.config().getPort()), new InetSocketAddress(local, 0));
        f.addListener((ChannelFuture done) -> {
            if (!done.isSuccess()) {
                exporter.dialing(false);
                retry("connect failed: " + done.cause());
                return;
            }
            channel = done.channel();
            if (removed) {
                done.channel().close(); // removed while the dial was under way
                return;
            }
            connected.accept(exporter, done.channel());
            done.channel().closeFuture().addListener(x -> retry("connection closed"));
        });
    }

    /** The reconnect delay, or what is left of the CMTS's protocol-failure back-off if that is longer. */
    long nextDelayMillis() {
        return Math.max(backoff.nextDelayMillis(), exporter.failures().remainingMillis());
    }

    /** The CMTS left the inventory: DISCONNECT and close its connection, never dial it again. Any thread. */
    void remove() {
        removed = true;
        io.netty.channel.Channel ch = channel;
        if (ch != null) {
            io.ipdrsp.node.session.Connection c = io.ipdrsp.node.session.Connection.of(ch);
            if (c != null) {
                c.disconnect();
            } else {
                ch.close();
            }
        }
    }

    private void retry(String why) {
        if (stopped.getAsBoolean() || removed) {
            return;
        }
        long delay = nextDelayMillis();
        LOG.debug("{}: {}; reconnecting in {} ms", exporter.name(), why, delay);
        group.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }
}
