package io.ipdrsp.simulator;

import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.KeepAlive;
import io.ipdrsp.protocol.MessageCodec;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One configured collector of a CMTS and its (at most one) connection. Confined to the CMTS's event loop. */
final class CollectorLink {
    private static final Logger LOG = LoggerFactory.getLogger(CollectorLink.class);

    /** Connection state: the side that opened TCP sends CONNECT, the other answers CONNECT_RESPONSE. */
    enum State { DOWN, AWAIT_CONNECT, AWAIT_CONNECT_RESPONSE, OPEN }

    final CollectorSpec spec;
    private final SimulatedCmts cmts;
    private final InetAddress[] addresses;
    final Map<Integer, LinkSession> sessions = new LinkedHashMap<>();
    Channel channel;
    boolean connecting;
    State state = State.DOWN;
    int capabilities;
    int peerKeepAlive;
    long lastRead;
    long lastWrite;
    long refuseUntil;
    long ignoreAcksUntil;
    long stallUntil;
    private ScheduledFuture<?> reconnect;

    CollectorLink(CollectorSpec spec, SimulatedCmts cmts) {
        this.spec = spec;
        this.cmts = cmts;
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
        return state == State.OPEN && channel != null && channel.isActive();
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

    /** The connection is gone: the sessions it carried move on. */
    void detach() {
        channel = null;
        state = State.DOWN;
        for (Integer id : sessions.keySet()) {
            SessionRuntime s = cmts.sessions.get(id);
            if (s != null) {
                s.lost(this);
            }
        }
        sessions.clear();
    }

    /** Dials again after {@code delayNanos}, unless a re-dial is already pending. */
    void scheduleReconnect(long delayNanos) {
        if (reconnect != null) {
            return;
        }
        reconnect = cmts.loop.schedule(() -> {
            reconnect = null; // cleared first: a dial refused again from in here must be able to re-schedule
            cmts.transport.connect(this);
        }, Math.max(delayNanos, 1_000_000L), TimeUnit.NANOSECONDS);
    }

    void cancelReconnect() {
        if (reconnect != null) {
            reconnect.cancel(false);
            reconnect = null;
        }
    }

    void send(IpdrMessage m) {
        if (channel == null) {
            return;
        }
        lastWrite = System.nanoTime();
        channel.writeAndFlush(MessageCodec.encode(m, channel.alloc()), channel.voidPromise());
    }

    /** Keep-alive duties at {@code now}: declares a silent collector dead, or speaks when we have been quiet. */
    void checkKeepAlive(long now, boolean frozen) {
        int ownSeconds = cmts.spec.keepAliveSeconds();
        if (now - lastRead > (ownSeconds * 1000L + 500) * 1_000_000L) {
            LOG.info("{}: collector {} silent for {} s, declaring it dead", cmts.name(), spec.name(), ownSeconds);
            if (cmts.spec.failover().stopsBeforeDeclaringDead()) {
                state = State.DOWN; // no longer a candidate while its sessions move to a standby
                for (SessionRuntime s : cmts.sessions.values()) {
                    s.handOffFrom(this, now, "collector keep-alive expired");
                }
            }
            fail(io.ipdrsp.protocol.ErrorCodes.KEEP_ALIVE_EXPIRED, "keep-alive expired");
            return;
        }
        // Send well before the peer's limit: half its interval, so a busy loop never makes us late.
        long every = Math.max(200L, peerKeepAlive * 1000L / 2) * 1_000_000L;
        if (!frozen && peerKeepAlive > 0 && now - lastWrite > every) {
            send(new KeepAlive());
        }
    }

    /** Connection-level protocol violation: ERROR, then close (SP 2.1 §4.2.1). */
    void fail(int code, String why) {
        LOG.info("{}: closing connection to {}: {}", cmts.name(), spec.name(), why);
        Channel ch = channel;
        if (ch != null) {
            lastWrite = System.nanoTime();
            ch.writeAndFlush(MessageCodec.encode(new ErrorMessage(0, System.currentTimeMillis() / 1000, false,
                    code, why), ch.alloc())).addListener(ChannelFutureListener.CLOSE);
        }
    }

    void sessionError(int sessionId, int code, String why) {
        LOG.info("{}: session error to {}: {}", cmts.name(), spec.name(), why);
        send(new ErrorMessage(sessionId, System.currentTimeMillis() / 1000, true, code, why));
    }
}
