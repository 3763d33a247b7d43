package io.ipdrsp.node.session;

import io.ipdrsp.node.config.Capability;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.transport.ProtocolErrors;
import io.ipdrsp.node.transport.RateLimitedLog;
import io.ipdrsp.protocol.Disconnect;
import io.ipdrsp.protocol.ErrorCodes;
import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.IpdrMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection to one CMTS, as the handshake handler and then the session dispatcher see it: the negotiated
 * parameters, sending (through the pipeline's encoder), failing with ERROR, and the connection's part in the CMTS's
 * shared state (link, protocol-failure back-off). Event-loop confined except {@link #disconnect()}.
 */
public final class Connection {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final AttributeKey<Connection> KEY = AttributeKey.valueOf("ipdr.connection");
    private static final String DEFAULT_HINT = "exporters[].ipv6Raw and exporters[].capabilities against the"
            + " exporter's encoding and templates";

    final NodeContext ctx;
    /** The CMTS; for a connection admitted by range, a stand-in until its CONNECT names it ({@link #identify}). */
    ExporterState exporter;
    ExporterConfig config;
    /** Non-null while a connection admitted by range waits for the CONNECT that tells who it is. */
    private Admission admission;
    final boolean initiator;
    final Channel channel;
    final ReadThrottle throttle;
    int capabilities;
    private boolean established;
    private long establishedNanos;
    private boolean healthyReported;
    private boolean closed;
    private boolean wroteSinceFlush;

    /** @param initiator true when this node opened the TCP connection (it then sends CONNECT) */
    public Connection(NodeContext ctx, ExporterState exporter, boolean initiator, Channel channel) {
        this(ctx, exporter, initiator, channel, null);
    }

    /**
     * A connection whose CMTS {@code admission} decides at CONNECT; until then {@code exporter} stands in for it (its
     * keep-alive and capabilities, the connection's errors).
     */
    public Connection(NodeContext ctx, ExporterState exporter, boolean initiator, Channel channel,
                      Admission admission) {
        this.admission = admission;
        this.ctx = ctx;
        this.exporter = exporter;
        this.config = exporter.config();
        this.initiator = initiator;
        this.channel = channel;
        this.throttle = new ReadThrottle(channel, ctx.sink(), ctx.storage().getMaxInFlightPerConnection(),
                ctx.storage().getMaxInFlight(), ctx.paused());
        channel.attr(KEY).set(this);
    }

    /** The CMTS this connection belongs to (a stand-in until an admitted connection's CONNECT). */
    public ExporterState exporter() {
        return exporter;
    }

    /** The admission that will name this connection's CMTS at CONNECT, or null once named (or configured). */
    Admission admission() {
        return admission;
    }

    /** The CONNECT named the CMTS: the connection moves from the stand-in to the CMTS's own state. */
    void identify(ExporterState named) {
        admission = null;
        exporter.detach(this);
        exporter = named;
        config = named.config();
        named.attach(this, remote());
    }

    /** The connection of a channel set up by the node's pipeline, or null. */
    public static Connection of(Channel ch) {
        return ch.attr(KEY).get();
    }

    long now() {
        return ctx.nanoClock().getAsLong();
    }

    int offeredCapabilities() {
        return Capability.mask(config.getCapabilities());
    }

    boolean has(Capability c) {
        return (capabilities & c.bit()) != 0;
    }

    void active() {
        ctx.metrics().connections.inc();
        exporter.attach(this, remote());
    }

    void inactive() {
        closed = true;
        ctx.metrics().connections.dec();
        exporter.detach(this);
        throttle.closed();
    }

    /** CONNECT/CONNECT_RESPONSE exchanged. */
    void established(int negotiated, String vendorId, int peerKeepAliveSeconds) {
        capabilities = negotiated;
        established = true;
        establishedNanos = now();
        exporter.capabilities = negotiated;
        exporter.linkChanged(this, ExporterState.Link.CONNECTED, remote());
        LOG.info("{}: connected to {} (vendor '{}', capabilities 0x{}, keep-alive peer {} s / own {} s)",
                exporter.name(), remote(), vendorId, Integer.toHexString(negotiated), peerKeepAliveSeconds,
                config.getKeepAliveSeconds());
    }

    boolean isClosed() {
        return closed || !channel.isActive();
    }

    void send(IpdrMessage m) {
        if (channel.isActive()) {
            channel.writeAndFlush(m, channel.voidPromise());
        }
    }

    /** Bad input from the CMTS: ERROR {@code code} and close; other connections keep flowing. */
    void fail(int code, String why) {
        fail(code, why, DEFAULT_HINT);
    }

    /** As {@link #fail(int, String)} for a decode error, naming the switch that most likely explains it. */
    void failDecode(String why, String hint) {
        fail(ErrorCodes.MESSAGE_DECODE_ERROR, why, hint);
    }

    private void fail(int code, String why, String hint) {
        if (closed) {
            return;
        }
        closed = true;
        boolean theCmtsFault = code == ErrorCodes.MESSAGE_INVALID_FOR_CAPABILITIES
                || code == ErrorCodes.MESSAGE_INVALID_FOR_STATE || code == ErrorCodes.MESSAGE_DECODE_ERROR;
        if (established && theCmtsFault) {
            exporter.failures().failed(code == ErrorCodes.MESSAGE_DECODE_ERROR, why, hint);
        }
        ctx.errors().send(channel, exporter, code, why);
    }

    /** Refuses the CMTS (not its fault in the protocol sense: no back-off is counted), then closes. */
    void refuse(int code, String why) {
        if (!closed) {
            closed = true;
            ctx.errors().send(channel, exporter, code, why);
        }
    }

    /** A DATA_ACK went out: a session that works for a while ends the CMTS's protocol-failure back-off. */
    void acked() {
        if (!healthyReported && now() - establishedNanos >= ProtocolFailures.HEALTHY_MILLIS * 1_000_000L) {
            healthyReported = true;
            exporter.failures().healthy();
        }
    }

    /** A record was handed to the sink during this read. */
    void wrote() {
        wroteSinceFlush = true;
    }

    /** The end of a socket read: send the batches this read filled instead of waiting for their linger. */
    void readComplete() {
        if (wroteSinceFlush) {
            wroteSinceFlush = false;
            ctx.sink().flush();
        }
    }

    /** An ERROR the CMTS sent; a connection-level one ends the connection (the sender closes too, SP 2.1 §4.2.1). */
    void onError(ErrorMessage m) {
        exporter.errorsReceived.increment();
        ctx.metrics().errorsReceived.inc();
        String text = "ERROR " + m.errorCode() + " (" + ErrorCodes.name(m.errorCode()) + ") from exporter"
                + (m.sessionSpecific() ? " for session " + m.sessionId() : "") + ": " + m.description();
        exporter.error(text);
        long skipped = ctx.errors().limiter().admit(exporter.name());
        if (skipped >= 0) {
            LOG.warn("{}: {}{}", exporter.name(), text, RateLimitedLog.suppressed(skipped));
        }
        if (!m.sessionSpecific()) {
            closed = true;
            channel.close();
        }
    }

    /** An I/O failure (connection reset, TLS): logged (bounded per CMTS), shown as lastError, connection closed. */
    void exceptionCaught(Throwable cause) {
        long skipped = ctx.errors().limiter().admit(exporter.name());
        if (skipped >= 0) {
            LOG.warn("{}: connection error from {}: {}{}", exporter.name(), ProtocolErrors.peer(channel),
                    cause.toString(), RateLimitedLog.suppressed(skipped));
        }
        exporter.error(cause.toString());
        closed = true;
        channel.close();
    }

    /** DISCONNECT from the CMTS. */
    void onDisconnect() {
        LOG.info("{}: DISCONNECT received", exporter.name());
        closed = true;
        channel.close();
    }

    /** Closes the connection politely (node shutdown): DISCONNECT, then close. Any thread. */
    public void disconnect() {
        if (channel.isActive()) {
            channel.eventLoop().execute(() -> {
                closed = true;
                channel.writeAndFlush(new Disconnect()).addListener(ChannelFutureListener.CLOSE);
            });
        }
    }

    String remote() {
        return channel.remoteAddress() == null ? "" : channel.remoteAddress().toString();
    }
}
