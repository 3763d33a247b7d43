package io.ipdrsp.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds packets and writes capture files for tests: the file formats written independently of the reader. */
final class TestCaptures {
    private TestCaptures() {
    }

    static Path resource(String name) {
        try {
            return Path.of(TestCaptures.class.getResource("/captures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<CapturedPacket> readAll(Path p) throws CaptureException {
        List<CapturedPacket> out = new ArrayList<>();
        try (CaptureReader r = CaptureReader.open(p)) {
            CapturedPacket c;
            while ((c = r.next()) != null) {
                out.add(c);
            }
        }
        return out;
    }

    // ---- packets ----

    static byte[] ethernetIpv4Tcp(byte[] src, int srcPort, byte[] dst, int dstPort, long seq, int flags,
            byte[] payload) {
        byte[] ip = ipv4Tcp(src, srcPort, dst, dstPort, seq, flags, payload);
        return ByteBuffer.allocate(14 + ip.length).put(new byte[12]).putShort((short) 0x0800).put(ip).array();
    }

    static byte[] ipv4Tcp(byte[] src, int srcPort, byte[] dst, int dstPort, long seq, int flags, byte[] payload) {
        byte[] tcp = tcp(srcPort, dstPort, seq, flags, payload);
        ByteBuffer b = ByteBuffer.allocate(20 + tcp.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + tcp.length)).putShort((short) 1)
                .putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0).put(src).put(dst)
                .put(tcp);
        return b.array();
    }

    static byte[] ipv6Tcp(byte[] src, int srcPort, byte[] dst, int dstPort, long seq, int flags, byte[] payload) {
        byte[] tcp = tcp(srcPort, dstPort, seq, flags, payload);
        ByteBuffer b = ByteBuffer.allocate(40 + tcp.length);
        b.putInt(0x60000000).putShort((short) tcp.length).put((byte) 6).put((byte) 64).put(src).put(dst).put(tcp);
        return b.array();
    }

    static byte[] tcp(int srcPort, int dstPort, long seq, int flags, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putInt((int) seq).putInt(0)
                .put((byte) 0x50).put((byte) flags).putShort((short) 65535).putInt(0).put(payload);
        return b.array();
    }

    // ---- files ----

    /** Classic pcap; {@code nanos} picks the 0xa1b23c4d variant. */
    static byte[] pcap(List<CapturedPacket> packets, ByteOrder order, boolean nanos) {
        int linkType = packets.isEmpty() ? 1 : packets.get(0).linkType();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(order);
        h.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(262144).putInt(linkType);
        out.writeBytes(h.array());
        for (CapturedPacket p : packets) {
            ByteBuffer r = ByteBuffer.allocate(16).order(order);
            Instant t = p.time();
            r.putInt((int) t.getEpochSecond()).putInt(nanos ? t.getNano() : t.getNano() / 1000)
                    .putInt(p.data().length).putInt(p.data().length);
            out.writeBytes(r.array());
            out.writeBytes(p.data());
        }
        return out.toByteArray();
    }

    /** A pcapng writer: blocks appended one by one, so tests can put unusual blocks in between. */
    static final class PcapNg {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteOrder order;

        PcapNg(ByteOrder order) {
            this.order = order;
            ByteBuffer body = ByteBuffer.allocate(16).order(order);
            body.putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0).putLong(-1L);
            block(0x0a0d0d0a, body.array());
        }

        /** An IDB; {@code tsresol} is the raw if_tsresol byte, or -1 for none (microseconds). */
        PcapNg iface(int linkType, int tsresol) {
            ByteBuffer b = ByteBuffer.allocate(tsresol < 0 ? 8 : 20).order(order);
            b.putShort((short) linkType).putShort((short) 0).putInt(0);
            if (tsresol >= 0) {
                b.putShort((short) 9).putShort((short) 1).put((byte) tsresol).put(new byte[3]).putInt(0);
            }
            return block(1, b.array());
        }

        PcapNg epb(int iface, long ts, byte[] data) {
            ByteBuffer b = ByteBuffer.allocate(20 + pad(data.length)).order(order);
            b.putInt(iface).putInt((int) (ts >>> 32)).putInt((int) ts).putInt(data.length).putInt(data.length)
                    .put(data);
            return block(6, b.array());
        }

        PcapNg spb(byte[] data) {
            ByteBuffer b = ByteBuffer.allocate(4 + pad(data.length)).order(order);
            b.putInt(data.length).put(data);
            return block(3, b.array());
        }

        PcapNg block(int type, byte[] body) {
            int len = 12 + pad(body.length);
            ByteBuffer b = ByteBuffer.allocate(len).order(order);
            b.putInt(type).putInt(len).put(body).position(len - 4);
            b.putInt(len);
            out.writeBytes(b.array());
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private static int pad(int n) {
            return (n + 3) & ~3;
        }
    }

    static Path write(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
