package io.ipdrsp.node;

import io.ipdrsp.protocol.DataAck;
import io.ipdrsp.protocol.Framing;
import io.ipdrsp.protocol.MessageCodec;
import io.ipdrsp.protocol.MessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback relay between a CMTS and a node that watches IPDR/SP frames as the CMTS sees them: when each DATA went
 * towards the node and when each DATA_ACK came back, per session. The node's side of the relay dials from
 * {@code sourceAddress}, so the node admits it as the CMTS configured with that address.
 */
final class AckCountingRelay implements AutoCloseable {
    /** One DATA_ACK as it reached the CMTS. */
    record Ack(int sessionId, long dsn, long atNanos) {
    }

    private final ServerSocket server;
    private final InetSocketAddress node;
    private final String sourceAddress;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Ack> acks = new CopyOnWriteArrayList<>();
    /** Per session: the highest DSN sent and when; when the first DATA was sent. */
    private final Map<Integer, long[]> lastData = new ConcurrentHashMap<>();
    private final Map<Integer, Long> firstData = new ConcurrentHashMap<>();
    /** Per session: DATA frames sent (re-sends included) and SESSION_STARTs. */
    private final Map<Integer, AtomicLong> dataFrames = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> sessionStarts = new ConcurrentHashMap<>();

    AckCountingRelay(int nodePort, String sourceAddress) throws IOException {
        this.server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        this.node = new InetSocketAddress("127.0.0.1", nodePort);
        this.sourceAddress = sourceAddress;
        Thread t = new Thread(this::acceptLoop, "ack-relay-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    List<Ack> acks(int sessionId) {
        return acks.stream().filter(a -> a.sessionId() == sessionId).toList();
    }

    /** {highest DSN sent, nanoTime it was sent} of a session, or null. */
    long[] lastData(int sessionId) {
        return lastData.get(sessionId);
    }

    /** DATA frames the CMTS sent on a session, re-sends included. */
    long dataFrames(int sessionId) {
        return dataFrames.getOrDefault(sessionId, new AtomicLong()).get();
    }

    /** SESSION_STARTs the CMTS sent on a session (each opens a stream with its own ack timing). */
    long sessionStarts(int sessionId) {
        return sessionStarts.getOrDefault(sessionId, new AtomicLong()).get();
    }

    /** nanoTime of the session's first DATA, or null. */
    Long firstData(int sessionId) {
        return firstData.get(sessionId);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket cmts = server.accept();
                Socket upstream = new Socket();
                upstream.bind(new InetSocketAddress(InetAddress.getByName(sourceAddress), 0));
                upstream.connect(node, 5000);
                sockets.add(cmts);
                sockets.add(upstream);
                pump(cmts, upstream, true);
                pump(upstream, cmts, false);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, boolean towardsNode) {
        Thread t = new Thread(() -> {
            try (DataInputStream in = new DataInputStream(from.getInputStream())) {
                OutputStream out = to.getOutputStream();
                byte[] header = new byte[Framing.HEADER_LENGTH];
                while (true) {
                    in.readFully(header);
                    int length = ((header[4] & 0xFF) << 24) | ((header[5] & 0xFF) << 16) | ((header[6] & 0xFF) << 8)
                            | (header[7] & 0xFF);
                    byte[] frame = new byte[length];
                    System.arraycopy(header, 0, frame, 0, header.length);
                    in.readFully(frame, header.length, length - header.length);
                    watch(frame, towardsNode);
                    out.write(frame);
                    out.flush();
                }
            } catch (Exception e) {
                close(from);
                close(to);
            }
        }, "ack-relay-" + (towardsNode ? "up" : "down"));
        t.setDaemon(true);
        t.start();
    }

    private void watch(byte[] frame, boolean towardsNode) throws Exception {
        long now = System.nanoTime();
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        MessageType type = Framing.messageType(buf);
        if (towardsNode && type == MessageType.DATA) {
            long dsn = Framing.dataSequenceNum(buf);
            int session = Framing.sessionId(buf);
            firstData.putIfAbsent(session, now);
            lastData.merge(session, new long[] {dsn, now}, (a, b) -> b[0] >= a[0] ? b : a);
            dataFrames.computeIfAbsent(session, k -> new AtomicLong()).incrementAndGet();
        } else if (towardsNode && type == MessageType.SESSION_START) {
            sessionStarts.computeIfAbsent(Framing.sessionId(buf), k -> new AtomicLong())
                    .incrementAndGet();
        } else if (!towardsNode && type == MessageType.DATA_ACK) {
            DataAck a = (DataAck) MessageCodec.decode(buf);
            acks.add(new Ack(a.sessionId(), a.sequenceNum(), now));
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(AckCountingRelay::close);
    }
}
