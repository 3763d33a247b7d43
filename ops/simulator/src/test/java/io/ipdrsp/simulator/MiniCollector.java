package io.ipdrsp.simulator;

import io.ipdrsp.protocol.Capabilities;
import io.ipdrsp.protocol.Connect;
import io.ipdrsp.protocol.ConnectResponse;
import io.ipdrsp.protocol.Data;
import io.ipdrsp.protocol.DataAck;
import io.ipdrsp.protocol.FinalTemplateDataAck;
import io.ipdrsp.protocol.FlowStart;
import io.ipdrsp.protocol.Framing;
import io.ipdrsp.protocol.GetSessions;
import io.ipdrsp.protocol.GetSessionsResponse;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.KeepAlive;
import io.ipdrsp.protocol.MessageCodec;
import io.ipdrsp.protocol.SessionBlock;
import io.ipdrsp.protocol.SessionStart;
import io.ipdrsp.protocol.SessionStop;
import io.ipdrsp.protocol.TemplateData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A minimal IPDR/SP collector for the tests: blocking sockets (TLS when given an {@link SSLContext}), protocol's
 * Framing and MessageCodec. It either connects to a CMTS or listens for CMTSes, does CONNECT / GET_SESSIONS /
 * FLOW_START / FINAL_TEMPLATE_DATA_ACK, keeps every message it received, and acks DATA every {@code ackEvery}
 * records (or not at all when paused). It checks on the fly that the exporter never has more than
 * ackSequenceInterval records unacknowledged. It sends KEEP_ALIVE at half the CMTS's advertised interval (at most
 * every second), as the digest's implementations do, so a loaded test machine does not make it look dead.
 */
final class MiniCollector implements AutoCloseable {
    /** One DATA as received, with the document it belongs to (from the last SESSION_START). */
    record Rec(int sessionId, String documentId, long dsn, boolean duplicate, int configId, byte[] record) {
    }

    final String name;
    final List<IpdrMessage> received = new CopyOnWriteArrayList<>();
    final List<Rec> records = new CopyOnWriteArrayList<>();
    /** Messages other than DATA with the wall-clock time they arrived. */
    final List<Timed> timed = new CopyOnWriteArrayList<>();

    record Timed(IpdrMessage message, long atMillis) {
    }
    volatile int ackEvery = 1;
    volatile boolean acking = true;
    volatile int keepAliveSeconds = 30;
    volatile boolean sendKeepAlives = true;
    volatile boolean autoFlowStart = true;
    volatile int capabilities = Capabilities.MULTISESSION | Capabilities.TEMPLATE_NEGOTIATION;
    volatile long maxUnackedSeen;
    /** The exporter's send window when it is not the announced ackSequenceInterval (0: the announced one). */
    volatile int sendWindow;
    /** Answers a TEMPLATE_DATA (e.g. with MODIFY_TEMPLATE); null or a null answer = FINAL_TEMPLATE_DATA_ACK. */
    volatile java.util.function.Function<TemplateData, IpdrMessage> negotiator;
    volatile String violation;
    private final List<Conn> conns = new CopyOnWriteArrayList<>();
    private ServerSocket server;
    private volatile boolean closed;
    private SSLContext tls;

    private MiniCollector(String name) {
        this.name = name;
    }

    /** A collector not yet connected: configure it, then {@link #dial} or {@link #listenOn}. */
    static MiniCollector create(String name) {
        return new MiniCollector(name);
    }

    /** The keep-alive interval sent in CONNECT / CONNECT_RESPONSE (the silence we tolerate from the CMTS). */
    MiniCollector keepAlive(int seconds) {
        keepAliveSeconds = seconds;
        return this;
    }

    /** Speak TLS with this context (its key manager is our certificate, its trust manager checks the CMTS). */
    MiniCollector tls(SSLContext context) {
        tls = context;
        return this;
    }

    /** Collector-initiated: connect to a CMTS at host:port from {@code bindHost}. */
    MiniCollector dial(String bindHost, String host, int port) throws IOException {
        connect(bindHost, host, port);
        return this;
    }

