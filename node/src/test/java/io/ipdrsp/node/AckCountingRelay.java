package io.ipdrsp.node;

import io.ipdrsp.protocol.Framing;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback relay between a CMTS and a node that watches IPDR/SP frames as the CMTS sees them ({@link #tally()}).
 * The node's side of the relay dials from {@code sourceAddress}, so the node admits it as the CMTS configured with
 * that address.
 */
final class AckCountingRelay implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress node;
    private final String sourceAddress;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AckTally tally = new AckTally();

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

    /** What went through, per session. */
    AckTally tally() {
        return tally;
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
                int connection = tally.newConnection();
                pump(cmts, upstream, true, connection);
                pump(upstream, cmts, false, connection);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, boolean towardsNode, int connection) {
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
                    tally.watch(Unpooled.wrappedBuffer(frame), towardsNode, connection);
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
