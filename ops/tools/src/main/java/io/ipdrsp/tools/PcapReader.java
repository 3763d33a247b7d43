package io.ipdrsp.tools;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;

/** Classic libpcap format. */
final class PcapReader extends CaptureReader {
    private final ByteOrder order;
    private final boolean nanos;
    private int linkType;

    PcapReader(InputStream in, ByteOrder order, boolean nanos) {
        super(in);
        this.order = order;
        this.nanos = nanos;
    }

    @Override
    void start() throws CaptureException {
        ByteBuffer h = readRequired(20, order, "pcap file header");
        int major = Short.toUnsignedInt(h.getShort());
        h.getShort(); // minor: 4 in every writer
        h.getInt(); // thiszone: always 0 in practice, and documented as such
        h.getInt(); // sigfigs
        h.getInt(); // snaplen
        if (major != 2) {
            throw new CaptureException("unsupported pcap version " + major);
        }
        // the upper bits carry FCS information (pcap draft §4), not the link type
        linkType = h.getInt() & 0x0FFFFFFF;
    }

    @Override
    CapturedPacket next() throws CaptureException {
        long at = offset;
        ByteBuffer h = read(16, order, "packet record header");
        if (h == null) {
            return null;
        }
        long sec = Integer.toUnsignedLong(h.getInt());
        long frac = Integer.toUnsignedLong(h.getInt());
        long capLen = Integer.toUnsignedLong(h.getInt());
        if (capLen > MAX_RECORD) {
            throw new CaptureException("corrupt packet record at offset " + at + " (captured length " + capLen
                    + ")");
        }
        if (frac >= (nanos ? 1_000_000_000L : 1_000_000L)) {
            throw new CaptureException("corrupt packet record at offset " + at + " (fraction of second " + frac
                    + ")");
        }
        byte[] data = readRequired((int) capLen, order, "packet data").array();
        return new CapturedPacket(++packetCount, Instant.ofEpochSecond(sec, nanos ? frac : frac * 1000),
                linkType, data);
    }
}
