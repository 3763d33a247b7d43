package io.ipdrsp.simulator;

import io.ipdrsp.protocol.Bytes;
import io.ipdrsp.protocol.Capabilities;
import io.ipdrsp.protocol.Connect;
import io.ipdrsp.protocol.ConnectResponse;
import io.ipdrsp.protocol.DataAck;
import io.ipdrsp.protocol.Disconnect;
import io.ipdrsp.protocol.ErrorCodes;
import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.FinalTemplateDataAck;
import io.ipdrsp.protocol.FlowStart;
import io.ipdrsp.protocol.FlowStop;
import io.ipdrsp.protocol.GetSessions;
import io.ipdrsp.protocol.GetSessionsResponse;
import io.ipdrsp.protocol.GetTemplates;
import io.ipdrsp.protocol.GetTemplatesResponse;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.KeepAlive;
import io.ipdrsp.protocol.MessageCodec;
import io.ipdrsp.protocol.ModifyTemplate;
import io.ipdrsp.protocol.ModifyTemplateResponse;
import io.ipdrsp.protocol.SessionBlock;
import io.ipdrsp.protocol.SessionStart;
import io.ipdrsp.protocol.SessionStop;
import io.ipdrsp.protocol.SessionStopReason;
import io.ipdrsp.protocol.StartNegotiation;
import io.ipdrsp.protocol.StartNegotiationReject;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.protocol.TemplateData;
import io.ipdrsp.protocol.UnknownMessage;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated CMTS: an IPDR/SP 2.1 exporter with its own identity, sessions and collector connections. All of its
 * state lives on one Netty event loop, so nothing in here is locked; the public methods hand their work to that
 * loop. Obtain instances from {@link Fleet#cmts(String)}.
 */
public final class SimulatedCmts {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedCmts.class);
    private static final long NTP_EPOCH_OFFSET = 2_208_988_800L; // seconds from 1900-01-01 to 1970-01-01
    private static final int TICK_MILLIS = 10;
    private static final int BATCH_BYTES = 64 * 1024;

    final CmtsSpec spec;
    final EventLoop loop;
    private final Fleet fleet;
    private final Ledger ledger;
    private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C(); // event-loop confined
    private final Map<String, TemplateBlock> scenarioTemplates;
    final List<Link> links = new ArrayList<>();
    final Map<Integer, SessionRuntime> sessions = new LinkedHashMap<>();
    private CmtsIdentity identity;
    private Channel server;
    private volatile int boundPort;
    private ScheduledFuture<?> ticker;
    private long frozenUntil;
    private long lastTimeWord;
    private boolean stopped;
    private long lastTick;

    SimulatedCmts(CmtsSpec spec, EventLoop loop, Fleet fleet, Ledger ledger, Map<String, TemplateBlock> templates) {
        this.spec = spec;
        this.loop = loop;
        this.fleet = fleet;
        this.ledger = ledger;
        this.scenarioTemplates = templates;
        this.identity = new CmtsIdentity(spec.name(), spec.mac(), ipv4Of(spec.listenHost()), ipv6Of(spec.mac()),
                spec.modems(), System.currentTimeMillis() / 1000);
        for (CollectorSpec c : spec.collectors()) {
            links.add(new Link(c));
        }
        links.sort((a, b) -> Integer.compare(a.spec.priority(), b.spec.priority()));
        for (SessionSpec s : spec.sessions()) {
            sessions.put(s.sessionId(), new SessionRuntime(s));
        }
    }

    // ------------------------------------------------------------------------------------------------ public API

    public String name() {
        return spec.name();
    }

    public CmtsSpec spec() {
        return spec;
    }

    /** The port this CMTS listens on (LISTEN direction; useful with port 0), or 0. */
    public int listenPort() {
        return boundPort;
    }

    /** Current exporterBootTime (changes on {@link Fault.Action#REBOOT}). */
    public long exporterBootTime() {
        return call(() -> identity.bootTimeSeconds());
    }

    /** Name of the collector that is primary for the session right now, or null. */
    public String primaryCollector(int sessionId) {
        return call(() -> {
            SessionRuntime s = sessions.get(sessionId);
            return s == null || s.primary == null ? null : s.primary.spec.name();
        });
    }

    /** Injects a fault now (its {@code at} is ignored). */
    public void inject(Fault fault) {
        loop.execute(() -> apply(fault));
    }

    // ----------------------------------------------------------------------------------------------- lifecycle

    CompletableFuture<Void> start() {
        CompletableFuture<Void> started = new CompletableFuture<>();
        loop.execute(() -> {
            long now = System.nanoTime();
            lastTick = now;
            for (SessionRuntime s : sessions.values()) {
                s.begin(now);
            }
            ticker = loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
            openTransport(started);
        });
        return started;
    }

    private void openTransport(CompletableFuture<Void> started) {
        if (spec.direction() == Direction.LISTEN) {
            new ServerBootstrap().group(loop, loop).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new WireHandler.Init(this, null))
                    .bind(spec.listenHost() == null ? "0.0.0.0" : spec.listenHost(),
                            boundPort != 0 ? boundPort : spec.listenPort())
                    .addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            server = f.channel();
                            boundPort = ((InetSocketAddress) server.localAddress()).getPort();
                            LOG.info("{} listening on {}", spec.name(), server.localAddress());
                            started.complete(null);
                        } else {
                            started.completeExceptionally(f.cause());
                        }
                    });
        } else {
            for (Link l : links) {
                connect(l);
            }
            started.complete(null);
        }
    }

    CompletableFuture<Void> stop() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            gracefulStop();
            done.complete(null);
        });
        return done;
    }

    private void gracefulStop() {
        if (stopped) {
            return;
        }
        stopped = true;
        for (SessionRuntime s : sessions.values()) {
            for (Link l : links) {
                LinkSession ls = l.sessions.get(s.spec.sessionId());
                if (ls != null && ls.activeDoc != null && l.isOpen()) {
                    l.send(new SessionStop(s.spec.sessionId(), SessionStopReason.EXPORTER_TERMINATING,
                            "exporter terminating"));
                    ls.activeDoc.entry.stopped(SessionStopReason.EXPORTER_TERMINATING);
                    ls.activeDoc = null;
                }
            }
        }
        for (Link l : links) {
            if (l.channel != null && l.channel.isActive()) {
                l.send(new Disconnect());
                l.channel.flush();
                l.channel.close();
            }
        }
        if (server != null) {
            server.close();
        }
        if (ticker != null) {
            ticker.cancel(false);
        }
    }

    // ---------------------------------------------------------------------------------------------- transport

    private void connect(Link l) {
        if (stopped || l.channel != null || l.connecting) {
            return;
        }
        long now = System.nanoTime();
        if (l.refuseUntil > now) {
            l.scheduleReconnect(l.refuseUntil - now);
            return;
        }
        l.connecting = true;
        Bootstrap b = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3000)
                .handler(new WireHandler.Init(this, l));
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

    /** A new TCP connection is up; {@code outbound} is the link we dialled, null for an accepted one. */
    void channelActive(Channel ch, Link outbound) {
        long now = System.nanoTime();
        if (outbound != null) {
            if (stopped) {
                ch.close();
                return;
            }
            outbound.attach(ch, now);
            InetSocketAddress local = (InetSocketAddress) ch.localAddress();
            outbound.send(new Connect(ipv4Int(local.getAddress()), local.getPort(), spec.capabilities(),
                    spec.keepAliveSeconds(), spec.vendorId()));
            outbound.state = LinkState.AWAIT_CONNECT_RESPONSE;
            return;
        }
        InetAddress remote = ((InetSocketAddress) ch.remoteAddress()).getAddress();
        Link match = null;
        for (Link l : links) {
            if (l.channel == null && l.matches(remote)) {
                match = l;
                break;
            }
        }
        if (match == null || stopped) {
            // Arris answers unknown collectors with a vendor error (257 "collector not configured").
            ch.writeAndFlush(MessageCodec.encode(new ErrorMessage(0, System.currentTimeMillis() / 1000, false, 257,
                    "collector not configured"), ch.alloc())).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (match.refuseUntil > now) {
            ch.close();
            return;
        }
        match.attach(ch, now);
        match.state = LinkState.AWAIT_CONNECT;
    }

    void channelInactive(Link l, Channel ch) {
        if (l == null || l.channel != ch) {
            return;
        }
        LOG.info("{}: connection to {} closed", spec.name(), l.spec.name());
        l.detach();
        for (SessionRuntime s : sessions.values()) {
            s.pump(System.nanoTime());
        }
        if (spec.direction() == Direction.CONNECT && !stopped) {
            l.scheduleReconnect(spec.reconnectDelay().toNanos());
        }
    }

    void writabilityChanged(Link l) {
        if (l != null && l.channel != null && l.channel.isWritable()) {
            for (SessionRuntime s : sessions.values()) {
                if (s.primary == l) {
                    s.pump(System.nanoTime());
                }
            }
        }
    }

    void decodeFailed(Link l, Channel ch, String why) {
        LOG.warn("{}: undecodable message from {}: {}", spec.name(), l == null ? ch.remoteAddress() : l.spec.name(),
                why);
        ch.writeAndFlush(MessageCodec.encode(new ErrorMessage(0, System.currentTimeMillis() / 1000, false,
                ErrorCodes.MESSAGE_DECODE_ERROR, why), ch.alloc())).addListener(ChannelFutureListener.CLOSE);
    }

    // ---------------------------------------------------------------------------------------------- messages

    void onMessage(Link l, IpdrMessage m) {
        long now = System.nanoTime();
        l.lastRead = now;
        if (l.state == LinkState.AWAIT_CONNECT) {
            if (m instanceof Connect c) {
                l.capabilities = c.capabilities() & spec.capabilities();
                l.peerKeepAlive = c.keepAliveInterval();
                l.send(new ConnectResponse(l.capabilities, spec.keepAliveSeconds(), spec.vendorId()));
                l.state = LinkState.OPEN;
            } else {
                l.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "expected CONNECT, got " + m.type());
            }
            return;
        }
        if (l.state == LinkState.AWAIT_CONNECT_RESPONSE) {
            if (m instanceof ConnectResponse r) {
                l.capabilities = r.capabilities() & spec.capabilities();
                l.peerKeepAlive = r.keepAliveInterval();
                l.state = LinkState.OPEN;
            } else {
                l.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE, "expected CONNECT_RESPONSE, got " + m.type());
            }
            return;
        }
        if (m instanceof KeepAlive) {
            return;
        } else if (m instanceof GetSessions g) {
            l.send(new GetSessionsResponse(g.requestId(), sessionBlocks()));
        } else if (m instanceof GetTemplates g) {
            SessionRuntime s = session(l, g.sessionId());
            if (s != null) {
                TemplateConfig c = s.headConfig();
                l.send(new GetTemplatesResponse(g.sessionId(), g.requestId(), c.configId, c.blocks));
            }
        } else if (m instanceof FlowStart f) {
            onFlowStart(l, f.sessionId(), now);
        } else if (m instanceof FlowStop f) {
            SessionRuntime s = session(l, f.sessionId());
            if (s != null) {
                s.leave(l, now, true);
            }
        } else if (m instanceof FinalTemplateDataAck a) {
            SessionRuntime s = session(l, a.sessionId());
            if (s != null) {
                LinkSession ls = l.session(a.sessionId());
                if (ls.state != LsState.TEMPLATES_SENT) {
                    l.sessionError(a.sessionId(), ErrorCodes.MESSAGE_INVALID_FOR_STATE,
                            "FINAL_TEMPLATE_DATA_ACK without TEMPLATE_DATA");
                } else {
                    ls.state = LsState.READY;
                    s.pump(now);
                }
            }
        } else if (m instanceof ModifyTemplate mt) {
            onModifyTemplate(l, mt, now);
        } else if (m instanceof StartNegotiation sn) {
            onStartNegotiation(l, sn.sessionId(), now);
        } else if (m instanceof DataAck a) {
            SessionRuntime s = session(l, a.sessionId());
            if (s != null && !l.ignoringAcks(now)) {
                s.onAck(l, a.sequenceNum(), now);
            }
        } else if (m instanceof ErrorMessage e) {
            LOG.info("{}: ERROR {} from {}: {}", spec.name(), e.errorCode(), l.spec.name(), e.description());
            if (e.sessionSpecific()) {
                SessionRuntime s = sessions.get(e.sessionId());
                if (s != null) {
                    s.leave(l, now, true);
                }
            } else {
                l.channel.close();
            }
        } else if (m instanceof Disconnect) {
            l.channel.close();
        } else if (m instanceof UnknownMessage u) {
            LOG.debug("{}: skipping unknown message 0x{}", spec.name(), Integer.toHexString(u.messageId()));
        } else {
            l.fail(ErrorCodes.MESSAGE_INVALID_FOR_STATE, m.type() + " is not sent to an exporter");
        }
    }

    private SessionRuntime session(Link l, int sessionId) {
        SessionRuntime s = sessions.get(sessionId);
        if (s == null) {
            l.sessionError(sessionId, ErrorCodes.MESSAGE_INVALID_FOR_STATE, "no session " + sessionId);
        }
        return s;
    }

    private List<SessionBlock> sessionBlocks() {
        List<SessionBlock> out = new ArrayList<>();
        for (SessionRuntime s : sessions.values()) {
            int ackTime = s.spec.ackTimeInterval() * (spec.quirks().ackTimeMillisInGetSessions() ? 1000 : 1);
            out.add(new SessionBlock(s.spec.sessionId(), 0, s.spec.name(),
                    s.spec.type().name().toLowerCase().replace('_', '-') + " " + s.spec.template(), ackTime,
                    s.spec.ackSequenceInterval()));
        }
        return out;
    }

    private void onFlowStart(Link l, int sessionId, long now) {
        SessionRuntime s = session(l, sessionId);
        if (s == null) {
            return;
        }
        if (!Capabilities.has(l.capabilities, Capabilities.MULTISESSION)) {
            for (Map.Entry<Integer, LinkSession> e : l.sessions.entrySet()) {
                if (e.getKey() != sessionId && e.getValue().state != LsState.IDLE) {
                    l.sessionError(sessionId, ErrorCodes.MESSAGE_INVALID_FOR_CAPABILITIES,
                            "a second session needs MULTISESSION");
                    return;
                }
            }
        }
        LinkSession ls = l.session(sessionId);
        if (ls.state != LsState.IDLE) {
            l.sessionError(sessionId, ErrorCodes.MESSAGE_INVALID_FOR_STATE, "flow already started");
            return;
        }
        s.sendTemplates(l, ls, negotiable(l) && s.headConfig() == s.config);
    }

    /** Negotiation is offered only to the highest-priority collector (SP 2.1 §2.13.2). */
    private boolean negotiable(Link l) {
        return Capabilities.has(l.capabilities, Capabilities.TEMPLATE_NEGOTIATION) && l == links.get(0);
    }

    private void onModifyTemplate(Link l, ModifyTemplate mt, long now) {
        SessionRuntime s = session(l, mt.sessionId());
        if (s == null) {
            return;
        }
        LinkSession ls = l.session(mt.sessionId());
        if (!Capabilities.has(l.capabilities, Capabilities.TEMPLATE_NEGOTIATION)) {
            l.sessionError(mt.sessionId(), ErrorCodes.MESSAGE_INVALID_FOR_CAPABILITIES,
                    "TEMPLATE_NEGOTIATION was not negotiated");
            return;
        }
        if (ls.state != LsState.TEMPLATES_SENT || !ls.negotiable) {
            l.sessionError(mt.sessionId(), ErrorCodes.MESSAGE_INVALID_FOR_STATE, "templates are not negotiable now");
            return;
        }
        TemplateConfig cfg = s.negotiate(mt.templates());
        ls.announcedConfigId = cfg.configId;
        l.send(new ModifyTemplateResponse(mt.sessionId(), cfg.configId, 0, cfg.blocks));
    }

    private void onStartNegotiation(Link l, int sessionId, long now) {
        SessionRuntime s = session(l, sessionId);
        if (s == null) {
            return;
        }
        if (!Capabilities.has(l.capabilities, Capabilities.TEMPLATE_NEGOTIATION)) {
            l.sessionError(sessionId, ErrorCodes.MESSAGE_INVALID_FOR_CAPABILITIES,
                    "TEMPLATE_NEGOTIATION was not negotiated");
            return;
        }
        LinkSession ls = l.session(sessionId);
        if (!negotiable(l) || ls.state == LsState.IDLE || s.headConfig() != s.config) {
            l.send(new StartNegotiationReject(sessionId));
            return;
        }
        if (ls.activeDoc != null) {
            s.stopOn(l, ls, SessionStopReason.START_NEGOTIATION_ACK, "start negotiation", now);
        }
        s.sendTemplates(l, ls, true);
    }

    // ------------------------------------------------------------------------------------------------- ticking

    private void tick() {
        long now = System.nanoTime();
        long dt = now - lastTick;
        lastTick = now;
        if (stopped) {
            return;
        }
        boolean frozen = frozenUntil > now;
        for (Link l : links) {
            if (!l.isOpen()) {
                continue;
            }
            if (now - l.lastRead > (spec.keepAliveSeconds() * 1000L + 500) * 1_000_000L) {
                LOG.info("{}: collector {} silent for {} s, declaring it dead", spec.name(), l.spec.name(),
                        spec.keepAliveSeconds());
                l.fail(ErrorCodes.KEEP_ALIVE_EXPIRED, "keep-alive expired");
                continue;
            }
            // Send well before the peer's limit: half its interval, so a busy loop never makes us late.
            long every = Math.max(200L, l.peerKeepAlive * 1000L / 2) * 1_000_000L;
            if (!frozen && l.peerKeepAlive > 0 && now - l.lastWrite > every) {
                l.send(new KeepAlive());
            }
        }
        for (SessionRuntime s : sessions.values()) {
            s.tick(now, dt, frozen);
        }
    }

    // ------------------------------------------------------------------------------------------------- faults

    private void apply(Fault f) {
        long now = System.nanoTime();
        long until = f.duration() == null ? Long.MAX_VALUE : now + f.duration().toNanos();
        LOG.info("{}: fault {}", spec.name(), f);
        switch (f.action()) {
            case SEVER -> forLinks(f, l -> {
                if (l.channel != null) {
                    l.channel.close();
                }
            });
            case FREEZE -> frozenUntil = until;
            case IGNORE_ACKS -> forLinks(f, l -> l.ignoreAcksUntil = until);
            case STALL -> forLinks(f, l -> {
                l.stallUntil = until;
                if (l.channel != null) {
                    l.channel.config().setAutoRead(false);
                }
                if (f.duration() != null) {
                    loop.schedule(() -> {
                        if (l.channel != null) {
                            l.channel.config().setAutoRead(true);
                        }
                    }, f.duration().toNanos(), TimeUnit.NANOSECONDS);
                }
            });
            case REFUSE_RECONNECTS -> forLinks(f, l -> l.refuseUntil = until);
            case DROP -> forSessions(f, s -> s.dropOnPurpose(f.count(), now));
            case LOSE -> forSessions(f, s -> s.loseSilently(f.count()));
            case CHANGE_TEMPLATE -> forSessions(f, s -> s.changeTemplate(now));
            case AD_HOC -> forSessions(f, s -> s.adHoc(now));
            case REBOOT -> reboot(f.duration() == null ? Duration.ofSeconds(1) : f.duration());
            case STOP -> gracefulStop();
            default -> throw new IllegalStateException();
        }
    }

    private void forLinks(Fault f, java.util.function.Consumer<Link> action) {
        for (Link l : links) {
            if (f.collector() == null || f.collector() == l.spec.priority()) {
                action.accept(l);
            }
        }
    }

    private void forSessions(Fault f, java.util.function.Consumer<SessionRuntime> action) {
        for (SessionRuntime s : sessions.values()) {
            if (f.session() == null || f.session() == s.spec.sessionId()) {
                action.accept(s);
                s.pump(System.nanoTime());
            }
        }
    }

    private void reboot(Duration downtime) {
        long now = System.nanoTime();
        stopped = true; // keeps reconnect attempts and ticks away while "down"
        for (Link l : links) {
            if (l.channel != null) {
                l.channel.close();
                l.detach();
            }
        }
        if (server != null) {
            server.close();
            server = null;
        }
        for (SessionRuntime s : sessions.values()) {
            s.lostOnReboot();
        }
        long newBoot = Math.max(System.currentTimeMillis() / 1000, identity.bootTimeSeconds() + 1);
        identity = identity.withBootTime(newBoot);
        loop.schedule(() -> {
            stopped = false;
            long t = System.nanoTime();
            for (SessionRuntime s : sessions.values()) {
                s.begin(t);
            }
            openTransport(new CompletableFuture<>());
        }, downtime.toNanos(), TimeUnit.NANOSECONDS);
        LOG.info("{}: rebooting, new exporterBootTime {} in {}", spec.name(), newBoot, downtime);
        lastTick = now;
    }

    // -------------------------------------------------------------------------------------------------- helpers

    private <T> T call(java.util.concurrent.Callable<T> c) {
        if (loop.inEventLoop()) {
            try {
                return c.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return loop.submit(c).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("CMTS " + spec.name() + " did not answer", e);
        }
    }

    /** DOCSIS layout: 32-bit time word (NTP-era seconds, strictly increasing per CMTS), zeros, CMTS MAC. */
    private byte[] newDocumentId() {
        long word = (System.currentTimeMillis() / 1000 + NTP_EPOCH_OFFSET) & 0xffffffffL;
        word = Math.max(word, lastTimeWord + 1) & 0xffffffffL;
        lastTimeWord = word;
        ByteBuffer b = ByteBuffer.allocate(16);
        b.putInt((int) word).putShort((short) 0).putShort((short) 0).putShort((short) 0);
        b.putShort((short) (spec.mac() >>> 32)).putInt((int) spec.mac());
        return b.array();
    }

    static String uuidText(byte[] id) {
        String h = HexFormat.of().formatHex(id);
        return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20)
                + "-" + h.substring(20);
    }

    private static int ipv4Of(String host) {
        try {
            InetAddress a = InetAddress.getByName(host == null ? "192.0.2.1" : host);
            return a instanceof Inet4Address ? ipv4Int(a) : 0xC0000201;
        } catch (UnknownHostException e) {
            return 0xC0000201;
        }
    }

    static int ipv4Int(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 ? ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff) : 0;
    }

    private static byte[] ipv6Of(long mac) {
        return new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, (byte) (mac >>> 8), (byte) mac, 0, 0, 0, 0, 0, 0, 0, 1};
    }

    // ================================================================================================ links

    enum LinkState { DOWN, AWAIT_CONNECT, AWAIT_CONNECT_RESPONSE, OPEN }

    enum LsState { IDLE, TEMPLATES_SENT, READY }

    /** The per-session view of one collector connection. */
    static final class LinkSession {
        LsState state = LsState.IDLE;
        int announcedConfigId = -1;
        boolean negotiable;
        Doc activeDoc;
        long suspendedUntil;
    }

    /** One configured collector and its (at most one) TCP connection. */
    final class Link {
        final CollectorSpec spec;
        final InetAddress[] addresses;
        Channel channel;
        boolean connecting;
        LinkState state = LinkState.DOWN;
        int capabilities;
        int peerKeepAlive;
        long lastRead;
        long lastWrite;
        long refuseUntil;
        long ignoreAcksUntil;
        long stallUntil;
        ScheduledFuture<?> reconnect;
        final Map<Integer, LinkSession> sessions = new LinkedHashMap<>();

        Link(CollectorSpec spec) {
            this.spec = spec;
            InetAddress[] a;
            try {
                a = InetAddress.getAllByName(spec.host());
            } catch (UnknownHostException e) {
                a = new InetAddress[0];
            }
            this.addresses = a;
        }

        boolean matches(InetAddress remote) {
            for (InetAddress a : addresses) {
                if (a.equals(remote)) {
                    return true;
                }
            }
            return false;
        }

        boolean isOpen() {
            return state == LinkState.OPEN && channel != null && channel.isActive();
        }

        boolean ignoringAcks(long now) {
            return ignoreAcksUntil > now;
        }

        LinkSession session(int id) {
            return sessions.computeIfAbsent(id, k -> new LinkSession());
        }

        void attach(Channel ch, long now) {
            channel = ch;
            ch.attr(WireHandler.LINK).set(this);
            lastRead = now;
            lastWrite = now;
            sessions.clear();
            if (stallUntil > now) {
                ch.config().setAutoRead(false);
            }
        }

        void detach() {
            channel = null;
            state = LinkState.DOWN;
            for (Map.Entry<Integer, LinkSession> e : sessions.entrySet()) {
                SessionRuntime s = SimulatedCmts.this.sessions.get(e.getKey());
                if (s != null) {
                    s.lost(this);
                }
            }
            sessions.clear();
        }

        void scheduleReconnect(long delayNanos) {
            if (reconnect != null && !reconnect.isDone()) {
                return;
            }
            reconnect = loop.schedule(() -> connect(this), Math.max(delayNanos, 1_000_000L), TimeUnit.NANOSECONDS);
        }

        void send(IpdrMessage m) {
            if (channel == null) {
                return;
            }
            lastWrite = System.nanoTime();
            channel.writeAndFlush(MessageCodec.encode(m, channel.alloc()), channel.voidPromise());
        }

        /** Connection-level protocol violation: ERROR, then close (SP 2.1 §4.2.1). */
        void fail(int code, String why) {
            LOG.info("{}: closing connection to {}: {}", SimulatedCmts.this.spec.name(), spec.name(), why);
            Channel ch = channel;
            if (ch != null) {
                lastWrite = System.nanoTime();
                ch.writeAndFlush(MessageCodec.encode(new ErrorMessage(0, System.currentTimeMillis() / 1000, false,
                        code, why), ch.alloc())).addListener(ChannelFutureListener.CLOSE);
            }
        }

        void sessionError(int sessionId, int code, String why) {
            LOG.info("{}: session error to {}: {}", SimulatedCmts.this.spec.name(), spec.name(), why);
            send(new ErrorMessage(sessionId, System.currentTimeMillis() / 1000, true, code, why));
        }
    }

    // ============================================================================================== sessions

    /** A template set version: one template per session here, identified by configId. */
    static final class TemplateConfig {
        final int configId;
        final List<TemplateBlock> blocks;
        final RecordFactory factory;
        byte[][] pool; // pre-encoded records, load mode

        TemplateConfig(int configId, TemplateBlock block, RecordFactory factory) {
            this.configId = configId;
            this.blocks = List.of(block);
            this.factory = factory;
        }
    }

    /** One document: a documentId and the DSN bookkeeping of its records. */
    static final class Doc {
        final byte[] id;
        final String idText;
        final long index;
        TemplateConfig config;
        final Ledger.Entry entry;
        final long limit; // ad-hoc record count, or Long.MAX_VALUE
        final long createdMillis = System.currentTimeMillis();
        long nextGen;     // next DSN to generate
        long held;        // every DSN below is acknowledged or dropped
        long nextSend;    // next DSN to send to the primary
        long maxSent;     // one past the highest DSN ever sent
        long resentUpTo;  // DSNs below this and >= held were sent before: re-send with the D flag
        final RangeSet holes = new RangeSet(); // silently lost DSNs
        final SendTimes sendTimes = new SendTimes();
        boolean closing;
        int stopReason;

        Doc(byte[] id, long index, TemplateConfig config, Ledger.Entry entry, long limit) {
            this.id = id;
            this.idText = uuidText(id);
            this.index = index;
            this.config = config;
            this.entry = entry;
            this.limit = limit;
        }

        long buffered() {
            return nextGen - held;
        }
    }

    final class SessionRuntime {
        final SessionSpec spec;
        final ArrayDeque<Doc> docs = new ArrayDeque<>();
        TemplateConfig config;
        Link primary;
        long pendingDeclaredDrops;
        long dropRequest;
        long dropAt = -1;
        double tokens;
        long docCounter;
        long generatedTotal;
        long nextBoundary;
        long ackDeadline;
        private final TemplateBlock baseTemplate;

        SessionRuntime(SessionSpec spec) {
            this.spec = spec;
            TemplateBlock t = scenarioTemplates.get(spec.template());
            if (t == null) {
                t = Templates.builtIn(spec.template(), 1);
            }
            if (t == null) {
                throw new IllegalArgumentException("session " + spec.sessionId() + ": unknown template "
                        + spec.template());
            }
            baseTemplate = t;
        }

        /** Start (or restart after reboot): fresh config and first document. */
        void begin(long now) {
            config = makeConfig(config == null ? 1 : config.configId, baseTemplateOrCurrent());
            docs.clear();
            primary = null;
            tokens = 0;
            generatedTotal = 0;
            docs.add(newDoc()); // ad-hoc: the first export runs at start; more on AD_HOC faults or every interval
            nextBoundary = spec.interval() == null ? Long.MAX_VALUE : now + spec.interval().toNanos();
        }

        private TemplateBlock baseTemplateOrCurrent() {
            return config == null ? baseTemplate : config.blocks.get(0);
        }

        TemplateConfig makeConfig(int configId, TemplateBlock block) {
            TemplateConfig c = new TemplateConfig(configId, block,
                    new RecordFactory(block, identity, SimulatedCmts.this.spec.quirks().ipv6Raw()));
            if (spec.preEncoded()) {
                c.pool = new byte[256][];
                ByteBuf tmp = io.netty.buffer.Unpooled.buffer(1024);
                long ms = System.currentTimeMillis();
                for (int i = 0; i < c.pool.length; i++) {
                    tmp.clear();
                    c.factory.write(tmp, 0, i, ms);
                    c.pool[i] = new byte[tmp.readableBytes()];
                    tmp.readBytes(c.pool[i]);
                }
            }
            return c;
        }

        Doc newDoc() {
            byte[] id = newDocumentId();
            long limit = spec.type() == SessionType.AD_HOC ? spec.records() : Long.MAX_VALUE;
            Ledger.Entry e = ledger.open(SimulatedCmts.this.spec.name(), spec.sessionId(), uuidText(id),
                    identity.bootTimeSeconds(), config.configId);
            return new Doc(id, docCounter++, config, e, limit);
        }

        TemplateConfig headConfig() {
            Doc h = docs.peekFirst();
            return h == null ? config : h.config;
        }

        void sendTemplates(Link l, LinkSession ls, boolean negotiable) {
            TemplateConfig c = headConfig();
            ls.state = LsState.TEMPLATES_SENT;
            ls.negotiable = negotiable;
            ls.announcedConfigId = c.configId;
            l.send(new TemplateData(spec.sessionId(), c.configId, negotiable ? TemplateData.FLAG_NEGOTIABLE : 0,
                    c.blocks));
        }

        /** Applies a MODIFY_TEMPLATE: enabled flags by fieldId; a new configId whenever something changed. */
        TemplateConfig negotiate(List<TemplateBlock> asked) {
            TemplateConfig current = headConfig();
            TemplateBlock mine = current.blocks.get(0);
            TemplateBlock theirs = asked.stream().filter(b -> b.templateId() == mine.templateId()).findFirst()
                    .orElse(null);
            if (theirs == null) {
                return current;
            }
            List<FieldDescriptor> fields = new ArrayList<>();
            boolean changed = false;
            for (FieldDescriptor f : mine.fields()) {
                boolean on = theirs.fields().stream().filter(x -> x.fieldId() == f.fieldId()).findFirst()
                        .map(FieldDescriptor::enabled).orElse(f.enabled());
                changed |= on != f.enabled();
                fields.add(f.withEnabled(on));
            }
            if (!changed) {
                return current;
            }
            TemplateBlock nb = new TemplateBlock(mine.templateId(), mine.schemaName(), mine.typeName(), fields);
            TemplateConfig nc = makeConfig(nextConfigId(), nb);
            replaceConfig(nc, SessionStopReason.TEMPLATE_DATA_UPDATED, System.nanoTime());
            return nc;
        }

        private int nextConfigId() {
            return (config.configId + 1) & 0xffff;
        }

        /** New template set: documents nobody has seen yet switch to it, otherwise a new document follows. */
        void replaceConfig(TemplateConfig nc, int reason, long now) {
            config = nc;
            for (Doc d : docs) {
                if (d.maxSent == 0 && !startedAnywhere(d)) {
                    d.config = nc; // records are built when sent, so unsent ones simply take the new layout
                    d.entry.config(nc.configId);
                }
            }
            Doc tail = docs.peekLast();
            if (tail != null && tail.config != nc && !tail.closing) {
                tail.closing = true;
                tail.stopReason = reason;
                docs.add(newDoc());
            }
        }

        private boolean startedAnywhere(Doc d) {
            for (Link l : links) {
                LinkSession ls = l.sessions.get(spec.sessionId());
                if (ls != null && ls.activeDoc == d) {
                    return true;
                }
            }
            return false;
        }

        void changeTemplate(long now) {
            TemplateBlock cur = config.blocks.get(0);
            List<FieldDescriptor> fields = new ArrayList<>(cur.fields());
            // Toggle the last field: a visible change of record layout with the same templateId.
            int last = fields.size() - 1;
            fields.set(last, fields.get(last).withEnabled(!fields.get(last).enabled()));
            if (fields.stream().noneMatch(FieldDescriptor::enabled)) {
                fields.set(0, fields.get(0).withEnabled(true));
            }
            TemplateBlock nb = new TemplateBlock(cur.templateId(), cur.schemaName(), cur.typeName(), fields);
            replaceConfig(makeConfig(nextConfigId(), nb), SessionStopReason.TEMPLATE_DATA_UPDATED, now);
        }

        void adHoc(long now) {
            Doc tail = docs.peekLast();
            if (tail == null || tail.closing) {
                docs.add(newDoc());
            }
        }

        void dropOnPurpose(long n, long now) {
            Doc h = docs.peekFirst();
            if (h == null) {
                return;
            }
            if (dropRequest == 0) {
                dropAt = h.nextSend; // nothing past this is sent until the drop is declared
            }
            dropRequest += n;
            applyDropRequest(now);
        }

        /**
         * Drops the requested records once everything sent before them is acknowledged, then stops the session
         * with reason 3 (congestion) and starts it again with the count in droppedRecordCount.
         */
        private void applyDropRequest(long now) {
            Doc d = docs.peekFirst();
            // a primary whose connection is already closed (its channelInactive not yet run) acknowledges nothing more
            boolean acking = primary != null && primary.isOpen();
            if (dropRequest == 0 || d == null || acking && d.held < Math.min(dropAt, d.maxSent)) {
                return;
            }
            long from = d.held;
            long to = from + dropRequest - 1;
            if (to >= d.nextGen) {
                d.entry.generated(d.nextGen, to);
                generatedTotal += to + 1 - d.nextGen;
                d.nextGen = to + 1;
            }
            for (long[] r : d.holes.missingIn(from, to).ranges()) {
                d.entry.droppedDeclared(r[0], r[1]);
                pendingDeclaredDrops += r[1] - r[0] + 1;
            }
            d.held = to + 1;
            d.nextSend = Math.max(d.nextSend, d.held);
            dropRequest = 0;
            dropAt = -1;
            if (primary != null) {
                stopOn(primary, primary.session(spec.sessionId()), SessionStopReason.CONGESTION_DETECTED,
                        "congestion: records dropped", now);
                primary = null; // the next pump announces the drop in a new SESSION_START
                ackDeadline = 0;
            }
        }

        void loseSilently(long n) {
            Doc d = docs.peekLast();
            if (d == null) {
                return;
            }
            long from = d.nextGen;
            d.entry.generated(from, from + n - 1);
            d.entry.lostSilently(from, from + n - 1);
            d.holes.add(from, from + n - 1);
            d.nextGen += n;
            generatedTotal += n;
        }

        void lostOnReboot() {
            for (Doc d : docs) {
                if (d.nextGen > d.held) {
                    for (long[] r : d.holes.missingIn(d.held, d.nextGen - 1).ranges()) {
                        d.entry.lostSilently(r[0], r[1]);
                    }
                }
            }
            docs.clear();
            primary = null;
            pendingDeclaredDrops = 0;
            dropRequest = 0;
            dropAt = -1;
            config = null;
        }

        void stopOn(Link l, LinkSession ls, int reason, String info, long now) {
            if (ls.activeDoc != null) {
                l.send(new SessionStop(spec.sessionId(), reason, info));
                ls.activeDoc = null;
            }
        }

        /** The collector stopped the flow or reported a session error: hand the session to the next one. */
        void leave(Link l, long now, boolean handOff) {
            LinkSession ls = l.session(spec.sessionId());
            if (handOff && ls.activeDoc != null && l.isOpen()) {
                stopOn(l, ls, SessionStopReason.HANDING_OFF_TO_HIGHER_PRIORITY, "flow stopped", now);
            }
            ls.state = LsState.IDLE;
            ls.activeDoc = null;
            if (primary == l) {
                demote();
            }
            pump(now);
        }

        /** The connection is gone. */
        void lost(Link l) {
            if (primary == l) {
                demote();
            }
        }

        private void demote() {
            Doc h = docs.peekFirst();
            if (h != null) {
                h.resentUpTo = Math.max(h.resentUpTo, h.maxSent);
            }
            primary = null;
            ackDeadline = 0;
        }

        void tick(long now, long dt, boolean frozen) {
            if (now >= nextBoundary) {
                nextBoundary += spec.interval().toNanos();
                if (spec.type() == SessionType.TIME_INTERVAL) {
                    Doc tail = docs.peekLast();
                    if (tail != null && !tail.closing) {
                        tail.closing = true;
                        tail.stopReason = spec.stopReason();
                    }
                    docs.add(newDoc());
                } else if (spec.type() == SessionType.AD_HOC) {
                    adHoc(now);
                }
            }
            if (!spec.unlimited()) {
                tokens = Math.min(tokens + spec.rate() * dt / 1e9, Math.max(1, spec.rate()));
                long n = (long) tokens;
                if (n > 0) {
                    tokens -= generate(n);
                }
            }
            if (primary != null && ackDeadline != 0 && now > ackDeadline) {
                Doc h = docs.peekFirst();
                LOG.info("{}: no DATA_ACK from {} within {} s, failing over", SimulatedCmts.this.spec.name(),
                        primary.spec.name(), spec.ackTimeInterval());
                LinkSession ls = primary.session(spec.sessionId());
                ls.suspendedUntil = now + 2L * spec.ackTimeInterval() * 1_000_000_000L;
                stopOn(primary, ls, SessionStopReason.HANDING_OFF_TO_HIGHER_PRIORITY, "ack timeout", now);
                if (h != null) {
                    h.resentUpTo = Math.max(h.resentUpTo, h.maxSent);
                }
                primary = null;
                ackDeadline = 0;
            }
            if (!frozen) {
                pump(now);
            }
        }

        /** Generates up to n records into the newest document; returns how many were generated. */
        long generate(long n) {
            Doc t = docs.peekLast();
            if (t == null || t.closing) {
                return n; // nothing to generate into (ad-hoc between exports): the tokens lapse
            }
            if (spec.records() > 0 && spec.type() != SessionType.AD_HOC) {
                n = Math.min(n, spec.records() - generatedTotal);
            }
            n = Math.min(n, t.limit - t.nextGen);
            if (n <= 0) {
                if (t.nextGen >= t.limit) {
                    t.closing = true;
                    t.stopReason = SessionStopReason.END_OF_DATA;
                }
                return 0;
            }
            long buffered = 0;
            for (Doc d : docs) {
                buffered += d.buffered();
            }
            int cap = SimulatedCmts.this.spec.bufferCapacity();
            if (buffered + n > cap) {
                if (primary != null) {
                    n = Math.max(0, cap - buffered); // a live but slow collector: the exporter waits
                } else {
                    dropOldest(buffered + n - cap);
                }
            }
            if (n > 0) {
                t.entry.generated(t.nextGen, t.nextGen + n - 1);
                t.nextGen += n;
                generatedTotal += n;
                if (t.nextGen >= t.limit) {
                    t.closing = true;
                    t.stopReason = SessionStopReason.END_OF_DATA;
                }
            }
            return n;
        }

        /** No collector can take records and the buffer is full: the oldest go, declared at the next start. */
        private void dropOldest(long k) {
            for (Doc d : docs) {
                if (k <= 0) {
                    break;
                }
                long take = Math.min(k, d.buffered());
                if (take <= 0) {
                    continue;
                }
                for (long[] r : d.holes.missingIn(d.held, d.held + take - 1).ranges()) {
                    d.entry.droppedDeclared(r[0], r[1]);
                    pendingDeclaredDrops += r[1] - r[0] + 1;
                }
                d.held += take;
                d.nextSend = Math.max(d.nextSend, d.held);
                k -= take;
            }
        }

        void onAck(Link l, long seq, long now) {
            Doc d = docs.peekFirst();
            if (d == null || seq < d.held) {
                return; // stale or repeated
            }
            if (seq >= d.maxSent) {
                LOG.debug("{}: DATA_ACK {} from {} beyond last sent {}", SimulatedCmts.this.spec.name(), seq,
                        l.spec.name(), d.maxSent - 1);
                return;
            }
            d.sendTimes.acked(d.held, seq, now, fleet.ackLatency());
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
            fleet.acked();
            applyDropRequest(now);
            pump(now);
        }

        /** Hand-offs, document boundaries, template announcements and DATA: everything that moves the session. */
        void pump(long now) {
            if (stopped || frozenUntil > now) {
                return;
            }
            for (int guard = 0; guard < 8; guard++) {
                Doc head = docs.peekFirst();
                if (head == null) {
                    return;
                }
                if (head.closing && head.held >= head.nextGen) {
                    for (Link l : links) {
                        LinkSession ls = l.sessions.get(spec.sessionId());
                        if (ls != null && ls.activeDoc == head) {
                            stopOn(l, ls, head.stopReason, "end of document", now);
                        }
                    }
                    head.entry.stopped(head.stopReason);
                    docs.pollFirst();
                    primary = null;
                    ackDeadline = 0;
                    continue;
                }
                applyDropRequest(now);
                Link best = bestEligible(head, now);
                if (best != primary) {
                    if (primary != null && primary.isOpen()) {
                        // Fail-back: the current primary hands off to the recovered higher-priority collector.
                        stopOn(primary, primary.session(spec.sessionId()),
                                SessionStopReason.HANDING_OFF_TO_HIGHER_PRIORITY, "handing off", now);
                    }
                    head.resentUpTo = Math.max(head.resentUpTo, head.maxSent);
                    primary = best;
                    ackDeadline = 0;
                    if (best != null) {
                        startOn(best, head, true);
                    }
                }
                announce(head, now);
                if (primary != null) {
                    sendData(head, now);
                }
                if (!(head.closing && head.held >= head.nextGen)) {
                    return;
                }
            }
        }

        private Link bestEligible(Doc head, long now) {
            for (Link l : links) { // ordered by priority, 1 first
                LinkSession ls = l.sessions.get(spec.sessionId());
                if (l.isOpen() && ls != null && ls.state == LsState.READY
                        && ls.announcedConfigId == head.config.configId && ls.suspendedUntil <= now) {
                    return l;
                }
            }
            return null;
        }

        /** Backups get SESSION_START primary=false; links that know an older template set get TEMPLATE_DATA. */
        private void announce(Doc head, long now) {
            for (Link l : links) {
                LinkSession ls = l.sessions.get(spec.sessionId());
                if (ls == null || !l.isOpen() || ls.state == LsState.IDLE) {
                    continue;
                }
                if (ls.state == LsState.READY && ls.announcedConfigId != head.config.configId) {
                    if (ls.activeDoc != null) {
                        stopOn(l, ls, SessionStopReason.TEMPLATE_DATA_UPDATED, "template data updated", now);
                    }
                    // An older set still being drained is not negotiable: it is about to be replaced anyway.
                    sendTemplates(l, ls, negotiable(l) && head.config == config);
                    continue;
                }
                if (l != primary && ls.state == LsState.READY && ls.activeDoc != head
                        && ls.announcedConfigId == head.config.configId) {
                    if (ls.activeDoc != null) {
                        stopOn(l, ls, ls.activeDoc.stopReason, "end of document", now);
                    }
                    startOn(l, head, false);
                }
            }
        }

        private void startOn(Link l, Doc head, boolean isPrimary) {
            LinkSession ls = l.session(spec.sessionId());
            if (ls.activeDoc != null && ls.activeDoc != head) {
                stopOn(l, ls, ls.activeDoc.stopReason, "end of document", System.nanoTime());
            }
            long first = head.held;
            long dropped = 0;
            if (isPrimary) {
                head.nextSend = head.held;
                if (SimulatedCmts.this.spec.quirks().firstSequencePastResent() && head.resentUpTo > head.held) {
                    first = head.resentUpTo;
                }
                dropped = pendingDeclaredDrops;
                pendingDeclaredDrops = 0;
                head.entry.declared(dropped);
            }
            LOG.debug("{}: SESSION_START session {} to {} primary={} doc={} first={} dropped={}",
                    SimulatedCmts.this.spec.name(), spec.sessionId(), l.spec.name(), isPrimary, head.idText, first,
                    dropped);
            l.send(new SessionStart(spec.sessionId(), identity.bootTimeSeconds(), first, dropped, isPrimary,
                    spec.ackTimeInterval(), spec.ackSequenceInterval(), Bytes.of(head.id)));
            ls.activeDoc = head;
        }

        /** DATA to the primary: never more than ackSequenceInterval unacknowledged; batched writes, one flush. */
        private void sendData(Doc d, long now) {
            Channel ch = primary.channel;
            if (ch == null || !ch.isWritable()) {
                return;
            }
            int window = spec.ackSequenceInterval();
            if (spec.unlimited() && !d.closing && d == docs.peekLast()) {
                long want = d.held + window;
                if (spec.records() > 0) {
                    want = Math.min(want, d.nextGen + (spec.records() - generatedTotal));
                }
                want = Math.min(want, d.limit);
                if (want > d.nextGen) {
                    d.entry.generated(d.nextGen, want - 1);
                    generatedTotal += want - d.nextGen;
                    d.nextGen = want;
                }
                if (d.nextGen >= d.limit) {
                    d.closing = true;
                    d.stopReason = SessionStopReason.END_OF_DATA;
                }
            }
            boolean lastWithoutD = SimulatedCmts.this.spec.quirks().noDuplicateFlagOnLastResent();
            ByteBuf batch = null;
            long runStart = -1;
            long wasUnacked = d.nextSend - d.held;
            int templateId = d.config.blocks.get(0).templateId();
            long limit = dropRequest > 0 ? Math.min(d.nextGen, dropAt) : d.nextGen;
            while (d.nextSend < limit && d.nextSend - d.held < window) {
                long dsn = d.nextSend;
                long holeEnd = d.holes.isEmpty() ? -1 : d.holes.endOfRangeContaining(dsn);
                if (holeEnd >= 0) {
                    if (runStart >= 0) {
                        logRun(d, runStart, dsn - 1, lastWithoutD, now);
                        runStart = -1;
                    }
                    if (d.held == dsn) {
                        d.held = holeEnd + 1; // nothing before the gap is waiting for an ack
                    }
                    d.nextSend = holeEnd + 1;
                    continue;
                }
                if (batch == null) {
                    batch = ch.alloc().directBuffer(BATCH_BYTES + 2048);
                }
                int flags = dsn < d.resentUpTo && !(lastWithoutD && dsn == d.resentUpTo - 1) ? 1 : 0;
                int start = batch.writerIndex();
                batch.writeByte(2).writeByte(0x20).writeByte(spec.sessionId()).writeByte(0).writeInt(0);
                batch.writeShort(templateId).writeShort(d.config.configId).writeByte(flags).writeLong(dsn);
                int lenAt = batch.writerIndex();
                batch.writeInt(0);
                int recLen;
                if (d.config.pool != null) {
                    byte[] rec = d.config.pool[(int) (dsn & (d.config.pool.length - 1))];
                    batch.writeBytes(rec);
                    recLen = rec.length;
                } else {
                    // Time values derive from the DSN, not the clock: a re-send must repeat the bytes exactly.
                    long t = d.createdMillis + (spec.rate() > 0 ? (long) (dsn * 1000 / spec.rate()) : 0);
                    recLen = d.config.factory.write(batch, d.index, dsn, t);
                }
                batch.setInt(lenAt, recLen);
                if (d.entry.keepsDigests()) {
                    crc.reset();
                    crc.update(batch.nioBuffer(lenAt + 4, recLen));
                    d.entry.digest(dsn, (int) crc.getValue());
                }
                batch.setInt(start + 4, batch.writerIndex() - start);
                if (runStart < 0) {
                    runStart = dsn;
                }
                d.nextSend = dsn + 1;
                d.maxSent = Math.max(d.maxSent, d.nextSend);
                if (batch.writerIndex() >= BATCH_BYTES) {
                    ch.write(batch, ch.voidPromise());
                    batch = null;
                    if (!ch.isWritable()) {
                        break;
                    }
                }
            }
            if (runStart >= 0) {
                logRun(d, runStart, d.nextSend - 1, lastWithoutD, now);
            }
            if (batch != null) {
                ch.write(batch, ch.voidPromise());
            }
            if (d.nextSend - d.held > wasUnacked || batch != null) {
                primary.lastWrite = now;
                ch.flush();
            }
            if (wasUnacked == 0 && d.nextSend > d.held) {
                ackDeadline = now + spec.ackTimeInterval() * 1_000_000_000L;
            }
        }

        private void logRun(Doc d, long from, long to, boolean lastWithoutD, long now) {
            d.sendTimes.sent(from, to, now);
            d.entry.sent(from, to);
            if (from < d.resentUpTo) {
                long resentTo = Math.min(to, d.resentUpTo - 1);
                if (lastWithoutD && resentTo == d.resentUpTo - 1) {
                    d.entry.resent(from, resentTo - 1, true);
                    d.entry.resent(resentTo, resentTo, false);
                } else {
                    d.entry.resent(from, resentTo, true);
                }
            }
        }
    }
}
