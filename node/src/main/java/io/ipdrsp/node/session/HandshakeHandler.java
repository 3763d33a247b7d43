package io.ipdrsp.node.session;

import io.ipdrsp.node.transport.KeepAliveHandler;
import io.ipdrsp.protocol.Connect;
import io.ipdrsp.protocol.ConnectResponse;
import io.ipdrsp.protocol.ErrorCodes;
import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.Framing;
import io.ipdrsp.protocol.GetSessions;
import io.ipdrsp.protocol.GetSessionsResponse;
import io.ipdrsp.protocol.IpdrMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection-level handshake (digest §1.9 steps 1–2): the side that opened TCP sends CONNECT and the other
 * answers CONNECT_RESPONSE; the node then asks GET_SESSIONS. On GET_SESSIONS_RESPONSE the handler replaces itself in
 * the pipeline with the {@link SessionDispatcher}, which starts the wanted sessions. Anything else before that is
 * invalid for the state (ERROR 2), except KEEP_ALIVE, ERROR and DISCONNECT. A connection admitted by address range
 * learns its CMTS from the CONNECT ({@link Admission}: refused with ERROR when the CONNECT names nobody or a CMTS
 * that is connected from elsewhere). While the CMTS's protocol-failure back-off runs, its CONNECT is refused with
 * ERROR before any session starts.
 */
public final class HandshakeHandler extends IpdrInboundHandler {
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeHandler.class);
    /** ERROR code of a refused connection (vendor-specific range, as the listen side's other refusals). */
    static final int REFUSED = 256;

    enum State { AWAIT_CONNECT, AWAIT_CONNECT_RESPONSE, AWAIT_SESSIONS }

    private final Runnable onEstablished;
    private State state;
    private int requestId = 1;

    /** @param onEstablished run once CONNECT/CONNECT_RESPONSE are exchanged (resets the redial back-off), or null */
    public HandshakeHandler(Connection conn, Runnable onEstablished) {
        super(conn);
        this.onEstablished = onEstablished;
        this.state = conn.initiator ? State.AWAIT_CONNECT_RESPONSE : State.AWAIT_CONNECT;
    }

    State state() {
        return state;
    }

    @Override
    public void channelActive(ChannelHandlerContext c) {
        conn.active();
        if (conn.initiator) {
            InetSocketAddress local = c.channel().localAddress() instanceof InetSocketAddress a ? a : null;
            int initiatorId = local != null && local.getAddress() instanceof Inet4Address a4
                    ? ByteBuffer.wrap(a4.getAddress()).getInt() : 0;
            conn.send(new Connect(initiatorId, local == null ? 0 : local.getPort(), conn.offeredCapabilities(),
                    conn.config.getKeepAliveSeconds(), conn.ctx.identity().getVendorId()));
        }
        c.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        conn.inactive();
        LOG.debug("{}: connection {} closed during the handshake ({})", conn.exporter.name(), conn.remote(), state);
        c.fireChannelInactive();
    }

    @Override
    void onData(ByteBuf frame) {
        conn.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "DATA for session " + Framing.sessionId(frame)
                + " before the handshake completed");
    }

    @Override
    void onMessage(ChannelHandlerContext c, IpdrMessage m) {
        switch (m.type()) {
            case CONNECT -> onConnect(c, (Connect) m);
            case CONNECT_RESPONSE -> onConnectResponse(c, (ConnectResponse) m);
            case GET_SESSIONS_RESPONSE -> onSessions(c, (GetSessionsResponse) m);
            case KEEP_ALIVE -> {
                // the idle detector already saw the read
            }
            case ERROR -> conn.onError((ErrorMessage) m);
            case DISCONNECT -> conn.onDisconnect();
            case REQUEST, RESPONSE -> LOG.debug("{}: skipping {}", conn.exporter.name(), m.type());
            default -> conn.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE, m.type() + (state == State.AWAIT_SESSIONS
                    ? " for session " + m.sessionId() + " that was not started with FLOW_START"
                    : " before CONNECT/CONNECT_RESPONSE"));
        }
    }

    private void onConnect(ChannelHandlerContext c, Connect m) {
        if (conn.initiator || state != State.AWAIT_CONNECT) {
            conn.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "CONNECT from the side that did not open TCP or twice");
            return;
        }
        Admission admission = conn.admission();
        if (admission != null) {
            // admitted by address range: the CMTS is who its CONNECT says, not where its packets come from
            Admission.Result r = admission.admit(m, c.channel());
            if (r.exporter() == null) {
                conn.refuse(REFUSED, r.refusal());
                return;
            }
            conn.identify(r.exporter());
        }
        long wait = conn.exporter.failures().remainingMillis();
        if (wait > 0) {
            conn.refuse(REFUSED, "refused for " + (wait + 999) / 1000
                    + " s more: " + conn.exporter.failures().consecutive() + " connections in a row ended in"
                    + " protocol errors (see the collector's log)");
            return;
        }
        int negotiated = m.capabilities() & conn.offeredCapabilities();
        conn.send(new ConnectResponse(negotiated, conn.config.getKeepAliveSeconds(),
                conn.ctx.identity().getVendorId()));
        established(c, negotiated, m.vendorId(), m.keepAliveInterval());
    }

    private void onConnectResponse(ChannelHandlerContext c, ConnectResponse m) {
        if (!conn.initiator || state != State.AWAIT_CONNECT_RESPONSE) {
            conn.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "unexpected CONNECT_RESPONSE");
            return;
        }
        // bits the exporter echoes but we did not offer have no effect (SP 2.1 §4.1)
        established(c, m.capabilities() & conn.offeredCapabilities(), m.vendorId(), m.keepAliveInterval());
    }

    private void established(ChannelHandlerContext c, int negotiated, String vendorId, int peerKeepAliveSeconds) {
        conn.established(negotiated, vendorId, peerKeepAliveSeconds);
        KeepAliveHandler keepAlive = c.pipeline().get(KeepAliveHandler.class);
        if (keepAlive != null) {
            keepAlive.peerInterval(c.pipeline(), peerKeepAliveSeconds);
        }
        state = State.AWAIT_SESSIONS;
        conn.send(new GetSessions(requestId++ & 0xFFFF));
        if (onEstablished != null) {
            onEstablished.run();
        }
    }

    private void onSessions(ChannelHandlerContext c, GetSessionsResponse m) {
        if (state != State.AWAIT_SESSIONS) {
            conn.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "GET_SESSIONS_RESPONSE before CONNECT/CONNECT_RESPONSE");
            return;
        }
        SessionDispatcher sessions = new SessionDispatcher(conn);
        c.pipeline().replace(this, "sessions", sessions);
        sessions.start(m);
    }
}
