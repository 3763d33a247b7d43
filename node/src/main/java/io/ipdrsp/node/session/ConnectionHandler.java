package io.ipdrsp.node.session;

import io.ipdrsp.dedup.DocumentHandle;
import io.ipdrsp.dedup.SessionState;
import io.ipdrsp.node.config.Capability;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.transport.FrameDecoder;
import io.ipdrsp.protocol.Connect;
import io.ipdrsp.protocol.ConnectResponse;
import io.ipdrsp.protocol.DataAck;
import io.ipdrsp.protocol.ErrorCodes;
import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.FinalTemplateDataAck;
import io.ipdrsp.protocol.FlowStart;
import io.ipdrsp.protocol.FlowStop;
import io.ipdrsp.protocol.Framing;
import io.ipdrsp.protocol.GetSessions;
import io.ipdrsp.protocol.GetSessionsResponse;
import io.ipdrsp.protocol.GetTemplatesResponse;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.KeepAlive;
import io.ipdrsp.protocol.MessageCodec;
import io.ipdrsp.protocol.ModifyTemplate;
import io.ipdrsp.protocol.ModifyTemplateResponse;
import io.ipdrsp.protocol.RecordDecoder;
import io.ipdrsp.protocol.SessionBlock;
import io.ipdrsp.protocol.SessionStart;
import io.ipdrsp.protocol.SessionStop;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.protocol.TemplateData;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.ipdrsp.storage.DocumentInfo;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.RecordWriter;
import io.ipdrsp.storage.Segment;
import io.ipdrsp.storage.StorageOverloadedException;
import io.ipdrsp.storage.WriteOutcome;
import io.netty.util.ReferenceCountUtil;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IPDR/SP state machine of one TCP connection to one CMTS, with its sessions (digest §1.9). Runs entirely on
 * the channel's event loop; storage callbacks hop back onto it. Nothing thrown while handling a message escapes
 * into the pipeline: bad input is answered with ERROR and the connection is closed, other connections are not
 * affected.
 *
 * <p>Connection: the TCP initiator sends CONNECT, the other side CONNECT_RESPONSE; the node then sends
 * GET_SESSIONS and FLOW_START for each wanted session. Per session: TEMPLATE_DATA → (MODIFY_TEMPLATE →
 * MODIFY_TEMPLATE_RESPONSE) → FINAL_TEMPLATE_DATA_ACK → SESSION_START → DATA/DATA_ACK → SESSION_STOP, repeated
 * per document. SESSION_STOP is not a disconnect.
 */
