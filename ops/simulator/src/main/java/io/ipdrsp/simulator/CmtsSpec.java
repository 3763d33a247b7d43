package io.ipdrsp.simulator;

import io.ipdrsp.protocol.Capabilities;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One simulated CMTS: its exporter identity, how it reaches its collectors and its sessions.
 *
 * @param name            ledger name and CmtsHostName
 * @param direction       who opens TCP
 * @param listenHost      LISTEN: bind address; CONNECT: local address to bind before connecting (null = any)
 * @param listenPort      LISTEN: port (0 = ephemeral, see {@link SimulatedCmts#listenPort()}); CONNECT: ignored
 * @param mac             CMTS MAC (48 bits), the documentId suffix
 * @param vendorId        CONNECT / CONNECT_RESPONSE vendorId
 * @param modems          modems behind the CMTS (record variety)
 * @param keepAliveSeconds longest silence tolerated from a collector (sent in CONNECT / CONNECT_RESPONSE)
 * @param bufferCapacity  records held (unacknowledged or unsent) per session before the oldest are dropped
 * @param reconnectDelay  CONNECT: wait before re-connecting a lost collector
 * @param capabilities    capability bits offered / accepted
 * @param quirks          real-exporter quirks to mimic
 * @param failover        how sessions move between collectors (null = {@link FailoverMode#VENDOR})
 * @param documentIds     how documentIds are made, unless a session says otherwise (null = time-prefixed)
 * @param tls             IPDR/SP over TLS, or null for plain TCP
 * @param initiatorAddress the CMTS's own IPv4 address, sent as CONNECT initiatorId and in its records, when it
 *                        differs from the address its connections come from (behind a NAT, several CMTSes behind one
 *                        address); null = the connection's local address
 */
public record CmtsSpec(String name, Direction direction, String listenHost, int listenPort, long mac, String vendorId,
        int modems, int keepAliveSeconds, int bufferCapacity, Duration reconnectDelay, int capabilities,
        Quirks quirks, List<CollectorSpec> collectors, List<SessionSpec> sessions, FailoverMode failover,
        DocumentIdKind documentIds, TlsSpec tls, String initiatorAddress) {
    public static final int DEFAULT_PORT = 4737;
    public static final int ALL_CAPABILITIES = Capabilities.MULTISESSION | Capabilities.TEMPLATE_NEGOTIATION
            | Capabilities.STRUCTURES;

    public CmtsSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(direction, "direction");
        collectors = List.copyOf(collectors);
        sessions = List.copyOf(sessions);
        if (collectors.isEmpty() || collectors.size() > 5) {
            throw new IllegalArgumentException("a CMTS has 1..5 collectors, not " + collectors.size());
        }
        Set<Integer> prios = new HashSet<>();
        for (CollectorSpec c : collectors) {
            if (!prios.add(c.priority())) {
                throw new IllegalArgumentException("two collectors with priority " + c.priority());
            }
            if (direction == Direction.CONNECT && c.port() == 0) {
                throw new IllegalArgumentException("collector " + c.name() + " needs a port to connect to");
            }
        }
        Set<Integer> ids = new HashSet<>();
        for (SessionSpec s : sessions) {
            if (!ids.add(s.sessionId())) {
                throw new IllegalArgumentException("two sessions with id " + s.sessionId());
            }
        }
        if (sessions.isEmpty()) {
            throw new IllegalArgumentException("a CMTS needs at least one session");
        }
        if (modems < 1) {
            throw new IllegalArgumentException("modems must be >= 1");
        }
        if (keepAliveSeconds < 1) {
            throw new IllegalArgumentException("keepAlive must be >= 1 s");
        }
        if (bufferCapacity < 1) {
            throw new IllegalArgumentException("bufferCapacity must be >= 1");
        }
        if (vendorId == null) {
            vendorId = "ipdrsp-simulator";
        }
        if (reconnectDelay == null) {
            reconnectDelay = Duration.ofSeconds(1);
        }
        if (quirks == null) {
            quirks = Quirks.NONE;
        }
        if (failover == null) {
            failover = FailoverMode.VENDOR;
        }
        if (documentIds == null) {
            documentIds = DocumentIdKind.TIME_PREFIXED;
        }
        if (tls != null && direction == Direction.LISTEN && tls.certificate() == null) {
            throw new IllegalArgumentException("a CMTS that listens with TLS needs tls.certificate and tls.key");
        }
        mac &= 0xffff_ffff_ffffL;
    }

    /** Without failover mode, documentId kind and TLS (their defaults: vendor, time-prefixed, plain TCP). */
    public CmtsSpec(String name, Direction direction, String listenHost, int listenPort, long mac, String vendorId,
            int modems, int keepAliveSeconds, int bufferCapacity, Duration reconnectDelay, int capabilities,
            Quirks quirks, List<CollectorSpec> collectors, List<SessionSpec> sessions) {
        this(name, direction, listenHost, listenPort, mac, vendorId, modems, keepAliveSeconds, bufferCapacity,
                reconnectDelay, capabilities, quirks, collectors, sessions, null, null, null, null);
    }

    /** Without its own initiator address (CONNECT carries the connection's local address). */
    public CmtsSpec(String name, Direction direction, String listenHost, int listenPort, long mac, String vendorId,
            int modems, int keepAliveSeconds, int bufferCapacity, Duration reconnectDelay, int capabilities,
            Quirks quirks, List<CollectorSpec> collectors, List<SessionSpec> sessions, FailoverMode failover,
            DocumentIdKind documentIds, TlsSpec tls) {
        this(name, direction, listenHost, listenPort, mac, vendorId, modems, keepAliveSeconds, bufferCapacity,
                reconnectDelay, capabilities, quirks, collectors, sessions, failover, documentIds, tls, null);
    }

    /** A CMTS with defaults: 100 modems, keep-alive 30 s, buffer 100 000 records, all capabilities, no quirks. */
    public static CmtsSpec of(String name, Direction direction, List<CollectorSpec> collectors,
            List<SessionSpec> sessions) {
        return new CmtsSpec(name, direction, direction == Direction.LISTEN ? "127.0.0.1" : null, 0,
                0x00_1d_cf_00_00_00L | (name.hashCode() & 0xffffffL), null, 100, 30, 100_000, null, ALL_CAPABILITIES,
                Quirks.NONE, collectors, sessions);
    }

    public CmtsSpec withListen(String host, int port) {
        return new CmtsSpec(name, direction, host, port, mac, vendorId, modems, keepAliveSeconds, bufferCapacity,
                reconnectDelay, capabilities, quirks, collectors, sessions, failover, documentIds, tls,
                initiatorAddress);
    }

    public CmtsSpec withMac(long newMac) {
        return new CmtsSpec(name, direction, listenHost, listenPort, newMac, vendorId, modems, keepAliveSeconds,
                bufferCapacity, reconnectDelay, capabilities, quirks, collectors, sessions, failover, documentIds, tls,
                initiatorAddress);
    }

    public CmtsSpec withKeepAlive(int seconds) {
        return new CmtsSpec(name, direction, listenHost, listenPort, mac, vendorId, modems, seconds, bufferCapacity,
                reconnectDelay, capabilities, quirks, collectors, sessions, failover, documentIds, tls,
                initiatorAddress);
    }

    public CmtsSpec withBufferCapacity(int records) {
        return new CmtsSpec(name, direction, listenHost, listenPort, mac, vendorId, modems, keepAliveSeconds, records,
                reconnectDelay, capabilities, quirks, collectors, sessions, failover, documentIds, tls,
                initiatorAddress);
    }

    public CmtsSpec withReconnectDelay(Duration d) {
        return new CmtsSpec(name, direction, listenHost, listenPort, mac, vendorId, modems, keepAliveSeconds,
                bufferCapacity, d, capabilities, quirks, collectors, sessions, failover, documentIds, tls,
                initiatorAddress);
    }

    public CmtsSpec withQuirks(Quirks q) {
        return new CmtsSpec(name, direction, listenHost, listenPort, mac, vendorId, modems, keepAliveSeconds,
                bufferCapacity, reconnectDelay, capabilities, q, collectors, sessions, failover, documentIds, tls,
                initiatorAddress);
    }

    public CmtsSpec withModems(int n) {
        return new CmtsSpec(name, direction, listenHost, listenPort, mac, vendorId, n, keepAliveSeconds,
                bufferCapacity, reconnectDelay, capabilities, quirks, collectors, sessions, failover, documentIds, tls,
                initiatorAddress);
    }

    public CmtsSpec withCapabilities(int caps) {
        return new CmtsSpec(name, direction, listenHost, listenPort, mac, vendorId, modems, keepAliveSeconds,
                bufferCapacity, reconnectDelay, caps, quirks, collectors, sessions, failover, documentIds, tls,
                initiatorAddress);
    }

    public CmtsSpec withFailover(FailoverMode mode) {
        return new CmtsSpec(name, direction, listenHost, listenPort, mac, vendorId, modems, keepAliveSeconds,
                bufferCapacity, reconnectDelay, capabilities, quirks, collectors, sessions, mode, documentIds, tls,
                initiatorAddress);
    }

    public CmtsSpec withDocumentIds(DocumentIdKind kind) {
        return new CmtsSpec(name, direction, listenHost, listenPort, mac, vendorId, modems, keepAliveSeconds,
                bufferCapacity, reconnectDelay, capabilities, quirks, collectors, sessions, failover, kind, tls,
                initiatorAddress);
    }

    /** The CMTS says it is {@code ipv4} (CONNECT initiatorId, its records) whatever address it connects from. */
    public CmtsSpec withInitiatorAddress(String ipv4) {
        return new CmtsSpec(name, direction, listenHost, listenPort, mac, vendorId, modems, keepAliveSeconds,
                bufferCapacity, reconnectDelay, capabilities, quirks, collectors, sessions, failover, documentIds, tls,
                ipv4);
    }

    public CmtsSpec withTls(TlsSpec t) {
        return new CmtsSpec(name, direction, listenHost, listenPort, mac, vendorId, modems, keepAliveSeconds,
                bufferCapacity, reconnectDelay, capabilities, quirks, collectors, sessions, failover, documentIds, t,
                initiatorAddress);
    }
}
