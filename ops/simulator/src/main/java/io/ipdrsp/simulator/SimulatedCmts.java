package io.ipdrsp.simulator;

import io.ipdrsp.protocol.Disconnect;
import io.ipdrsp.protocol.SessionStopReason;
import io.ipdrsp.protocol.TemplateBlock;
import io.netty.channel.EventLoop;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated CMTS: an IPDR/SP 2.1 exporter with its own identity, sessions and collector connections. All of its
 * state lives on one Netty event loop, so nothing in here is locked; the public methods hand their work to that
 * loop. Obtain instances from {@link Fleet#cmts(String)}.
 *
 * <p>The parts: {@link CmtsTransport} (TCP/TLS, dialling and accepting), {@link CollectorLink} (one collector's
 * connection, keep-alives), {@link ExporterProtocol} (what each collector message does), {@link SessionRuntime} (a
 * session's documents, records, hand-offs in the {@link FailoverMode}), {@link FaultInjector} and the
 * {@link Ledger}.
 */
public final class SimulatedCmts {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedCmts.class);
    private static final int TICK_MILLIS = 10;

    final CmtsSpec spec;
    final EventLoop loop;
    final Fleet fleet;
    final Ledger ledger;
    final List<CollectorLink> links = new ArrayList<>();
    final Map<Integer, SessionRuntime> sessions = new LinkedHashMap<>();
    final DocumentIds documentIds;
    final CmtsTransport transport;
    final ExporterProtocol protocol = new ExporterProtocol(this);
    private final FaultInjector faults = new FaultInjector(this);
    private CmtsIdentity identity;
    private ScheduledFuture<?> ticker;
    private long frozenUntil;
    private boolean stopped;
    private long lastTick;

    SimulatedCmts(CmtsSpec spec, EventLoop loop, Fleet fleet, Ledger ledger, Map<String, TemplateBlock> templates) {
        this.spec = spec;
        this.loop = loop;
        this.fleet = fleet;
        this.ledger = ledger;
        this.documentIds = new DocumentIds(spec.mac());
        this.identity = new CmtsIdentity(spec.name(), spec.mac(), ipv4Of(spec.initiatorAddress() != null
                ? spec.initiatorAddress() : spec.listenHost()), ipv6Of(spec.mac()),
                spec.modems(), System.currentTimeMillis() / 1000);
        for (CollectorSpec c : spec.collectors()) {
            links.add(new CollectorLink(c, this));
        }
        links.sort(Comparator.comparingInt(l -> l.spec.priority()));
        for (SessionSpec s : spec.sessions()) {
            TemplateBlock t = templates.get(s.template());
            if (t == null) {
                t = Templates.builtIn(s.template(), 1);
            }
            if (t == null) {
                throw new IllegalArgumentException("session " + s.sessionId() + ": unknown template " + s.template());
            }
            sessions.put(s.sessionId(), new SessionRuntime(s, this, t));
        }
        this.transport = new CmtsTransport(this);
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
        return transport.boundPort();
    }

    /** Current exporterBootTime (changes on {@link Fault.Action#REBOOT}). */
    public long exporterBootTime() {
        return call(() -> identity.bootTimeSeconds());
    }

    /** Name of the collector that receives the session's DATA right now (whatever its primary flag), or null. */
    public String primaryCollector(int sessionId) {
        return call(() -> {
            SessionRuntime s = sessions.get(sessionId);
            return s == null || s.active == null ? null : s.active.spec.name();
        });
    }

    /** Injects a fault now (its {@code at} is ignored). */
    public void inject(Fault fault) {
        loop.execute(() -> faults.apply(fault));
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
            transport.open(started);
        });
        return started;
    }

    /** {@link #gracefulStop()}; done once every collector closed its connection (or {@link #CLOSE_WAIT} passed). */
    CompletableFuture<Void> stop() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            List<io.netty.channel.Channel> open = gracefulStop();
            CompletableFuture.allOf(open.stream().map(ch -> {
                CompletableFuture<Void> closed = new CompletableFuture<>();
                ch.closeFuture().addListener(f -> closed.complete(null));
                return closed;
            }).toArray(CompletableFuture[]::new)).whenComplete((v, e) -> done.complete(null));
        });
        return done;
    }

    /** How long a stopping CMTS waits for a collector to close after DISCONNECT before it closes itself. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    /**
     * SESSION_STOP 2 for every started document, DISCONNECT and a half-close to every collector; returns the
     * connections still open. The CMTS reads on until the collector closes (or {@link #CLOSE_WAIT}): closing at once,
     * with the collector's last DATA_ACKs unread, resets the connection, and a reset makes the collector drop what it
     * had not read yet — the SESSION_STOPs just sent (a fleet test once saw documents wait for the idle timeout).
     */
    List<io.netty.channel.Channel> gracefulStop() {
        List<io.netty.channel.Channel> open = new ArrayList<>();
        if (stopped) {
            return open;
        }
        stopped = true;
        for (SessionRuntime s : sessions.values()) {
            for (CollectorLink l : links) {
                LinkSession ls = l.sessions.get(s.spec.sessionId());
                if (ls != null && ls.activeDoc != null && l.isOpen()) {
                    ExportDocument doc = ls.activeDoc;
                    s.stopOn(l, SessionStopReason.EXPORTER_TERMINATING, "exporter terminating");
                    doc.entry.stopped(SessionStopReason.EXPORTER_TERMINATING);
                }
            }
        }
        for (CollectorLink l : links) {
            l.cancelReconnect();
            if (l.channel != null && l.channel.isActive()) {
                io.netty.channel.Channel ch = l.channel;
                l.send(new Disconnect());
                ch.flush();
                open.add(ch);
                if (ch instanceof io.netty.channel.socket.SocketChannel sc
                        && ch.pipeline().get(io.netty.handler.ssl.SslHandler.class) == null) {
                    sc.shutdownOutput(); // over TLS a bare FIN would be a truncation: the collector closes on DISCONNECT
                }
                loop.schedule(() -> ch.close(), CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        transport.closeListener();
        if (ticker != null) {
            ticker.cancel(false);
        }
        return open;
    }

    /** Exporter restart: connections cut, unacknowledged records lost, a new boot time after {@code downtime}. */
    void reboot(Duration downtime) {
        long now = System.nanoTime();
        stopped = true; // keeps reconnect attempts and ticks away while "down"
        for (CollectorLink l : links) {
            if (l.channel != null) {
                l.channel.close();
                l.detach();
            }
        }
        transport.closeListener();
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
            transport.open(new CompletableFuture<>());
        }, downtime.toNanos(), TimeUnit.NANOSECONDS);
        LOG.info("{}: rebooting, new exporterBootTime {} in {}", spec.name(), newBoot, downtime);
        lastTick = now;
    }

    private void tick() {
        long now = System.nanoTime();
        long dt = now - lastTick;
        lastTick = now;
        if (stopped) {
            return;
        }
        boolean frozen = isFrozen(now);
        for (CollectorLink l : links) {
            if (l.isOpen()) {
                l.checkKeepAlive(now, frozen);
            }
        }
        for (SessionRuntime s : sessions.values()) {
            s.tick(now, dt, frozen);
        }
    }

    // ------------------------------------------------------------------------------------ state for the parts

    CmtsIdentity identity() {
        return identity;
    }

    boolean isStopped() {
        return stopped;
    }

    boolean isFrozen(long now) {
        return frozenUntil > now;
    }

    void freezeUntil(long until) {
        frozenUntil = until;
    }

    // -------------------------------------------------------------------------------------------------- helpers

    private <T> T call(Callable<T> c) {
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
}
