package io.ipdrsp.launcher;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A CQL native-protocol round trip without a driver: OPTIONS (v4) and the SUPPORTED answer, so the launcher module
 * proves the server speaks CQL, not just that a port is open.
 */
final class CqlProbe {
    private CqlProbe() {
    }

    /** Sends OPTIONS and returns the body of the SUPPORTED reply as text (it lists CQL_VERSION and COMPRESSION). */
    static String options(InetSocketAddress server) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            // version 4 request, flags 0, stream 7, opcode OPTIONS (0x05), body length 0
            out.write(new byte[] {0x04, 0x00, 0x00, 0x07, 0x05, 0, 0, 0, 0});
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int version = in.readUnsignedByte();
            in.readUnsignedByte(); // flags
            int stream = in.readUnsignedShort();
            int opcode = in.readUnsignedByte();
            int length = in.readInt();
            byte[] body = new byte[length];
            in.readFully(body);
            if (version != 0x84 || stream != 7 || opcode != 0x06) {
                throw new IOException("not a SUPPORTED reply: version " + version + " stream " + stream + " opcode "
                        + opcode + " body " + new String(body, StandardCharsets.UTF_8));
            }
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
