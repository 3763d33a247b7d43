package io.ipdrsp.node.session;

import io.ipdrsp.dedup.RecordSink;
import io.ipdrsp.node.config.Capability;
import io.ipdrsp.protocol.DataAck;
import io.ipdrsp.protocol.ErrorCodes;
import io.ipdrsp.protocol.FinalTemplateDataAck;
import io.ipdrsp.protocol.FlowStart;
import io.ipdrsp.protocol.FlowStop;
import io.ipdrsp.protocol.FlowStopReason;
import io.ipdrsp.protocol.Framing;
import io.ipdrsp.protocol.GetTemplatesResponse;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.ModifyTemplate;
import io.ipdrsp.protocol.ModifyTemplateResponse;
import io.ipdrsp.protocol.SessionStart;
import io.ipdrsp.protocol.SessionStop;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.protocol.TemplateData;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One IPDR/SP session on one connection (digest §1.9): FLOW_START → TEMPLATE_DATA → (MODIFY_TEMPLATE →
 * MODIFY_TEMPLATE_RESPONSE) → FINAL_TEMPLATE_DATA_ACK → SESSION_START → DATA/DATA_ACK → SESSION_STOP, repeated per
 * document; FLOW_STOP while storage fails, FLOW_START again when it answers. Each SESSION_START opens a
 * {@link DocumentStream} and a segment; whatever the {@code primary} flag says, DATA is accepted and the document row
 * is written (OPEN at its start, STOPPED at SESSION_STOP 0/2/6, never at the hand-off 1), and a SESSION_START on a
 * session with an open document closes that segment as superseded (digest §1.9, failover rulings). Event-loop
 * confined.
 */
final class ExporterSession implements DocumentStream.Owner {
    private static final Logger LOG = LoggerFactory.getLogger(ExporterSession.class);

    enum Phase { FLOW_STARTED, NEGOTIATING, TEMPLATES_READY, ACTIVE, STOPPED, FLOW_STOPPED }

    final int id;
    private final Connection conn;
    private final NodeContext ctx;
    private final SessionCounters counters;
    private final TemplateHistory history;
    private final RecordCheck check;
    private final SessionStatePublisher.Handle published;
    private Phase phase;
    private DocumentStream doc;
    private int configId = -1;
    private long lastSegmentStartMillis;
    /** A FLOW_STOP was sent and no SESSION_START came since: DATA without a document is the old stretch's, in flight. */
    private boolean sinceFlowStop;

    ExporterSession(Connection conn, int id) {
        this.id = id;
        this.conn = conn;
        this.ctx = conn.ctx;
        this.counters = new SessionCounters(ctx, conn.exporter, id);
        this.history = conn.exporter.history(id);
        this.check = new RecordCheck(history, conn.config.isIpv6Raw());
        this.published = ctx.publisher().register(conn, conn.exporter, counters.status());
    }

    Phase phase() {
        return phase;
    }

    private String name() {
        return conn.exporter.name();
    }

    private void phase(Phase p) {
        phase = p;
        counters.phase(p.name());
    }

    void startFlow() {
        phase(Phase.FLOW_STARTED);
        conn.send(new FlowStart(id));
    }

    /** A session-level message other than DATA. */
    void onMessage(IpdrMessage m) {
        switch (m.type()) {
            case TEMPLATE_DATA -> onTemplateData((TemplateData) m);
            case MODIFY_TEMPLATE_RESPONSE -> onModifyTemplateResponse((ModifyTemplateResponse) m);
            case GET_TEMPLATES_RESPONSE -> onGetTemplatesResponse((GetTemplatesResponse) m);
            case SESSION_START -> onSessionStart((SessionStart) m);
            case SESSION_STOP -> onSessionStop((SessionStop) m);
            default -> throw new IllegalArgumentException(m.type() + " is not for a session");
        }
    }

    // ------------------------------------------------------------------ templates

