package io.ipdrsp.simulator;

import io.ipdrsp.protocol.Capabilities;
import io.ipdrsp.protocol.Connect;
import io.ipdrsp.protocol.ConnectResponse;
import io.ipdrsp.protocol.DataAck;
import io.ipdrsp.protocol.ErrorCodes;
import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.GetSessions;
import io.ipdrsp.protocol.GetSessionsResponse;
import io.ipdrsp.protocol.GetTemplates;
import io.ipdrsp.protocol.GetTemplatesResponse;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.ModifyTemplate;
import io.ipdrsp.protocol.ModifyTemplateResponse;
import io.ipdrsp.protocol.SessionBlock;
import io.ipdrsp.protocol.SessionStopReason;
import io.ipdrsp.protocol.StartNegotiationReject;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.protocol.UnknownMessage;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exporter's side of IPDR/SP for every message a collector sends: the CONNECT handshake, GET_SESSIONS and
 * GET_TEMPLATES, FLOW_START/STOP, template negotiation, DATA_ACK, ERROR and DISCONNECT. Event-loop confined.
 */
final class ExporterProtocol {
    private static final Logger LOG = LoggerFactory.getLogger(ExporterProtocol.class);

    private final SimulatedCmts cmts;

    ExporterProtocol(SimulatedCmts cmts) {
        this.cmts = cmts;
    }

