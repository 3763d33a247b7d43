package io.ipdrsp.node.session;

import io.ipdrsp.node.config.Capability;
import io.ipdrsp.protocol.ErrorCodes;
import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.Framing;
import io.ipdrsp.protocol.GetSessionsResponse;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.MessageType;
import io.ipdrsp.protocol.SessionBlock;
import io.ipdrsp.protocol.StartNegotiationReject;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steady state of a connection after the handshake: each message goes to its session by the message type (a
 * switch on the type, DATA read in place from its frame), and the end of a socket read flushes what it handed to the
 * sink. Messages only a collector sends are invalid from an exporter (ERROR 2).
 */
final class SessionDispatcher extends IpdrInboundHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SessionDispatcher.class);

    private final ExporterSession[] sessions = new ExporterSession[256];

    SessionDispatcher(Connection conn) {
        super(conn);
    }

    /** GET_SESSIONS_RESPONSE: FLOW_START for each configured session the exporter offers. */
    void start(GetSessionsResponse m) {
        List<SessionBlock> wanted = new ArrayList<>();
        for (SessionBlock b : m.sessionBlocks()) {
            boolean started = sessions[b.sessionId()] != null;
            boolean wants = conn.config.wantsSession(b.sessionId(), b.sessionName());
            SessionCounters.offered(conn.exporter.session(b.sessionId()), b, started || wants);
            if (!started && wants) {
                wanted.add(b);
            }
        }
        if (!conn.has(Capability.MULTISESSION) && wanted.size() > 1) {
            LOG.warn("{}: MULTISESSION not negotiated; taking only session {} of {}", conn.exporter.name(),
                    wanted.get(0).sessionId(), wanted.size());
            wanted = wanted.subList(0, 1);
        }
        if (wanted.isEmpty()) {
            LOG.warn("{}: none of the offered sessions {} is configured ({})", conn.exporter.name(),
                    m.sessionBlocks().stream().map(b -> b.sessionId() + "/" + b.sessionName()).toList(),
                    conn.config.getSessions());
        }
        for (SessionBlock b : wanted) {
            ExporterSession s = new ExporterSession(conn, b.sessionId());
            sessions[b.sessionId()] = s;
            s.startFlow();
        }
    }

    ExporterSession session(int id) {
        return sessions[id];
    }

    @Override
    void onData(ByteBuf frame) throws IpdrDecodeException {
        ExporterSession s = started(Framing.sessionId(frame), MessageType.DATA);
        if (s != null) {
            s.onData(frame);
        }
    }

    @Override
    void onMessage(ChannelHandlerContext c, IpdrMessage m) {
        switch (m.type()) {
            case TEMPLATE_DATA, MODIFY_TEMPLATE_RESPONSE, GET_TEMPLATES_RESPONSE, SESSION_START, SESSION_STOP -> {
                ExporterSession s = started(m.sessionId(), m.type());
                if (s != null) {
                    s.onMessage(m);
                }
            }
            case GET_SESSIONS_RESPONSE -> start((GetSessionsResponse) m);
            case KEEP_ALIVE -> {
                // the idle detector already saw the read
            }
            case ERROR -> conn.onError((ErrorMessage) m);
            case DISCONNECT -> conn.onDisconnect();
            case START_NEGOTIATION_REJECT -> LOG.info("{}: session {} rejected START_NEGOTIATION",
                    conn.exporter.name(), ((StartNegotiationReject) m).sessionId());
            case REQUEST, RESPONSE -> LOG.debug("{}: skipping {}", conn.exporter.name(), m.type());
            default -> conn.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE,
                    m.type() + " is sent by collectors, not by an exporter");
        }
    }

    /** The session a message names, or null after ERROR 2 when it was never started with FLOW_START. */
    private ExporterSession started(int sessionId, MessageType what) {
        ExporterSession s = sessions[sessionId];
        if (s == null) {
            conn.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE, what + " for session " + sessionId
                    + " that was not started with FLOW_START");
        }
        return s;
    }

    /** The end of a socket read: send the batches this read filled instead of waiting for their linger. */
    @Override
    public void channelReadComplete(ChannelHandlerContext c) {
        conn.readComplete();
        c.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        for (ExporterSession s : sessions) {
            if (s != null) {
                s.connectionLost();
            }
        }
        conn.inactive();
        LOG.info("{}: connection {} closed", conn.exporter.name(), conn.remote());
        c.fireChannelInactive();
    }

}