    private void onTemplateData(TemplateData m) {
        if (phase == Phase.ACTIVE || phase == Phase.NEGOTIATING) {
            conn.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "TEMPLATE_DATA for session " + id + " while " + phase
                    + " (a template change needs SESSION_STOP first)");
            return;
        }
        if (phase == Phase.FLOW_STOPPED) {
            return; // we asked the exporter to stop; it may still be sending what was queued
        }
        if (m.isNegotiable() && conn.has(Capability.TEMPLATE_NEGOTIATION) && conn.config.getTemplates().isActive()) {
            List<TemplateBlock> wanted = Negotiation.wanted(conn.config.getTemplates(), m.templates());
            if (!wanted.equals(m.templates())) {
                phase(Phase.NEGOTIATING);
                conn.send(new ModifyTemplate(id, m.configId(), 0, wanted));
                return;
            }
        }
        acceptTemplates(m.configId(), m.templates());
    }

    private void onModifyTemplateResponse(ModifyTemplateResponse m) {
        if (phase != Phase.NEGOTIATING) {
            conn.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "MODIFY_TEMPLATE_RESPONSE without MODIFY_TEMPLATE");
            return;
        }
        acceptTemplates(m.configId(), m.templates()); // as the exporter will send them
    }

    private void onGetTemplatesResponse(GetTemplatesResponse m) {
        history.put(m.configId(), m.templates());
        check.templatesChanged();
    }

    private void acceptTemplates(int newConfigId, List<TemplateBlock> templates) {
        // stored at SESSION_START: the templates table is keyed by exporterBootTime, which only SESSION_START says
        history.put(newConfigId, templates);
        configId = newConfigId;
        counters.templates(newConfigId);
        check.templatesChanged();
        phase(Phase.TEMPLATES_READY);
        conn.send(new FinalTemplateDataAck(id));
    }

    // ------------------------------------------------------------------ documents

    private void onSessionStart(SessionStart m) {
        if (phase == Phase.FLOW_STOPPED) {
            return;
        }
        if (history.isEmpty() || phase == Phase.FLOW_STARTED || phase == Phase.NEGOTIATING) {
            conn.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "SESSION_START for session " + id
                    + " before its templates were acknowledged");
            return;
        }
        if (doc != null) {
            LOG.info("{}: SESSION_START for session {} with document {} open: its segment ends as superseded",
                    name(), id, doc.key.documentId());
            endDocument(null, "superseded by SESSION_START without SESSION_STOP");
        }
        sinceFlowStop = false;
        RecordKey key = new RecordKey(name(), id, m.documentIdAsUuid(), m.exporterBootTime());
        Segment segment = new Segment(key, segmentStart(), ctx.journal().nodeId(), m.primary(),
                m.firstRecordSequenceNumber(), m.droppedRecordCount(), m.ackTimeInterval(), m.ackSequenceInterval(),
                null, null, null);
        // what the exporter re-sends after a failover is its unacknowledged window: twice that (dedup adds how far
        // the cluster's view may lag behind the previous collector) is read before writing, beyond is new
        long window = m.ackSequenceInterval() > 0 ? 2L * m.ackSequenceInterval() + 16 : 10_000;
        RecordSink.Document handle = ctx.sink().open(key, m.firstRecordSequenceNumber(), m.primary(), window);
        doc = new DocumentStream(conn, this, counters, segment, counters.documentStarted(key, m), handle);
        phase(Phase.ACTIVE);
        ctx.journal().segmentStarted(segment);
        ctx.journal().templates(name(), id, key.bootTime(), configId, history.templates(configId));
        ctx.journal().document(key, segment.startedAt(), "OPEN", null);
        LOG.info("{}: session {} started: document {} boot {} firstDsn {} dropped {} primary {} acks {}/{}s", name(),
                id, key.documentId(), m.exporterBootTime(), m.firstRecordSequenceNumber(), m.droppedRecordCount(),
                m.primary(), m.ackSequenceInterval(), m.ackTimeInterval());
        published.phaseChanged();
    }

    /** A segment's start, unique per session: two SESSION_STARTs within a millisecond must not share a row. */
    private Instant segmentStart() {
        lastSegmentStartMillis = Math.max(System.currentTimeMillis(), lastSegmentStartMillis + 1);
        return Instant.ofEpochMilli(lastSegmentStartMillis);
    }

    private void onSessionStop(SessionStop m) {
        LOG.info("{}: session {} stopped, reason {} '{}'", name(), id, m.reasonCode(), m.reasonInfo());
        if (doc != null) {
            endDocument(m.reasonCode(), m.reasonInfo());
        }
        counters.noDocument();
        if (phase != Phase.FLOW_STOPPED) {
            phase(Phase.STOPPED);
        }
        published.phaseChanged();
    }

    /** The open stretch ends: {@code reason} is SESSION_STOP's reasonCode, or null when it ended without one. */
    private void endDocument(Integer reason, String info) {
        DocumentStream d = doc;
        doc = null;
        counters.documentEnded(d.entry, reason);
        Instant now = Instant.now();
        long highest = d.lastDsn() == Long.MIN_VALUE ? -1 : d.lastDsn();
        if (reason == null) {
            ctx.journal().segmentEnded(d.segment, now, info, highest);
        } else {
            ctx.journal().segmentStopped(d.segment, now, reason, info, highest);
            if (reason == 0 || reason == 2 || reason == 6) { // end of data: the document is over, whoever got it
                ctx.journal().document(d.key, d.segment.startedAt(), "STOPPED",
                        "SESSION_STOP " + reason + (info == null || info.isEmpty() ? "" : " " + info));
            }
        }
        d.end();
    }

    // ------------------------------------------------------------------ DATA: the record path

    /** One DATA frame for this session, read in place; the record is copied once, for the write. */
    void onData(ByteBuf frame) throws IpdrDecodeException {
        if (phase == Phase.FLOW_STOPPED) {
            return; // sent before our FLOW_STOP arrived; never acked, the exporter re-sends it elsewhere
        }
        DocumentStream d = doc;
        if (d == null && sinceFlowStop) {
            // sent before our FLOW_STOP reached the exporter, read only now (reads were paused meanwhile, or FLOW_START
            // followed at once): never acked, re-sent in the next document stretch
            return;
        }
        if (d == null) {
            conn.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "DATA for session " + id
                    + " outside SESSION_START..SESSION_STOP");
            return;
        }
        int length = Framing.dataRecordLength(frame);
        int templateId = Framing.dataTemplateId(frame);
        int recordConfigId = Framing.dataConfigId(frame);
        int index = Framing.dataRecordIndex(frame);
        try {
            check.validate(frame, id, recordConfigId, templateId, index, length);
        } catch (IpdrDecodeException e) {
            conn.failDecode(e.getMessage(), check.hint(recordConfigId, templateId));
            return;
        }
        long dsn = Framing.dataSequenceNum(frame);
        if (dsn < 0) {
            conn.fail(ErrorCodes.MESSAGE_DECODE_ERROR, "DSN " + Long.toUnsignedString(dsn) + " beyond 2^63-1");
            return;
        }
        long previous = d.lastDsn();
        if (!d.inSequence(dsn)) {
            conn.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "DSN " + dsn + " after " + previous + " in session " + id
                    + ": out of sequence");
            return;
        }
        if (recordConfigId != d.lastConfigId) {
            ctx.journal().templates(name(), id, d.key.bootTime(), recordConfigId, history.templates(recordConfigId));
        }
        // the D flag: the exporter says it sent this record before (a re-send). A record below the SESSION_START's
        // firstRecordSequenceNumber without it may be a re-send too (the reference exporter's first record number
        // points past the window it re-sends) or a first send: dedup decides (it checks both), the counters follow
        boolean flagged = Framing.dataIsDuplicate(frame);
        byte[] copy = new byte[length];
        frame.getBytes(index, copy);
        counters.received(d.entry, dsn, length, flagged);
        d.write(dsn, templateId, recordConfigId, flagged, copy);
        published.changed();
    }

    // ------------------------------------------------------------------ acks and storage failure

    @Override
    public boolean mayAck(DocumentStream d) {
        // a stopped document gets its last ack only while no newer one started: DSNs restart per document and an
        // ack cannot say which one it means
        return d == doc ? phase == Phase.ACTIVE : doc == null && phase != Phase.FLOW_STOPPED;
    }

    @Override
    public void ack(DocumentStream d, long dsn) {
        conn.send(new DataAck(id, d.lastConfigId, dsn));
        published.changed();
    }

    /** Storage keeps failing: stop acking and ask the exporter to stop, so that it fails over (SP 2.1 §2.12). */
    @Override
    public void stalled(DocumentStream d, String why) {
        if (d != doc) {
            return;
        }
        LOG.warn("{}: FLOW_STOP session {}: {}", name(), id, why);
        conn.exporter.error("FLOW_STOP: " + why);
        ctx.metrics().flowStops.inc();
        phase(Phase.FLOW_STOPPED);
        sinceFlowStop = true;
        endDocument(null, "FLOW_STOP: " + why);
        counters.noDocument();
        conn.send(new FlowStop(id, FlowStopReason.PROCESS_ERROR, why));
        published.phaseChanged();
        StorageProbe.await(conn, () -> !conn.isClosed() && phase == Phase.FLOW_STOPPED, () -> {
            LOG.info("{}: storage is back; FLOW_START session {} again", name(), id);
            startFlow();
        });
    }

    /** The connection is gone: the open stretch ends without SESSION_STOP. */
    void connectionLost() {
        if (doc != null) {
            endDocument(null, "connection closed without SESSION_STOP");
        }
        counters.noDocument();
        published.closed();
    }
}
