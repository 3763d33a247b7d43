package io.ipdrsp.node;

import io.ipdrsp.protocol.Connect;
import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.FieldType;
import io.ipdrsp.protocol.FinalTemplateDataAck;
import io.ipdrsp.protocol.FlowStart;
import io.ipdrsp.protocol.GetSessions;
import io.ipdrsp.protocol.GetSessionsResponse;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.KeepAlive;
import io.ipdrsp.protocol.MessageCodec;
import io.ipdrsp.protocol.SessionBlock;
import io.ipdrsp.protocol.SessionStart;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.protocol.TemplateData;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;

/** A hand-driven exporter over a plain or TLS socket, for hostile and malformed input. */
final class RawExporter implements AutoCloseable {
    static final TemplateBlock TEMPLATE = new TemplateBlock(7, "test-schema", "TEST-TYPE", List.of(
            new FieldDescriptor(FieldType.UNSIGNED_INT, 1, "counter", true),
            new FieldDescriptor(FieldType.STRING, 2, "label", true)));

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawExporter(String localAddress, int port) throws IOException {
        socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** From {@code localAddress} to 127.0.0.1:{@code port}, over TLS with {@code tls} (null: plain TCP). */
    static RawExporter open(String localAddress, int port, javax.net.ssl.SSLContext tls) throws IOException {
        return tls == null ? new RawExporter(localAddress, port) : new RawExporter(TestTls.connect(tls, localAddress,
                port));
    }

    /** Over a socket already connected (e.g. a TLS socket). */
    RawExporter(Socket connected) throws IOException {
        socket = connected;
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void send(IpdrMessage m) throws IOException {
        out.write(MessageCodec.toBytes(m));
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next message, or null at end of stream. Keep-alives are skipped. */
    IpdrMessage read() throws Exception {
        while (true) {
            byte[] header = new byte[8];
            try {
                in.readFully(header);
            } catch (EOFException | SocketException e) {
                return null;
            }
            int len = ByteBuffer.wrap(header, 4, 4).getInt();
            byte[] frame = new byte[len];
            System.arraycopy(header, 0, frame, 0, 8);
            in.readFully(frame, 8, len - 8);
            IpdrMessage m = MessageCodec.decode(Unpooled.wrappedBuffer(frame));
            if (!(m instanceof KeepAlive)) {
                return m;
            }
        }
    }

    @SuppressWarnings("unchecked")
    <T extends IpdrMessage> T expect(Class<T> type) throws Exception {
        IpdrMessage m = read();
        if (!type.isInstance(m)) {
            throw new AssertionError("expected " + type.getSimpleName() + " but got " + m);
        }
        return (T) m;
    }

    /** CONNECT .. SESSION_START for session 1 with {@link #TEMPLATE} under configId 1. */
    void openSession() throws Exception {
        openSession(UUID.randomUUID());
    }

    /** {@link #openSession()} of a given document (e.g. the same document on a second collector, as at a failover). */
    void openSession(UUID documentId) throws Exception {
        send(new Connect(0x7f000003, socket.getLocalPort(), 0x02, 5, "raw"));
        expect(io.ipdrsp.protocol.ConnectResponse.class);
        GetSessions gs = expect(GetSessions.class);
        send(new GetSessionsResponse(gs.requestId(), List.of(new SessionBlock(1, 0, "raw-session", "", 5, 10))));
        expect(FlowStart.class);
        send(new TemplateData(1, 1, 0, List.of(TEMPLATE)));
        expect(FinalTemplateDataAck.class);
        send(new SessionStart(1, 1_700_000_000L, 0, 0, true, 5, 10, SessionStart.documentId(documentId)));
    }

    static byte[] record(long counter, String label) {
        byte[] l = label.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + 4 + l.length).putInt((int) counter).putInt(l.length).put(l).array();
    }

    /** Reads until ERROR, then expects the connection to close; returns the ERROR. */
    ErrorMessage expectErrorAndClose() throws Exception {
        IpdrMessage m;
        do {
            m = read();
        } while (m != null && !(m instanceof ErrorMessage));
        if (m == null) {
            throw new AssertionError("connection closed without ERROR");
        }
        if (read() != null) {
            throw new AssertionError("connection still open after ERROR");
        }
        return (ErrorMessage) m;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