public final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
    private static final long TICK_MILLIS = 100;
    private static final long MS = 1_000_000L;

    enum State { AWAIT_CONNECT, AWAIT_CONNECT_RESPONSE, AWAIT_SESSIONS, READY, CLOSED }

    enum SessionPhase { FLOW_STARTED, NEGOTIATING, TEMPLATES_READY, ACTIVE, STOPPED, FLOW_STOPPED }

    /** One document stretch (SESSION_START..SESSION_STOP) on this connection and its acknowledgement state. */
    final class Document {
        final RecordKey key;
        final AckTracker ack;
        final DocumentIndex.Entry entry;
        final long firstRecordSequenceNumber;
        final boolean primary;
        /** Dedup's handle; released (sessionStopped) once the stretch ended and its last write completed. */
        final DocumentHandle handle;
        /** Writes of this document under way (including retries waiting), for releasing the handle. */
        int writesInFlight;
        boolean ended;
        boolean released;
        /** Start of this node's segment; with the node id it keys the segment row. */
        final Instant startedAt = Instant.ofEpochMilli(System.currentTimeMillis());
        long lastDsn = Long.MIN_VALUE;
        int lastConfigId = -1;
        long lastProgressNanos;

        Document(RecordKey key, SessionStart s, long now) {
            this.key = key;
            this.ack = new AckTracker(s.ackSequenceInterval(), s.ackTimeInterval());
            this.entry = ctx.documents().open(key);
            this.firstRecordSequenceNumber = s.firstRecordSequenceNumber();
            this.primary = s.primary();
            this.lastProgressNanos = now;
            // what the exporter re-sends after a failover is its unacknowledged window: twice that (dedup adds how far
            // the cluster's view may lag behind the previous collector) is read before writing, beyond is new
            long window = s.ackSequenceInterval() > 0 ? 2L * s.ackSequenceInterval() + 16 : 10_000;
            this.handle = ctx.dedup().sessionStarted(key, s.firstRecordSequenceNumber(), s.primary(), window);
            entry.primary = s.primary();
            entry.droppedRecordCount = s.droppedRecordCount();
        }
    }

    /**
     * One record whose write is under way. It keeps its own copy of the bytes: a failed write is retried from it
     * (the Netty frame is released as soon as the read is handled). Being the completion callback itself saves an
     * allocation per record.
     */
    private final class PendingRecord implements BiConsumer<WriteOutcome, Throwable> {
        final Session session;
        final Document doc;
        final long ticket;
        final long dsn;
        final int templateId;
        final int configId;
        final boolean duplicate;
        final byte[] data;
        int attempt;
        long startedNanos;
        WriteOutcome outcome;
        Throwable failure;

        PendingRecord(Session session, Document doc, long ticket, long dsn, int templateId, int configId,
                      boolean duplicate, byte[] data) {
            this.session = session;
            this.doc = doc;
            this.ticket = ticket;
            this.dsn = dsn;
            this.templateId = templateId;
            this.configId = configId;
            this.duplicate = duplicate;
            this.data = data;
        }

        /** Driver thread: queue for the event loop, waking it at most once per batch of completions. */
        @Override
        public void accept(WriteOutcome result, Throwable error) {
            outcome = result;
            failure = error;
            completed.add(this);
            if (drainScheduled.compareAndSet(false, true)) {
                channel.eventLoop().execute(drainCompleted);
            }
        }
    }

    /** One IPDR/SP session on this connection. */
    final class Session {
        final int id;
        final ExporterState.SessionStatus status;
        final TemplateHistory history;
        /** Labelled Prometheus data points of this session, resolved once (not per record). */
        final ExporterMetrics.SessionMetrics metrics;
        SessionPhase phase = SessionPhase.FLOW_STARTED;
        Document doc;
        final List<Document> closing = new ArrayList<>();
        /** (bootTime, configId) pairs whose templates were handed to storage by this connection. */
        final Set<Long> templatesSaved = new HashSet<>();
        int cachedConfigId = -1;
        int cachedTemplateId = -1;
        RecordDecoder cachedDecoder;
        TemplateData offered; // TEMPLATE_DATA awaiting FINAL_TEMPLATE_DATA_ACK
        long lastPublishNanos;
        long nextProbeNanos;
        boolean probing;

        Session(int id) {
            this.id = id;
            this.status = exporter.session(id);
            this.history = exporter.history(id);
            this.metrics = ctx.metrics().exporters.session(exporter.name(), id);
        }
    }

    private final NodeContext ctx;
    private final ExporterState exporter;
    private final ExporterConfig config;
    private final boolean initiator;
    private final Consumer<ConnectionHandler> onEstablished;
    private final Session[] sessions = new Session[256];
    private Channel channel;
    private State state;
    private int capabilities;
    private long peerKeepAliveNanos;
    private final long ownKeepAliveNanos;
    private long lastReadNanos;
    private long lastWriteNanos;
    private int inFlight;
    private boolean readPaused;
    private boolean wroteSinceFlush;
    private final RecordWriter writer;
    private final ConcurrentLinkedQueue<PendingRecord> completed = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainCompleted = this::drainCompleted;
    private ScheduledFuture<?> tick;
    private int nextRequestId = 1;

    /**
     * @param initiator     true when this node opened the TCP connection (it then sends CONNECT)
     * @param onEstablished called once the handshake is complete (resets reconnect back-off)
     */
    public ConnectionHandler(NodeContext ctx, ExporterState exporter, boolean initiator,
                             Consumer<ConnectionHandler> onEstablished) {
        this.ctx = ctx;
        this.exporter = exporter;
        this.config = exporter.config();
        this.initiator = initiator;
        this.onEstablished = onEstablished;
        this.ownKeepAliveNanos = config.getKeepAliveSeconds() * 1000L * MS;
        this.writer = ctx.store().writer();
        this.state = initiator ? State.AWAIT_CONNECT_RESPONSE : State.AWAIT_CONNECT;
    }

    private long now() {
        return ctx.nanoClock().getAsLong();
    }

    // ------------------------------------------------------------------ channel life cycle

    @Override
    public void channelActive(ChannelHandlerContext c) {
        channel = c.channel();
        long now = now();
        lastReadNanos = now;
        lastWriteNanos = now;
        ctx.metrics().connections.inc();
        exporter.linkChanged(ExporterState.Link.HANDSHAKE, remote());
        tick = channel.eventLoop().scheduleAtFixedRate(this::onTick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        if (initiator) {
            InetSocketAddress local = (InetSocketAddress) channel.localAddress();
            int initiatorId = local.getAddress() instanceof Inet4Address a4 ? ByteBuffer.wrap(a4.getAddress()).getInt() : 0;
            send(new Connect(initiatorId, local.getPort(), offeredCapabilities(), config.getKeepAliveSeconds(),
                    ctx.identity().getVendorId()));
        }
        c.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        State was = state;
        state = State.CLOSED;
        if (tick != null) {
            tick.cancel(false);
        }
        ctx.metrics().connections.dec();
        exporter.linkChanged(ExporterState.Link.DISCONNECTED, null);
        ctx.paused().remove(this);
        for (Session s : sessions) {
            if (s != null) {
                if (s.doc != null) {
                    Document d = s.doc;
                    s.doc = null;
                    d.entry.stopReason = -1;
                    saveSegmentEnd(d, null, "connection closed without SESSION_STOP");
                    ended(d);
                }
                s.metrics.noDocument();
                publish(s, true);
            }
        }
        LOG.info("{}: connection {} closed (state {})", exporter.name(), remote(), was);
        c.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        try {
            if (state == State.CLOSED) {
                return;
            }
            lastReadNanos = now();
            if (msg instanceof FrameDecoder.FrameError err) {
                protocolError(ErrorCodes.MESSAGE_DECODE_ERROR, "framing: " + err.cause().getMessage());
            } else if (msg instanceof ByteBuf frame) {
                if (Framing.isData(frame)) {
                    onData(frame);
                } else {
                    dispatch(MessageCodec.decode(frame));
                }
            }
        } catch (IpdrDecodeException e) {
            protocolError(e.errorCode(), e.getMessage());
        } catch (RuntimeException e) {
            // a bug, not bad input; still never let it reach Netty's pipeline tail
            LOG.error("{}: unexpected failure handling a message", exporter.name(), e);
            protocolError(ErrorCodes.MESSAGE_DECODE_ERROR, "internal error: " + e.getClass().getSimpleName());
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The end of one socket read: send the batches this read filled instead of waiting for their linger. */
    @Override
    public void channelReadComplete(ChannelHandlerContext c) {
        if (wroteSinceFlush) {
            wroteSinceFlush = false;
            writer.flush();
        }
        c.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        LOG.warn("{}: connection error: {}", exporter.name(), cause.toString());
        exporter.error(cause.toString());
        c.close();
    }

    // ------------------------------------------------------------------ messages

    private void dispatch(IpdrMessage m) {
        if (state != State.READY && state != State.AWAIT_SESSIONS && !(m instanceof Connect
                || m instanceof ConnectResponse || m instanceof KeepAlive || m instanceof ErrorMessage
                || m instanceof io.ipdrsp.protocol.Disconnect)) {
            protocolError(ErrorCodes.MESSAGE_INVALID_FOR_STATE, m.type() + " before CONNECT/CONNECT_RESPONSE");
            return;
        }
        if (m instanceof Connect cn) {
            onConnect(cn);
        } else if (m instanceof ConnectResponse cr) {
            onConnectResponse(cr);
        } else if (m instanceof GetSessionsResponse gs) {
            onSessions(gs);
        } else if (m instanceof TemplateData td) {
            onTemplateData(td);
        } else if (m instanceof ModifyTemplateResponse mr) {
            onModifyTemplateResponse(mr);
        } else if (m instanceof SessionStart ss) {
            onSessionStart(ss);
        } else if (m instanceof SessionStop st) {
            onSessionStop(st);
        } else if (m instanceof GetTemplatesResponse gt) {
            onGetTemplatesResponse(gt);
        } else if (m instanceof KeepAlive) {
            return; // lastReadNanos is already refreshed
        } else if (m instanceof ErrorMessage em) {
            onError(em);
        } else if (m instanceof io.ipdrsp.protocol.Disconnect) {
            LOG.info("{}: DISCONNECT received", exporter.name());
            state = State.CLOSED;
            channel.close();
        } else if (m instanceof io.ipdrsp.protocol.StartNegotiationReject r) {
            LOG.info("{}: session {} rejected START_NEGOTIATION", exporter.name(), r.sessionId());
        } else if (m instanceof io.ipdrsp.protocol.UnknownMessage u) {
            LOG.debug("{}: skipping unknown message id 0x{}", exporter.name(), Integer.toHexString(u.messageId()));
        } else if (m instanceof io.ipdrsp.protocol.Request || m instanceof io.ipdrsp.protocol.Response) {
            LOG.debug("{}: skipping {}", exporter.name(), m.type());
        } else {
            protocolError(ErrorCodes.MESSAGE_INVALID_FOR_STATE, m.type() + " is sent by collectors, not by an exporter");
        }
    }

    private int offeredCapabilities() {
        return Capability.mask(config.getCapabilities());
    }

    private void onConnect(Connect m) {
        if (initiator || state != State.AWAIT_CONNECT) {
            protocolError(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "CONNECT from the side that did not open TCP or twice");
            return;
        }
        capabilities = m.capabilities() & offeredCapabilities();
        peerKeepAliveNanos = m.keepAliveInterval() * 1000L * MS;
        send(new ConnectResponse(capabilities, config.getKeepAliveSeconds(), ctx.identity().getVendorId()));
        established(m.vendorId());
    }

    private void onConnectResponse(ConnectResponse m) {
        if (!initiator || state != State.AWAIT_CONNECT_RESPONSE) {
            protocolError(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "unexpected CONNECT_RESPONSE");
            return;
        }
        // bits the exporter echoes but we did not offer have no effect (SP 2.1 §4.1)
        capabilities = m.capabilities() & offeredCapabilities();
        peerKeepAliveNanos = m.keepAliveInterval() * 1000L * MS;
        established(m.vendorId());
    }

    private void established(String vendorId) {
        exporter.capabilities = capabilities;
        exporter.linkChanged(ExporterState.Link.CONNECTED, remote());
        LOG.info("{}: connected to {} (vendor '{}', capabilities 0x{}, keep-alive peer {} s / own {} s)",
                exporter.name(), remote(), vendorId, Integer.toHexString(capabilities), peerKeepAliveNanos / 1000 / MS,
                config.getKeepAliveSeconds());
        state = State.AWAIT_SESSIONS;
        send(new GetSessions(nextRequestId++ & 0xFFFF));
        if (onEstablished != null) {
            onEstablished.accept(this);
        }
    }

    private void onSessions(GetSessionsResponse m) {
        List<SessionBlock> wanted = new ArrayList<>();
        for (SessionBlock b : m.sessionBlocks()) {
            ExporterState.SessionStatus st = exporter.session(b.sessionId());
            st.name = b.sessionName();
            st.description = b.sessionDescription();
            if (config.wantsSession(b.sessionId(), b.sessionName()) && sessions[b.sessionId()] == null) {
                wanted.add(b);
            } else if (sessions[b.sessionId()] == null) {
                st.state = "NOT_WANTED";
            }
        }
        boolean multi = (capabilities & Capability.MULTISESSION.bit()) != 0;
        if (!multi && wanted.size() > 1) {
            LOG.warn("{}: MULTISESSION not negotiated; taking only session {} of {}", exporter.name(),
                    wanted.get(0).sessionId(), wanted.size());
            wanted = wanted.subList(0, 1);
        }
        if (wanted.isEmpty()) {
            LOG.warn("{}: none of the offered sessions {} is configured ({})", exporter.name(),
                    m.sessionBlocks().stream().map(b -> b.sessionId() + "/" + b.sessionName()).toList(),
                    config.getSessions());
        }
        state = State.READY;
        for (SessionBlock b : wanted) {
            Session s = new Session(b.sessionId());
            sessions[b.sessionId()] = s;
            startFlow(s);
        }
    }

    private void startFlow(Session s) {
        s.phase = SessionPhase.FLOW_STARTED;
        s.status.state = "FLOW_STARTED";
        send(new FlowStart(s.id));
    }

    private Session session(IpdrMessage m) {
        Session s = sessions[m.sessionId()];
        if (s == null) {
            protocolError(ErrorCodes.MESSAGE_INVALID_FOR_STATE, m.type() + " for session " + m.sessionId()
                    + " that was not started with FLOW_START");
        }
        return s;
    }

    private void onTemplateData(TemplateData m) {
        Session s = session(m);
        if (s == null) {
            return;
        }
        if (s.phase == SessionPhase.ACTIVE || s.phase == SessionPhase.NEGOTIATING) {
            protocolError(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "TEMPLATE_DATA for session " + s.id + " while "
                    + s.phase + " (a template change needs SESSION_STOP first)");
            return;
        }
        if (s.phase == SessionPhase.FLOW_STOPPED) {
            return; // we asked the exporter to stop; it may still be sending what was queued
        }
        boolean negotiate = m.isNegotiable() && (capabilities & Capability.TEMPLATE_NEGOTIATION.bit()) != 0
                && config.getTemplates().isActive();
        if (negotiate) {
            List<TemplateBlock> wanted = negotiated(m.templates());
            if (!wanted.equals(m.templates())) {
                s.offered = m;
                s.phase = SessionPhase.NEGOTIATING;
                s.status.state = "NEGOTIATING";
                send(new ModifyTemplate(s.id, m.configId(), 0, wanted));
                return;
            }
        }
        acceptTemplates(s, m.configId(), m.templates());
    }

    /** The exporter's templates with configured fields switched on/off, matched by local name. */
    private List<TemplateBlock> negotiated(List<TemplateBlock> templates) {
        List<String> on = config.getTemplates().getEnable().stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        List<String> off = config.getTemplates().getDisable().stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        List<TemplateBlock> out = new ArrayList<>();
        for (TemplateBlock t : templates) {
            List<FieldDescriptor> fields = new ArrayList<>();
            for (FieldDescriptor f : t.fields()) {
                String n = f.localName().toLowerCase(Locale.ROOT);
                fields.add(on.contains(n) ? f.withEnabled(true) : off.contains(n) ? f.withEnabled(false) : f);
            }
            out.add(new TemplateBlock(t.templateId(), t.schemaName(), t.typeName(), fields));
        }
        return out;
    }

    private void onModifyTemplateResponse(ModifyTemplateResponse m) {
        Session s = session(m);
        if (s == null) {
            return;
        }
        if (s.phase != SessionPhase.NEGOTIATING) {
            protocolError(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "MODIFY_TEMPLATE_RESPONSE without MODIFY_TEMPLATE");
            return;
        }
        // the response carries the templates as the exporter will send them
        acceptTemplates(s, m.configId(), m.templates());
    }

    private void acceptTemplates(Session s, int configId, List<TemplateBlock> templates) {
        // stored at SESSION_START: the templates table is keyed by exporterBootTime, which only SESSION_START says
        s.history.put(configId, templates);
        s.offered = null;
        s.status.configId = configId;
        s.cachedConfigId = -1;
        s.phase = SessionPhase.TEMPLATES_READY;
        s.status.state = "TEMPLATES_READY";
        send(new FinalTemplateDataAck(s.id));
    }

    private void onGetTemplatesResponse(GetTemplatesResponse m) {
        Session s = session(m);
        if (s != null) {
            s.history.put(m.configId(), m.templates());
        }
    }

    private void onSessionStart(SessionStart m) {
        Session s = session(m);
        if (s == null) {
            return;
        }
        if (s.phase == SessionPhase.FLOW_STOPPED) {
            return;
        }
        if (s.history.isEmpty() || s.phase == SessionPhase.FLOW_STARTED || s.phase == SessionPhase.NEGOTIATING) {
            protocolError(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "SESSION_START for session " + s.id
                    + " before its templates were acknowledged");
            return;
        }
        if (s.phase == SessionPhase.ACTIVE) {
            LOG.warn("{}: SESSION_START for active session {} without SESSION_STOP; closing the open document",
                    exporter.name(), s.id);
            closeDocument(s, null, "SESSION_START without SESSION_STOP");
        }
        long now = now();
        RecordKey key = new RecordKey(exporter.name(), s.id, m.documentIdAsUuid(), m.exporterBootTime());
        Document d = new Document(key, m, now);
        s.doc = d;
        s.phase = SessionPhase.ACTIVE;
        ExporterState.SessionStatus st = s.status;
        st.state = "ACTIVE";
        st.primary = m.primary();
        st.documentId = key.documentId().toString();
        st.exporterBootTime = m.exporterBootTime();
        st.firstRecordSequenceNumber = m.firstRecordSequenceNumber();
        st.droppedRecordCount = m.droppedRecordCount();
        s.metrics.primary(m.primary());
        Segment segment = new Segment(key, d.startedAt, ctx.identity().getId(), m.primary(),
                m.firstRecordSequenceNumber(), m.droppedRecordCount(), m.ackTimeInterval(), m.ackSequenceInterval(),
                null, null, null);
        ctx.store().writeMetadata(exporter.name() + " segment start " + key,
                () -> ctx.store().storage().saveSegment(segment));
        saveTemplates(s, key.bootTime(), s.status.configId);
        if (m.primary()) {
            saveDocument(d, "OPEN", null);
        }
        LOG.info("{}: session {} started: document {} boot {} firstDsn {} dropped {} primary {} acks {}/{}s",
                exporter.name(), s.id, key.documentId(), m.exporterBootTime(), m.firstRecordSequenceNumber(),
                m.droppedRecordCount(), m.primary(), m.ackSequenceInterval(), m.ackTimeInterval());
        publish(s, false);
    }

    private void onSessionStop(SessionStop m) {
        Session s = session(m);
        if (s == null) {
            return;
        }
        LOG.info("{}: session {} stopped, reason {} '{}'", exporter.name(), s.id, m.reasonCode(), m.reasonInfo());
        if (s.phase == SessionPhase.ACTIVE) {
            closeDocument(s, m.reasonCode(), m.reasonInfo());
        }
        s.metrics.noDocument();
        if (s.phase != SessionPhase.FLOW_STOPPED) {
            s.phase = SessionPhase.STOPPED;
            s.status.state = "STOPPED";
        }
        publish(s, false);
    }

    private void closeDocument(Session s, Integer reason, String info) {
        Document d = s.doc;
        s.doc = null;
        s.status.documentId = "";
        d.entry.stopReason = reason == null ? -1 : reason;
        saveSegmentEnd(d, reason, info);
        ended(d);
        if (d.primary && reason != null) {
            saveDocument(d, "STOPPED", "SESSION_STOP " + reason + (info == null || info.isEmpty() ? "" : " " + info));
        }
        if (d.ack.pendingWrites() > 0 || d.ack.ackValue() > d.ack.lastAcked()) {
            s.closing.add(d);
            finishClosing(s);
        }
    }

    /**
     * A stopped document whose last writes have completed gets a final DATA_ACK — but only while no newer document
     * has started on the session: DSNs restart at 0 per document and an ack cannot say which one it means.
     */
    private void finishClosing(Session s) {
        for (var it = s.closing.iterator(); it.hasNext(); ) {
            Document d = it.next();
            if (d.ack.pendingWrites() > 0) {
                continue;
            }
            if (s.doc == null && s.phase != SessionPhase.FLOW_STOPPED && d.ack.ackValue() > d.ack.lastAcked()) {
                sendAck(s, d);
            }
            it.remove();
        }
    }

    /** The segment's stop fields; {@code reason} null = the stretch ended without SESSION_STOP. */
    private void saveSegmentEnd(Document d, Integer reason, String info) {
        Instant stoppedAt = Instant.now();
        String node = ctx.identity().getId();
        String what = exporter.name() + " segment stop " + d.key;
        if (reason != null) {
            ctx.store().writeMetadata(what, () -> ctx.store().storage().stopSegment(d.key, d.startedAt, node,
                    stoppedAt, reason, info));
        } else {
            Segment ended = new Segment(d.key, d.startedAt, node, d.primary, d.firstRecordSequenceNumber,
                    d.entry.droppedRecordCount, d.ack.ackTimeIntervalSeconds(), d.ack.ackSequenceInterval(),
                    stoppedAt, null, info);
            ctx.store().writeMetadata(what, () -> ctx.store().storage().saveSegment(ended));
        }
    }

    /** The templates of (boot, configId), once per connection and session; records are decoded with them later. */
    private void saveTemplates(Session s, long bootTime, int configId) {
        if (configId < 0 || !s.templatesSaved.add(bootTime << 16 | configId)) {
            return;
        }
        List<TemplateBlock> templates = s.history.templates(configId);
        if (templates == null || templates.isEmpty()) {
            s.templatesSaved.remove(bootTime << 16 | configId);
            return;
        }
        ctx.store().writeMetadata(exporter.name() + " templates session " + s.id + " configId " + configId,
                () -> ctx.store().storage().saveTemplates(exporter.name(), s.id, bootTime, configId, templates));
    }

    /**
     * The document row, written by the primary collector at SESSION_START and SESSION_STOP (dedup's finalization
     * adds the verdict later). startedAt keys the time index and must be the same whichever node writes it: the
     * DOCSIS documentId starts with its creation time (seconds since 1900), used when plausible.
     */
    private void saveDocument(Document d, String state, String detail) {
        Instant startedAt = documentStart(d.key.documentId(), d.startedAt);
        DocumentInfo info = new DocumentInfo(d.key, state, startedAt, d.startedAt, Instant.now(), null, detail,
                ctx.identity().getId());
        ctx.store().writeMetadata(exporter.name() + " document " + state + " " + d.key,
                () -> ctx.store().storage().saveDocument(info));
    }

    static Instant documentStart(java.util.UUID documentId, Instant fallback) {
        long seconds1900 = documentId.getMostSignificantBits() >>> 32;
        long epoch = seconds1900 - 2_208_988_800L;
        long now = System.currentTimeMillis() / 1000;
        return epoch >= 946_684_800L && epoch <= now + 86_400 ? Instant.ofEpochSecond(epoch) : fallback;
    }

    private void onError(ErrorMessage m) {
        exporter.errorsReceived.increment();
        ctx.metrics().errorsReceived.inc();
        String text = "ERROR " + m.errorCode() + " (" + ErrorCodes.name(m.errorCode()) + ") from exporter"
                + (m.sessionSpecific() ? " for session " + m.sessionId() : "") + ": " + m.description();
        exporter.error(text);
        LOG.warn("{}: {}", exporter.name(), text);
        if (!m.sessionSpecific()) {
            state = State.CLOSED;
            channel.close(); // the sender closes too (SP 2.1 §4.2.1)
        }
    }

    // ------------------------------------------------------------------ DATA: the record path

    private void onData(ByteBuf frame) throws IpdrDecodeException {
        int length = Framing.dataRecordLength(frame);
        int sid = Framing.sessionId(frame);
        Session s = sessions[sid];
        if (s == null || state != State.READY) {
            protocolError(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "DATA for session " + sid + " without FLOW_START");
            return;
        }
        if (s.phase == SessionPhase.FLOW_STOPPED) {
            return; // sent before our FLOW_STOP arrived; never acked, the exporter re-sends it elsewhere
        }
        Document d = s.doc;
        if (d == null) {
            protocolError(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "DATA for session " + sid + " outside "
                    + "SESSION_START..SESSION_STOP");
            return;
        }
        int templateId = Framing.dataTemplateId(frame);
        int configId = Framing.dataConfigId(frame);
        RecordDecoder decoder = s.cachedDecoder;
        if (configId != s.cachedConfigId || templateId != s.cachedTemplateId) {
            decoder = s.history.decoder(configId, templateId);
            s.cachedConfigId = configId;
            s.cachedTemplateId = templateId;
            s.cachedDecoder = decoder;
        }
        if (decoder == null) {
            throw new IpdrDecodeException(IpdrDecodeException.Reason.UNKNOWN_TEMPLATE, "DATA names templateId "
                    + templateId + " configId " + configId + " which session " + sid + " never announced");
        }
        int index = Framing.dataRecordIndex(frame);
        decoder.validate(frame, index, length);
        long dsn = Framing.dataSequenceNum(frame);
        if (dsn < 0) {
            protocolError(ErrorCodes.MESSAGE_DECODE_ERROR, "DSN " + Long.toUnsignedString(dsn) + " beyond 2^63-1");
            return;
        }
        if (d.lastDsn != Long.MIN_VALUE && dsn <= d.lastDsn) {
            protocolError(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "DSN " + dsn + " after " + d.lastDsn
                    + " in session " + sid + ": out of sequence");
            return;
        }
        d.lastDsn = dsn;
        if (configId != d.lastConfigId) {
            d.lastConfigId = configId;
            saveTemplates(s, d.key.bootTime(), configId);
        }
        boolean duplicate = Framing.dataIsDuplicate(frame) || dsn < d.firstRecordSequenceNumber;
        byte[] copy = new byte[length];
        frame.getBytes(index, copy);
        long now = now();
        long ticket = d.ack.received(dsn, now);
        d.entry.dsn(dsn);
        d.entry.received.increment();
        s.status.received.increment();
        exporter.received.increment();
        ctx.metrics().received.mark();
        s.metrics.received(1);
        ctx.metrics().bytes.mark(length);
        if (duplicate) {
            countDuplicate(s, d);
        }
        inFlight++;
        d.writesInFlight++;
        ctx.metrics().inFlight.incrementAndGet();
        write(new PendingRecord(s, d, ticket, dsn, templateId, configId, duplicate, copy));
        if (inFlight >= ctx.storage().getMaxInFlightPerConnection() || !writer.hasCapacity()) {
            pauseReading();
        }
    }

    /**
     * Every record goes through dedup: certainly-new records take the plain batched writer (flushed at the end of the
     * read), the others are read first and written only if absent. STORED, DUPLICATE and CONFLICT are all durable, so all are acked.
     */
    private void write(PendingRecord p) {
        p.startedNanos = now();
        wroteSinceFlush = true;
        java.util.concurrent.CompletionStage<WriteOutcome> f;
        try {
            f = ctx.dedup().writeOwned(p.doc.handle, p.dsn, p.templateId, p.configId, p.duplicate, p.data);
        } catch (RuntimeException e) {
            f = java.util.concurrent.CompletableFuture.failedFuture(e); // retried like any failed write
        }
        f.whenComplete(p);
    }

    /** Event loop: apply the write completions queued by driver threads since the last drain. */
    private void drainCompleted() {
        drainScheduled.set(false);
        long now = now();
        PendingRecord p;
        while ((p = completed.poll()) != null) {
            if (p.failure == null) {
                ctx.metrics().writeLatency.update(now - p.startedNanos, TimeUnit.NANOSECONDS);
                if (p.outcome == WriteOutcome.DUPLICATE || p.outcome == WriteOutcome.CONFLICT) {
                    (p.outcome == WriteOutcome.DUPLICATE ? ctx.metrics().duplicateOutcomes
                            : ctx.metrics().conflictOutcomes).mark();
                    if (!p.duplicate) {
                        countDuplicate(p.session, p.doc); // received again without the D flag
                    }
                }
                written(p.session, p.doc, p.ticket);
            } else {
                failed(p);
            }
        }
        if (state != State.CLOSED) {
            maybeResumeReading();
        }
    }

    /** One record received again (the node's {@code duplicates} counters). */
    private void countDuplicate(Session s, Document d) {
        d.entry.duplicates.increment();
        s.status.duplicates.increment();
        exporter.duplicates.increment();
        ctx.metrics().duplicates.mark();
    }

    /** The document's stretch on this connection is over (SESSION_STOP, FLOW_STOP, connection lost). */
    private void ended(Document d) {
        d.ended = true;
        maybeRelease(d);
    }

    /** Tells dedup the stretch is over once its last write completed, so every durable number gets published. */
    private void maybeRelease(Document d) {
        if (d.ended && d.writesInFlight == 0 && !d.released) {
            d.released = true;
            try {
                ctx.dedup().sessionStopped(d.handle);
            } catch (RuntimeException e) {
                LOG.warn("{}: dedup did not take the end of {}: {}", exporter.name(), d.key, e.toString());
            }
        }
    }

    private void writeDone(Document d) {
        inFlight--;
        d.writesInFlight--;
        ctx.metrics().inFlight.decrementAndGet();
        maybeRelease(d);
    }

    private void written(Session s, Document d, long ticket) {
        d.writesInFlight--;
        maybeRelease(d);
        inFlight--;
        ctx.metrics().inFlight.decrementAndGet();
        ctx.metrics().stored.mark();
        d.entry.stored.increment();
        s.status.stored.increment();
        exporter.stored.increment();
        d.lastProgressNanos = now();
        d.ack.durable(ticket);
        if (state == State.CLOSED) {
            return;
        }
        if (d == s.doc) {
            maybeAck(s, d);
        } else {
            finishClosing(s);
        }
    }

    /**
     * A write failed (Cassandra down, timeout) or was refused (writer over its hard limit): the record is not acked
     * and is written again after a pause, until it succeeds or the connection closes. Meanwhile the ack point stays
     * where it is; after {@code stopFlowAfterSeconds} without progress the session gets FLOW_STOP (onTick).
     */
    private void failed(PendingRecord p) {
        boolean overloaded = p.failure instanceof StorageOverloadedException
                || p.failure.getCause() instanceof StorageOverloadedException;
        if (!overloaded) {
            ctx.metrics().writeFailures.mark();
        }
        if (state == State.CLOSED) {
            // never acked; the exporter re-sends it to whichever collector takes over
            writeDone(p.doc);
            return;
        }
        if (!overloaded && (p.attempt == 0 || p.attempt % 20 == 0)) {
            Throwable root = p.failure;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            LOG.warn("{}: write of session {} DSN {} failed (attempt {}): {} (cause: {})", exporter.name(),
                    p.session.id, p.dsn, p.attempt + 1, p.failure.toString(), root.toString());
            exporter.error("storage: " + p.failure.getMessage());
        }
        long delay = overloaded ? 20 : Math.min(2000, 50L << Math.min(p.attempt, 6));
        p.attempt++;
        p.failure = null;
        channel.eventLoop().schedule(() -> {
            if (state == State.CLOSED) {
                writeDone(p.doc);
            } else {
                write(p);
                writer.flush();
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void maybeAck(Session s, Document d) {
        if (s.phase == SessionPhase.ACTIVE && d.ack.ackDue(now())) {
            sendAck(s, d);
        }
    }

    private void sendAck(Session s, Document d) {
        long dsn = d.ack.ackValue();
        long covered = d.ack.durableUnacked();
        send(new DataAck(s.id, d.lastConfigId, dsn));
        d.ack.acked(now());
        long nowMillis = System.currentTimeMillis();
        d.entry.lastAckDsn = dsn;
        s.status.lastAckDsn = dsn;
        s.status.lastAckAtMillis = nowMillis;
        s.status.ackedRecords += covered;
        exporter.acked.add(covered);
        exporter.lastAckAtMillis = nowMillis;
        ctx.metrics().acked.mark(covered);
        s.metrics.acked(covered);
        if (now() - s.lastPublishNanos > 1000 * MS) {
            publish(s, false);
        }
    }

    /**
     * Stops reading this connection (TCP back-pressure to the exporter): its own records in flight reached the
     * per-connection bound, or the node-wide writer is full. Nothing is buffered beyond the read in progress.
     */
    private void pauseReading() {
        if (!readPaused) {
            readPaused = true;
            channel.config().setAutoRead(false);
            ctx.paused().add(this);
        }
    }

    /** Resumes with hysteresis (half the connection's bound, three quarters of the node's) to avoid flapping. */
    private void maybeResumeReading() {
        if (readPaused && inFlight <= ctx.storage().getMaxInFlightPerConnection() / 2
                && writer.pendingRecords() < ctx.storage().getMaxInFlight() * 3 / 4) {
            readPaused = false;
            ctx.paused().remove(this);
            channel.config().setAutoRead(true);
            channel.read();
        }
    }

    /** From the writer's capacity listener (a driver thread). */
    void resumeFromAnyThread() {
        Channel ch = channel;
        if (ch != null && ch.isActive()) {
            ch.eventLoop().execute(() -> {
                if (state != State.CLOSED) {
                    maybeResumeReading();
                }
            });
        }
    }

    // ------------------------------------------------------------------ timers

    private void onTick() {
        if (state == State.CLOSED) {
            return;
        }
        try {
            long now = now();
            long grace = Math.min(2000 * MS, Math.max(250 * MS, ownKeepAliveNanos / 10));
            if (now - lastReadNanos > ownKeepAliveNanos + grace) {
                sendError(ErrorCodes.KEEP_ALIVE_EXPIRED, "nothing received for " + (now - lastReadNanos) / MS + " ms");
                return;
            }
            long peer = peerKeepAliveNanos > 0 ? peerKeepAliveNanos : ownKeepAliveNanos;
            long margin = Math.min(2000 * MS, Math.max(peer / 4, 100 * MS));
            if (now - lastWriteNanos >= peer - margin) {
                send(new KeepAlive());
            }
            long stopAfter = ctx.storage().getStopFlowAfterSeconds() * 1000L * MS;
            for (Session s : sessions) {
                if (s == null) {
                    continue;
                }
                Document d = s.doc;
                if (d != null) {
                    maybeAck(s, d);
                    if (d.ack.pendingWrites() > 0 && now - d.lastProgressNanos > stopAfter
                            && d.ack.oldestWaitNanos(now) > stopAfter) {
                        stopFlow(s, "storage unavailable for " + (now - d.lastProgressNanos) / MS + " ms");
                    }
                } else if (s.phase == SessionPhase.FLOW_STOPPED && !s.probing && now >= s.nextProbeNanos) {
                    probeAndRestart(s);
                }
            }
            maybeResumeReading();
        } catch (RuntimeException e) {
            LOG.error("{}: timer failure", exporter.name(), e);
        }
    }

    /** Storage keeps failing: stop acking and ask the exporter to stop, so that it fails over (SP 2.1 §2.12). */
    private void stopFlow(Session s, String why) {
        LOG.warn("{}: FLOW_STOP session {}: {}", exporter.name(), s.id, why);
        exporter.error("FLOW_STOP: " + why);
        ctx.metrics().flowStops.inc();
        if (s.doc != null) {
            s.doc.entry.stopReason = -1;
            saveSegmentEnd(s.doc, null, "FLOW_STOP: " + why);
            ended(s.doc);
        }
        s.doc = null;
        s.closing.clear();
        s.metrics.noDocument();
        s.phase = SessionPhase.FLOW_STOPPED;
        s.status.state = "FLOW_STOPPED";
        s.status.documentId = "";
        s.nextProbeNanos = now() + 2000 * MS;
        send(new FlowStop(s.id, io.ipdrsp.protocol.FlowStopReason.PROCESS_ERROR, why));
        publish(s, false);
    }

    private void probeAndRestart(Session s) {
        s.probing = true;
        ctx.store().probe().whenComplete((ok, ex) -> channel.eventLoop().execute(() -> {
            s.probing = false;
            s.nextProbeNanos = now() + 2000 * MS;
            if (state != State.CLOSED && s.phase == SessionPhase.FLOW_STOPPED && ex == null
                    && Boolean.TRUE.equals(ok)) {
                LOG.info("{}: storage is back; FLOW_START session {} again", exporter.name(), s.id);
                startFlow(s);
            }
        }));
    }

    // ------------------------------------------------------------------ sending

    private void send(IpdrMessage m) {
        if (channel == null || !channel.isActive()) {
            return;
        }
        lastWriteNanos = now();
        channel.writeAndFlush(MessageCodec.encode(m, channel.alloc()), channel.voidPromise());
    }

    /** Bad input: ERROR (connection-level) and close; other connections keep flowing. */
    private void protocolError(int code, String description) {
        ctx.metrics().errorsSent.inc();
        exporter.errorsSent.increment();
        LOG.warn("{}: protocol error {} ({}): {}; closing {}", exporter.name(), code, ErrorCodes.name(code),
                description, remote());
        sendError(code, description);
    }

    private void sendError(int code, String description) {
        exporter.error("sent ERROR " + code + ": " + description);
        state = State.CLOSED;
        if (channel == null || !channel.isActive()) {
            return;
        }
        String text = description.length() > 500 ? description.substring(0, 500) : description;
        channel.config().setAutoRead(false);
        channel.writeAndFlush(MessageCodec.encode(new ErrorMessage(0, System.currentTimeMillis() / 1000, false,
                code, text), channel.alloc())).addListener(ChannelFutureListener.CLOSE);
    }

    // ------------------------------------------------------------------ cluster view

    private void publish(Session s, boolean disconnected) {
        s.lastPublishNanos = now();
        ExporterState.SessionStatus st = s.status;
        String role = disconnected ? "idle" : st.role();
        try {
            ctx.registry().publish(new SessionState(ctx.identity().getId(), exporter.name(), s.id, st.name,
                    role.toUpperCase(Locale.ROOT), disconnected ? "" : st.documentId, st.exporterBootTime,
                    st.received.sum(), st.stored.sum(), st.lastAckDsn, st.duplicates.sum(),
                    System.currentTimeMillis()));
        } catch (RuntimeException e) {
            LOG.debug("{}: cluster registry unavailable: {}", exporter.name(), e.toString());
        }
    }

    private String remote() {
        return channel == null || channel.remoteAddress() == null ? "" : channel.remoteAddress().toString();
    }

    /** Closes the connection politely (node shutdown): DISCONNECT, then close. */
    public void disconnect() {
        if (channel != null && channel.isActive()) {
            channel.eventLoop().execute(() -> {
                state = State.CLOSED;
                channel.writeAndFlush(MessageCodec.encode(new io.ipdrsp.protocol.Disconnect(), channel.alloc()))
                        .addListener(ChannelFutureListener.CLOSE);
            });
        }
    }

    public Channel channel() {
        return channel;
    }
}
