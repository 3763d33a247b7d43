package io.ipdrsp.simulator;

import io.ipdrsp.protocol.Bytes;
import io.ipdrsp.protocol.SessionStart;
import io.ipdrsp.protocol.SessionStop;
import io.ipdrsp.protocol.SessionStopReason;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.protocol.TemplateData;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session of a CMTS at run time: its documents, which collector is active (receives the DATA), the hand-offs
 * between collectors in the CMTS's {@link FailoverMode}, acknowledgements and the ack timeout. Confined to the
 * CMTS's event loop. Records come from {@link RecordGeneration}, DATA goes out through {@link DataWriter}.
 */
final class SessionRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(SessionRuntime.class);

    final SessionSpec spec;
    private final SimulatedCmts cmts;
    private final FailoverMode mode;
    private final SessionDocuments documents;
    private final ArrayDeque<ExportDocument> docs;
    private final RecordGeneration generation;
    private final DataWriter writer;
    /** The collector that receives the DATA now, or null. */
    CollectorLink active;
    private long ackDeadline;

    SessionRuntime(SessionSpec spec, SimulatedCmts cmts, TemplateBlock template) {
        this.spec = spec;
        this.cmts = cmts;
        this.mode = cmts.spec.failover();
        this.documents = new SessionDocuments(spec, cmts, template);
        this.docs = documents.queue;
        this.generation = new RecordGeneration(spec, cmts.spec.bufferCapacity(), docs);
        this.writer = new DataWriter(spec, cmts.spec.quirks());
    }

    /** Start (or restart after reboot): fresh template set and first document. */
    void begin(long now) {
        documents.begin(now);
        active = null;
        generation.restart();
    }

    SessionDocuments documents() {
        return documents;
    }

    RecordGeneration generation() {
        return generation;
    }

    void sendTemplates(CollectorLink l, LinkSession ls, boolean negotiable) {
        TemplateSet c = documents.headConfig();
        ls.state = LinkSession.State.TEMPLATES_SENT;
        ls.negotiable = negotiable;
        ls.announcedConfigId = c.configId;
        l.send(new TemplateData(spec.sessionId(), c.configId, negotiable ? TemplateData.FLAG_NEGOTIABLE : 0,
                c.blocks));
    }

    void dropOnPurpose(long n, long now) {
        generation.requestDrop(n);
        applyDrop(now);
    }

    /** A requested drop, once due: SESSION_STOP 3 (congestion); the next start declares the count. */
    private void applyDrop(long now) {
        // a collector whose connection is already closed (channelInactive not yet run) acknowledges nothing more
        if (generation.applyDrop(active != null && active.isOpen()) && active != null) {
            stopOn(active, SessionStopReason.CONGESTION_DETECTED, "congestion: records dropped");
            active = null;
            ackDeadline = 0;
        }
    }

    void lostOnReboot() {
        documents.lostOnReboot();
        active = null;
        generation.forget();
    }

    /** SESSION_STOP to {@code l} if it has a started document. */
    void stopOn(CollectorLink l, int reason, String info) {
        LinkSession ls = l.sessions.get(spec.sessionId());
        if (ls != null && ls.activeDoc != null) {
            l.send(new SessionStop(spec.sessionId(), reason, info));
            ls.activeDoc = null;
        }
    }

    /** The collector stopped the flow or reported a session error: hand the session to the next one. */
    void leave(CollectorLink l, long now) {
        LinkSession ls = l.session(spec.sessionId());
        if (l.isOpen()) {
            stopOn(l, SessionStopReason.HANDING_OFF_TO_HIGHER_PRIORITY, "flow stopped");
        }
        ls.state = LinkSession.State.IDLE;
        ls.activeDoc = null;
        if (active == l) {
            demote();
        }
        pump(now);
    }

    /** {@code l} is about to be declared dead: SESSION_STOP 1 while its link still carries it, then the standby. */
    void handOffFrom(CollectorLink l, long now, String why) {
        if (active == l) {
            stopOn(l, SessionStopReason.HANDING_OFF_TO_HIGHER_PRIORITY, why);
            demote();
            pump(now);
        }
    }

    /** The connection is gone. */
    void lost(CollectorLink l) {
        if (active == l) {
            demote();
        }
    }

    private void demote() {
        ExportDocument h = docs.peekFirst();
        if (h != null) {
            h.markResend();
        }
        active = null;
        ackDeadline = 0;
    }

    void tick(long now, long dt, boolean frozen) {
        documents.tick(now);
        if (!spec.unlimited()) {
            generation.accrue(dt, active != null);
        }
        if (active != null && ackDeadline != 0 && now > ackDeadline) {
            LOG.info("{}: no DATA_ACK from {} within {} s, failing over", cmts.name(), active.spec.name(),
                    spec.ackTimeInterval());
            cmts.fleet.ackTimedOut();
            active.session(spec.sessionId()).suspendedUntil = now + 2L * spec.ackTimeInterval() * 1_000_000_000L;
            stopOn(active, SessionStopReason.HANDING_OFF_TO_HIGHER_PRIORITY, "ack timeout");
            demote();
        }
        if (!frozen) {
            pump(now);
        }
    }

    void onAck(CollectorLink l, long seq, long now) {
        ExportDocument d = docs.peekFirst();
        if (d == null || seq < d.held) {
            return; // stale or repeated
        }
        if (seq >= d.maxSent) {
            LOG.debug("{}: DATA_ACK {} from {} beyond last sent {}", cmts.name(), seq, l.spec.name(), d.maxSent - 1);
            return;
        }
        d.sendTimes.acked(d.held, seq, now, cmts.fleet.ackLatency());
        for (long[] r : d.holes.missingIn(d.held, seq).ranges()) {
            d.entry.acked(l.spec.name(), r[0], r[1]);
        }
        d.held = seq + 1;
        long holeEnd = d.holes.isEmpty() ? -1 : d.holes.endOfRangeContaining(d.held);
        if (holeEnd >= 0 && holeEnd < d.nextSend) {
            d.held = holeEnd + 1; // a silent gap is never acknowledged; it must not hold the window
        }
        d.nextSend = Math.max(d.nextSend, d.held);
        ackDeadline = d.nextSend > d.held ? now + spec.ackTimeInterval() * 1_000_000_000L : 0;
        cmts.fleet.acked();
        applyDrop(now);
        pump(now);
    }

    /** Hand-offs, document boundaries, template announcements and DATA: everything that moves the session. */
    void pump(long now) {
        if (cmts.isStopped() || cmts.isFrozen(now)) {
            return;
        }
        for (int guard = 0; guard < 8; guard++) {
            ExportDocument head = docs.peekFirst();
            if (head == null) {
                return;
            }
            if (head.finished()) {
                endDocument(head);
                continue;
            }
            applyDrop(now);
            CollectorLink best = bestEligible(head, now);
            if (best != active) {
                if (active != null && active.isOpen()) {
                    // Fail-back: the current collector hands off to the recovered higher-priority one.
                    stopOn(active, SessionStopReason.HANDING_OFF_TO_HIGHER_PRIORITY, "handing off");
                }
                head.markResend();
                active = best;
                ackDeadline = 0;
                if (best != null) {
                    startOn(best, head, true);
                }
            }
            announce(head);
            if (active != null) {
                sendData(head, now);
            }
            if (!head.finished()) {
                return;
            }
        }
    }

    private void endDocument(ExportDocument head) {
        for (CollectorLink l : cmts.links) {
            LinkSession ls = l.sessions.get(spec.sessionId());
            if (ls != null && ls.activeDoc == head) {
                stopOn(l, head.stopReason, "end of document");
            }
        }
        head.entry.stopped(head.stopReason);
        docs.pollFirst();
        active = null;
        ackDeadline = 0;
    }

    private CollectorLink bestEligible(ExportDocument head, long now) {
        for (CollectorLink l : cmts.links) { // ordered by priority, 1 first
            LinkSession ls = l.sessions.get(spec.sessionId());
            if (l.isOpen() && ls != null && ls.state == LinkSession.State.READY
                    && ls.announcedConfigId == head.config.configId && ls.suspendedUntil <= now) {
                return l;
            }
        }
        return null;
    }

    /** Links that know an older template set get TEMPLATE_DATA; in legacy mode standbys get SESSION_START. */
    private void announce(ExportDocument head) {
        for (CollectorLink l : cmts.links) {
            LinkSession ls = l.sessions.get(spec.sessionId());
            if (ls == null || !l.isOpen() || ls.state != LinkSession.State.READY) {
                continue;
            }
            if (ls.announcedConfigId != head.config.configId) {
                stopOn(l, SessionStopReason.TEMPLATE_DATA_UPDATED, "template data updated");
                // An older set still being drained is not negotiable: it is about to be replaced anyway.
                sendTemplates(l, ls, cmts.protocol.negotiable(l) && head.config == documents.config);
            } else if (mode.announcesToStandbys() && l != active && ls.activeDoc != head) {
                startOn(l, head, false);
            }
        }
    }

    /** SESSION_START for {@code head} to {@code l}: the collector that takes the DATA, or (legacy) a standby. */
    private void startOn(CollectorLink l, ExportDocument head, boolean takesData) {
        LinkSession ls = l.session(spec.sessionId());
        if (ls.activeDoc != null && ls.activeDoc != head) {
            stopOn(l, ls.activeDoc.stopReason, "end of document");
        }
        long first = head.held;
        long dropped = 0;
        if (takesData) {
            head.nextSend = head.held;
            if (cmts.spec.quirks().firstSequencePastResent() && head.resentUpTo > head.held) {
                first = head.resentUpTo;
            }
            dropped = generation.takeDeclaredDrops();
            head.entry.declared(dropped);
        }
        boolean primary = takesData && mode.primaryFlag(l == cmts.links.get(0));
        LOG.debug("{}: SESSION_START session {} to {} primary={} data={} doc={} first={} dropped={}", cmts.name(),
                spec.sessionId(), l.spec.name(), primary, takesData, head.idText, first, dropped);
        l.send(new SessionStart(spec.sessionId(), cmts.identity().bootTimeSeconds(), first, dropped, primary,
                spec.ackTimeInterval(), spec.ackSequenceInterval(), Bytes.of(head.id)));
        head.entry.started(l.spec.name(), primary, takesData, first, dropped);
        ls.activeDoc = head;
    }

    private void sendData(ExportDocument d, long now) {
        if (spec.unlimited()) {
            generation.generateOnDemand(d, spec.sendWindow());
        }
        long wasUnacked = d.nextSend - d.held;
        writer.send(d, active, generation.sendLimit(d), now);
        if (wasUnacked == 0 && d.nextSend > d.held) {
            ackDeadline = now + spec.ackTimeInterval() * 1_000_000_000L;
        }
    }
}