    /** Exporter-initiated: listen on host:port (0 = ephemeral); with TLS, CMTSes must present a certificate. */
    MiniCollector listenOn(String host, int port) throws IOException {
        if (tls != null) {
            SSLServerSocket ss = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
            ss.setNeedClientAuth(true);
            server = ss;
        } else {
            server = new ServerSocket();
        }
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(host, port));
        Thread t = new Thread(() -> {
            while (!closed) {
                try {
                    Socket s = server.accept();
                    start(s, false);
                } catch (IOException e) {
                    if (server.isClosed()) {
                        return;
                    }
                    // a peer refused in the TLS handshake: keep accepting
                }
            }
        }, name + "-accept");
        t.setDaemon(true);
        t.start();
        return this;
    }

    /** True when every connection this collector had is closed (and it had at least one). */
    boolean allClosed() {
        return !conns.isEmpty() && conns.stream().allMatch(c -> c.socket.isClosed());
    }

    /** Connections this collector has had (accepted or dialled), including closed ones. */
    int connections() {
        return conns.size();
    }

    /**
     * What one session looked like on this collector, in order: {@code START(p)} for SESSION_START primary=p,
     * {@code DATA} for a run of DATA, {@code STOP(r)} for SESSION_STOP reason r.
     */
    List<String> trace(int sessionId) {
        List<String> out = new ArrayList<>();
        for (IpdrMessage m : received) {
            String step = m instanceof SessionStart st && st.sessionId() == sessionId ? "START(" + st.primary() + ")"
                    : m instanceof SessionStop sp && sp.sessionId() == sessionId ? "STOP(" + sp.reasonCode() + ")"
                    : m instanceof Data d && d.sessionId() == sessionId ? "DATA" : null;
            if (step != null && !(step.equals("DATA") && !out.isEmpty() && out.get(out.size() - 1).equals("DATA"))) {
                out.add(step);
            }
        }
        return out;
    }

    /** Collector-initiated: connect to a CMTS listening at host:port from local address {@code bindHost}. */
    static MiniCollector connectTo(String name, String bindHost, String host, int port) throws IOException {
        return connectTo(name, bindHost, host, port, null);
    }

    static MiniCollector connectTo(String name, String bindHost, String host, int port,
            java.util.function.Function<TemplateData, IpdrMessage> negotiator) throws IOException {
        MiniCollector c = new MiniCollector(name);
        c.negotiator = negotiator;
        c.connect(bindHost, host, port);
        return c;
    }

    /** Exporter-initiated: listen for CMTSes on host:port (0 = ephemeral). */
    static MiniCollector listen(String name, String host, int port) throws IOException {
        return new MiniCollector(name).listenOn(host, port);
    }

    /** A port that was free a moment ago, for a collector that starts listening later. */
    static int freePort() {
        return io.ipdrsp.launcher.Ports.freePort("127.0.0.1");
    }

    int port() {
        return server.getLocalPort();
    }

    void connect(String bindHost, String host, int port) throws IOException {
        Socket s = new Socket();
        s.setReuseAddress(true);
        if (bindHost != null) {
            s.bind(new InetSocketAddress(bindHost, 0));
        }
        s.connect(new InetSocketAddress(host, port), 3000);
        if (tls == null) {
            start(s, true);
            return;
        }
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s, host, port, true);
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the CMTS's certificate must name the address we dialled
        ssl.setSSLParameters(p);
        start(ssl, true);
    }

    private void start(Socket s, boolean initiator) throws IOException {
        s.setTcpNoDelay(true);
        Conn c = new Conn(s, initiator);
        conns.add(c);
        Thread t = new Thread(c, name + "-conn");
        t.setDaemon(true);
        t.start();
    }

    /** Drops every connection abruptly (the collector "dies"). */
    void sever() {
        for (Conn c : conns) {
            c.close();
        }
    }

    /** Stops listening too: the CMTS cannot reconnect until {@link #relisten}. */
    void stopListening() throws IOException {
        server.close();
    }

    void send(IpdrMessage m) {
        for (Conn c : conns) {
            if (!c.socket.isClosed()) {
                c.write(m);
            }
        }
    }

    /** Messages of a type (not DATA) with their arrival time, in order. */
    List<Timed> timedMessages(Class<? extends IpdrMessage> type) {
        return timed.stream().filter(t -> type.isInstance(t.message())).toList();
    }

    <T extends IpdrMessage> List<T> messages(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (IpdrMessage m : received) {
            if (type.isInstance(m)) {
                out.add(type.cast(m));
            }
        }
        return out;
    }

    boolean await(Predicate<MiniCollector> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(this)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        sever();
    }

    private final class Conn implements Runnable {
        final Socket socket;
        final boolean initiator;
        final Map<Integer, String> docs = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<Integer, Integer> windows = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<Integer, Long> lastReceived = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<Integer, Integer> sinceAck = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<Integer, Integer> configs = new java.util.concurrent.ConcurrentHashMap<>();
        private final OutputStream out;
        private volatile int peerKeepAlive = 2; // seconds; from CONNECT / CONNECT_RESPONSE

        Conn(Socket socket, boolean initiator) throws IOException {
            this.socket = socket;
            this.initiator = initiator;
            this.out = socket.getOutputStream();
        }

        synchronized void write(IpdrMessage m) {
            try {
                out.write(MessageCodec.toBytes(m));
                out.flush();
            } catch (IOException e) {
                close();
            }
        }

        void close() {
            try {
                socket.setSoLinger(true, 0); // RST, like a crashed collector
                socket.close();
            } catch (IOException e) {
                // already gone
            }
        }

        @Override
        public void run() {
            ByteBuf buf = Unpooled.buffer(1 << 16);
            try (socket) {
                InputStream in = socket.getInputStream();
                if (initiator) {
                    InetAddress local = socket.getLocalAddress();
                    write(new Connect(SimulatedCmts.ipv4Int(local), socket.getLocalPort(), capabilities,
                            keepAliveSeconds, name));
                }
                Thread ka = new Thread(() -> {
                    while (!socket.isClosed()) {
                        try {
                            Thread.sleep(Math.min(1000, Math.max(100, peerKeepAlive * 500L)));
                        } catch (InterruptedException e) {
                            return;
                        }
                        if (sendKeepAlives) {
                            write(new KeepAlive());
                        }
                    }
                });
                ka.setDaemon(true);
                ka.start();
                byte[] chunk = new byte[1 << 16];
                int n;
                while ((n = in.read(chunk)) > 0) {
                    buf.writeBytes(chunk, 0, n);
                    ByteBuf frame;
                    while ((frame = Framing.readFrame(buf, 1 << 20)) != null) {
                        try {
                            handle(MessageCodec.decode(frame));
                        } finally {
                            frame.release();
                        }
                    }
                    buf.discardReadBytes();
                }
            } catch (SocketException e) {
                // closed
            } catch (IOException | IpdrDecodeException e) {
                violation = "decode: " + e;
            } finally {
                buf.release();
            }
        }

        private void handle(IpdrMessage m) {
            if (m instanceof Data d) {
                String doc = docs.get(d.sessionId());
                records.add(new Rec(d.sessionId(), doc, d.sequenceNum(), d.isDuplicate(), d.configId(),
                        d.recordBytes()));
                received.add(new Data(d.sessionId(), d.templateId(), d.configId(), d.flags(), d.sequenceNum(),
                        Unpooled.EMPTY_BUFFER));
                // DATA messages the exporter has out without an ack from us (a silent DSN gap is no message)
                int since = sinceAck.merge(d.sessionId(), 1, Integer::sum);
                if (since > maxUnackedSeen) {
                    maxUnackedSeen = since;
                }
                Integer window = sendWindow > 0 ? Integer.valueOf(sendWindow) : windows.get(d.sessionId());
                if (window != null && since > window && violation == null) {
                    violation = "DSN " + d.sequenceNum() + ": " + since + " DATA unacknowledged, window " + window;
                }
                lastReceived.merge(d.sessionId(), d.sequenceNum(), Math::max);
                configs.put(d.sessionId(), d.configId());
                if (acking && since >= ackEvery) {
                    ack(d.sessionId(), d.configId());
                }
                return;
            }
            received.add(m);
            timed.add(new Timed(m, System.currentTimeMillis()));
            if (m instanceof Connect c) {
                peerKeepAlive = c.keepAliveInterval();
                write(new ConnectResponse(capabilities, keepAliveSeconds, name));
                write(new GetSessions(1));
            } else if (m instanceof ConnectResponse r) {
                peerKeepAlive = r.keepAliveInterval();
                write(new GetSessions(1));
            } else if (m instanceof GetSessionsResponse r && autoFlowStart) {
                for (SessionBlock b : r.sessionBlocks()) {
                    write(new FlowStart(b.sessionId()));
                }
            } else if (m instanceof TemplateData t) {
                java.util.function.Function<TemplateData, IpdrMessage> n = negotiator;
                IpdrMessage answer = n == null ? null : n.apply(t);
                write(answer != null ? answer : new FinalTemplateDataAck(t.sessionId()));
            } else if (m instanceof io.ipdrsp.protocol.ModifyTemplateResponse r) {
                write(new FinalTemplateDataAck(r.sessionId()));
            } else if (m instanceof SessionStart s) {
                docs.put(s.sessionId(), s.documentIdAsUuid().toString());
                windows.put(s.sessionId(), s.ackSequenceInterval());
                // A new SESSION_START: DSNs continue from firstRecordSequenceNumber (re-sends may come below it).
                lastReceived.remove(s.sessionId());
                sinceAck.put(s.sessionId(), 0);
            } else if (m instanceof SessionStop s) {
                lastReceived.remove(s.sessionId());
                sinceAck.put(s.sessionId(), 0);
            }
        }

        private void ack(int sessionId, int configId) {
            Long seq = lastReceived.get(sessionId);
            if (seq == null) {
                return;
            }
            write(new DataAck(sessionId, configId, seq));
            sinceAck.put(sessionId, 0);
        }
    }

    /** Acks whatever was received and not yet acknowledged (used after {@code acking = true} again). */
    void ackNow() {
        for (Conn c : conns) {
            if (!c.socket.isClosed()) {
                for (Map.Entry<Integer, Long> e : c.lastReceived.entrySet()) {
                    c.ack(e.getKey(), c.configs.getOrDefault(e.getKey(), 0));
                }
            }
        }
    }
}
