package io.ipdrsp.tools;

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
import io.ipdrsp.protocol.MessageCodec;
import io.ipdrsp.protocol.SessionBlock;
import io.ipdrsp.protocol.SessionStart;
import io.ipdrsp.protocol.SessionStop;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.protocol.TemplateData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.UUID;

/**
 * A CMTS that plays a script over IPDR/SP, for seeding a node with records whose every field the test chooses (the
 * simulator makes its own values): it dials the node, opens one session with the given templates and sends
 * documents, each ended with SESSION_STOP 0 once the node has acknowledged its last record (stored, by the node's
 * ack rule). Talks to the node like a real CMTS would; the node is a black box.
 */
final class ScriptedCmts implements AutoCloseable {
    /** One record of a document: its template and its bytes. */
    record Rec(int templateId, byte[] bytes) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ByteBuf received = Unpooled.buffer();
    private final int sessionId;

    /** Dials the node's IPDR/SP port from 127.0.0.1 and opens {@code sessionId} with {@code templates}. */
    ScriptedCmts(int nodePort, int sessionId, List<TemplateBlock> templates) throws IOException, IpdrDecodeException {
        this.sessionId = sessionId;
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", nodePort), 5000);
        socket.setSoTimeout(30_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        send(new Connect(0x7f000001, socket.getLocalPort(), 0x02, 30, "tools-test"));
        next(ConnectResponse.class);
        GetSessions ask = next(GetSessions.class);
        send(new GetSessionsResponse(ask.requestId(), List.of(new SessionBlock(sessionId, 0, "scripted", "", 1, 500))));
        next(FlowStart.class);
        send(new TemplateData(sessionId, 1, 0, templates));
        next(FinalTemplateDataAck.class);
    }

    /** A documentId as a CMTS makes it (DOCSIS): its first four bytes are its creation time, seconds since 1900. */
    static UUID documentIdNow() {
        long seconds1900 = System.currentTimeMillis() / 1000 + 2_208_988_800L;
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        return new UUID(seconds1900 << 32 | (r.nextLong() & 0xffffffffL), r.nextLong());
    }

    /** One document (DSNs from 0), ended with SESSION_STOP 0 after the node acknowledged all of it. */
    void document(UUID documentId, long bootTime, List<Rec> records) throws IOException, IpdrDecodeException {
        document(documentId, bootTime, records, 0);
    }

    /**
     * One document (DSNs from 0) and, once the node acknowledged all of it, SESSION_STOP {@code stopReason}: 0 ends
     * the document; 1 (handing off) leaves it open, as a CMTS moving to another collector does.
     */
    void document(UUID documentId, long bootTime, List<Rec> records, int stopReason)
            throws IOException, IpdrDecodeException {
        send(new SessionStart(sessionId, bootTime, 0, 0, true, 1, 500, SessionStart.documentId(documentId)));
        for (int seq = 0; seq < records.size(); seq++) {
            Rec r = records.get(seq);
            send(new Data(sessionId, r.templateId(), 1, 0, seq, Unpooled.wrappedBuffer(r.bytes())));
        }
        long last = records.size() - 1;
        while (!(next(IpdrMessage.class) instanceof DataAck a && a.sequenceNum() >= last)) {
            // keep-alives and earlier acks
        }
        send(new SessionStop(sessionId, stopReason, stopReason == 0 ? "end of data" : "handing off"));
    }

    private void send(IpdrMessage m) throws IOException {
        out.write(MessageCodec.toBytes(m));
        out.flush();
    }

    /** The next message from the node; an AssertionError if it is not a {@code type}. */
    private <T extends IpdrMessage> T next(Class<T> type) throws IOException, IpdrDecodeException {
        byte[] chunk = new byte[8192];
        while (true) {
            ByteBuf frame = Framing.readFrame(received);
            if (frame != null) {
                IpdrMessage m = MessageCodec.decode(frame);
                if (type.isInstance(m)) {
                    return type.cast(m);
                }
                throw new AssertionError("expected " + type.getSimpleName() + " from the node, got " + m);
            }
            int n = in.read(chunk);
            if (n < 0) {
                throw new AssertionError("the node closed the connection while " + type.getSimpleName()
                        + " was expected");
            }
            received.writeBytes(chunk, 0, n);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