    void onMessage(CollectorLink l, IpdrMessage m) {
        long now = System.nanoTime();
        l.lastRead = now;
        if (l.state == CollectorLink.State.AWAIT_CONNECT || l.state == CollectorLink.State.AWAIT_CONNECT_RESPONSE) {
            handshake(l, m);
            return;
        }
        if (m instanceof UnknownMessage u) {
            LOG.debug("{}: skipping unknown message 0x{}", cmts.name(), Integer.toHexString(u.messageId()));
            return;
        }
        switch (m.type()) {
            case KEEP_ALIVE -> {
                // nothing to do: reading it reset the peer's silence
            }
            case GET_SESSIONS -> l.send(new GetSessionsResponse(((GetSessions) m).requestId(), sessionBlocks()));
            case GET_TEMPLATES -> onGetTemplates(l, (GetTemplates) m);
            case FLOW_START -> onFlowStart(l, m.sessionId());
            case FLOW_STOP -> {
                SessionRuntime s = session(l, m.sessionId());
                if (s != null) {
                    s.leave(l, now);
                }
            }
            case FINAL_TEMPLATE_DATA_ACK -> onFinalTemplateDataAck(l, m.sessionId(), now);
            case MODIFY_TEMPLATE -> onModifyTemplate(l, (ModifyTemplate) m);
            case START_NEGOTIATION -> onStartNegotiation(l, m.sessionId());
            case DATA_ACK -> {
                SessionRuntime s = session(l, m.sessionId());
                if (s != null && !l.ignoringAcks(now)) {
                    s.onAck(l, ((DataAck) m).sequenceNum(), now);
                }
            }
            case ERROR -> onError(l, (ErrorMessage) m, now);
            case DISCONNECT -> l.channel.close();
            default -> l.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE, m.type() + " is not sent to an exporter");
        }
    }

    private void onGetTemplates(CollectorLink l, GetTemplates g) {
        SessionRuntime s = session(l, g.sessionId());
        if (s != null) {
            TemplateSet c = s.documents().headConfig();
            l.send(new GetTemplatesResponse(g.sessionId(), g.requestId(), c.configId, c.blocks));
        }
    }

    /** CONNECT from a collector that dialled us, or CONNECT_RESPONSE to the CONNECT we sent. */
    private void handshake(CollectorLink l, IpdrMessage m) {
        boolean awaitConnect = l.state == CollectorLink.State.AWAIT_CONNECT;
        if (awaitConnect && m instanceof Connect c) {
            l.capabilities = c.capabilities() & cmts.spec.capabilities();
            l.peerKeepAlive = c.keepAliveInterval();
            l.send(new ConnectResponse(l.capabilities, cmts.spec.keepAliveSeconds(), cmts.spec.vendorId()));
            l.state = CollectorLink.State.OPEN;
        } else if (!awaitConnect && m instanceof ConnectResponse r) {
            l.capabilities = r.capabilities() & cmts.spec.capabilities();
            l.peerKeepAlive = r.keepAliveInterval();
            l.state = CollectorLink.State.OPEN;
        } else {
            l.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "expected " + (awaitConnect ? "CONNECT" : "CONNECT_RESPONSE")
                    + ", got " + m.type());
        }
    }

    private SessionRuntime session(CollectorLink l, int sessionId) {
        SessionRuntime s = cmts.sessions.get(sessionId);
        if (s == null) {
            l.sessionError(sessionId, ErrorCodes.MESSAGE_INVALID_FOR_STATE, "no session " + sessionId);
        }
        return s;
    }

    private List<SessionBlock> sessionBlocks() {
        List<SessionBlock> out = new ArrayList<>();
        for (SessionRuntime s : cmts.sessions.values()) {
            int ackTime = s.spec.ackTimeInterval() * (cmts.spec.quirks().ackTimeMillisInGetSessions() ? 1000 : 1);
            out.add(new SessionBlock(s.spec.sessionId(), 0, s.spec.name(),
                    s.spec.type().name().toLowerCase().replace('_', '-') + " " + s.spec.template(), ackTime,
                    s.spec.ackSequenceInterval()));
        }
        return out;
    }

    private void onFlowStart(CollectorLink l, int sessionId) {
        SessionRuntime s = session(l, sessionId);
        if (s == null) {
            return;
        }
        if (!Capabilities.has(l.capabilities, Capabilities.MULTISESSION)) {
            for (var e : l.sessions.entrySet()) {
                if (e.getKey() != sessionId && e.getValue().state != LinkSession.State.IDLE) {
                    l.sessionError(sessionId, ErrorCodes.MESSAGE_INVALID_FOR_CAPABILITIES,
                            "a second session needs MULTISESSION");
                    return;
                }
            }
        }
        LinkSession ls = l.session(sessionId);
        if (ls.state != LinkSession.State.IDLE) {
            l.sessionError(sessionId, ErrorCodes.MESSAGE_INVALID_FOR_STATE, "flow already started");
            return;
        }
        s.sendTemplates(l, ls, negotiable(l) && s.documents().headConfig() == s.documents().config);
    }

    private void onFinalTemplateDataAck(CollectorLink l, int sessionId, long now) {
        SessionRuntime s = session(l, sessionId);
        if (s == null) {
            return;
        }
        LinkSession ls = l.session(sessionId);
        if (ls.state != LinkSession.State.TEMPLATES_SENT) {
            l.sessionError(sessionId, ErrorCodes.MESSAGE_INVALID_FOR_STATE,
                    "FINAL_TEMPLATE_DATA_ACK without TEMPLATE_DATA");
        } else {
            ls.state = LinkSession.State.READY;
            s.pump(now);
        }
    }

    private void onError(CollectorLink l, ErrorMessage e, long now) {
        LOG.info("{}: ERROR {} from {}: {}", cmts.name(), e.errorCode(), l.spec.name(), e.description());
        if (e.sessionSpecific()) {
            SessionRuntime s = cmts.sessions.get(e.sessionId());
            if (s != null) {
                s.leave(l, now);
            }
        } else {
            l.channel.close();
        }
    }

    /** Negotiation is offered only to the highest-priority collector (SP 2.1 §2.13.2). */
    boolean negotiable(CollectorLink l) {
        return Capabilities.has(l.capabilities, Capabilities.TEMPLATE_NEGOTIATION) && l == cmts.links.get(0);
    }

    private boolean negotiationAgreed(CollectorLink l, int sessionId) {
        if (Capabilities.has(l.capabilities, Capabilities.TEMPLATE_NEGOTIATION)) {
            return true;
        }
        l.sessionError(sessionId, ErrorCodes.MESSAGE_INVALID_FOR_CAPABILITIES, "TEMPLATE_NEGOTIATION was not negotiated");
        return false;
    }

    /** MODIFY_TEMPLATE: enabled flags by fieldId; a new configId whenever something changed. */
    private void onModifyTemplate(CollectorLink l, ModifyTemplate mt) {
        SessionRuntime s = session(l, mt.sessionId());
        if (s == null || !negotiationAgreed(l, mt.sessionId())) {
            return;
        }
        LinkSession ls = l.session(mt.sessionId());
        if (ls.state != LinkSession.State.TEMPLATES_SENT || !ls.negotiable) {
            l.sessionError(mt.sessionId(), ErrorCodes.MESSAGE_INVALID_FOR_STATE, "templates are not negotiable now");
            return;
        }
        SessionDocuments docs = s.documents();
        TemplateSet current = docs.headConfig();
        TemplateBlock changed = current.negotiated(mt.templates());
        TemplateSet cfg = current;
        if (changed != null) {
            cfg = docs.newTemplateSet(docs.config.nextConfigId(), changed);
            docs.replaceConfig(cfg, SessionStopReason.TEMPLATE_DATA_UPDATED);
        }
        ls.announcedConfigId = cfg.configId;
        l.send(new ModifyTemplateResponse(mt.sessionId(), cfg.configId, 0, cfg.blocks));
    }

    private void onStartNegotiation(CollectorLink l, int sessionId) {
        SessionRuntime s = session(l, sessionId);
        if (s == null || !negotiationAgreed(l, sessionId)) {
            return;
        }
        LinkSession ls = l.session(sessionId);
        if (!negotiable(l) || ls.state == LinkSession.State.IDLE
                || s.documents().headConfig() != s.documents().config) {
            l.send(new StartNegotiationReject(sessionId));
            return;
        }
        s.stopOn(l, SessionStopReason.START_NEGOTIATION_ACK, "start negotiation");
        s.sendTemplates(l, ls, true);
    }
}
