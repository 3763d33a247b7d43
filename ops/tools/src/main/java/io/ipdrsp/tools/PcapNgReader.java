package io.ipdrsp.tools;

import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** pcapng (draft-ietf-opsawg-pcapng). */
final class PcapNgReader extends CaptureReader {
    private static final int IDB = 1;
    private static final int OPB = 2;
    private static final int SPB = 3;
    private static final int EPB = 6;
    private static final BigInteger MICROS = BigInteger.valueOf(1_000_000L);

    private record Interface(int linkType, long snapLen, BigInteger unitsPerSecond, long offsetSeconds) {
    }

    private ByteOrder order = ByteOrder.BIG_ENDIAN;
    private final List<Interface> interfaces = new ArrayList<>();
    private boolean firstBlockPending = true;

    PcapNgReader(InputStream in) {
        super(in);
    }

    @Override
    void start() throws CaptureException {
        // the SHB's type was consumed as the magic number; the rest is read with the first next()
    }

    @Override
    CapturedPacket next() throws CaptureException {
        while (true) {
            long at = firstBlockPending ? 0 : offset;
            int type;
            ByteBuffer lenBytes;
            if (firstBlockPending) {
                firstBlockPending = false;
                type = PCAPNG_SHB;
                lenBytes = readRequired(4, ByteOrder.BIG_ENDIAN, "section header block");
            } else {
                ByteBuffer t = read(4, order, "block header");
                if (t == null) {
                    return null;
                }
                type = t.getInt();
                lenBytes = readRequired(4, order, "block header");
            }
            ByteBuffer body;
            long length;
            if (type == PCAPNG_SHB) {
                // the byte order of this section (and of the length just read) is given by the magic after it
                int bom = readRequired(4, ByteOrder.BIG_ENDIAN, "section header block").getInt();
                if (bom == PCAPNG_BYTE_ORDER_MAGIC) {
                    order = ByteOrder.BIG_ENDIAN;
                } else if (Integer.reverseBytes(bom) == PCAPNG_BYTE_ORDER_MAGIC) {
                    order = ByteOrder.LITTLE_ENDIAN;
                } else {
                    throw new CaptureException(String.format(
                            "corrupt section header block at offset %d (byte-order magic 0x%08x)", at, bom));
                }
                length = Integer.toUnsignedLong(lenBytes.order(order).getInt());
                checkLength(length, 28, at);
                body = readRequired((int) length - 12, order, "section header block");
                checkTrailer(body, length, at);
                int major = Short.toUnsignedInt(body.getShort());
                int minor = Short.toUnsignedInt(body.getShort());
                if (major != 1) {
                    throw new CaptureException("unsupported pcapng version " + major + "." + minor);
                }
                interfaces.clear(); // interface ids are scoped by section
                continue;
            }
            length = Integer.toUnsignedLong(lenBytes.order(order).getInt());
            checkLength(length, 12, at);
            body = readRequired((int) length - 8, order, "block");
            checkTrailer(body, length, at);
            body.limit(body.limit() - 4);
            switch (type) {
                case IDB -> interfaces.add(readInterface(body, at));
                case EPB -> {
                    return enhancedPacket(body, at);
                }
                case OPB -> {
                    return obsoletePacket(body, at);
                }
                case SPB -> {
                    return simplePacket(body, at);
                }
                default -> {
                    // name resolution, statistics, custom, journal, secrets…: nothing a decoder needs
                }
            }
        }
    }

    private static void checkLength(long length, int min, long at) throws CaptureException {
        if (length < min || length % 4 != 0 || length > MAX_RECORD) {
            throw new CaptureException("corrupt block length " + length + " at offset " + at);
        }
    }

    private void checkTrailer(ByteBuffer body, long length, long at) throws CaptureException {
        long trailer = Integer.toUnsignedLong(body.getInt(body.limit() - 4));
        if (trailer != length) {
            throw new CaptureException("corrupt block at offset " + at + " (length " + length
                    + " but trailing length " + trailer + ")");
        }
    }

    private Interface readInterface(ByteBuffer b, long at) throws CaptureException {
        if (b.remaining() < 8) {
            throw new CaptureException("corrupt interface description block at offset " + at);
        }
        int linkType = Short.toUnsignedInt(b.getShort());
        b.getShort();
        long snapLen = Integer.toUnsignedLong(b.getInt());
        BigInteger unitsPerSecond = MICROS;
        long offsetSeconds = 0;
        while (b.remaining() >= 4) {
            int code = Short.toUnsignedInt(b.getShort());
            int len = Short.toUnsignedInt(b.getShort());
            if (code == 0 || len > b.remaining()) {
                break; // opt_endofopt, or a malformed option list: the defaults are the safest reading
            }
            int valueAt = b.position();
            if (code == 9 && len >= 1) { // if_tsresol
                int v = Byte.toUnsignedInt(b.get(valueAt));
                int exp = v & 0x7f;
                if ((v & 0x80) == 0) {
                    if (exp > 18) {
                        throw new CaptureException("unsupported if_tsresol 10^-" + exp + " at offset " + at);
                    }
                    unitsPerSecond = BigInteger.TEN.pow(exp);
                } else {
                    if (exp > 63) {
                        throw new CaptureException("unsupported if_tsresol 2^-" + exp + " at offset " + at);
                    }
                    unitsPerSecond = BigInteger.ONE.shiftLeft(exp);
                }
            } else if (code == 14 && len >= 8) { // if_tsoffset
                offsetSeconds = b.getLong(valueAt);
            }
            b.position(Math.min(b.limit(), valueAt + ((len + 3) & ~3)));
        }
        return new Interface(linkType, snapLen, unitsPerSecond, offsetSeconds);
    }

    private Interface iface(long id, long at) throws CaptureException {
        if (id >= interfaces.size()) {
            throw new CaptureException("packet block at offset " + at + " refers to undefined interface " + id);
        }
        return interfaces.get((int) id);
    }

    private CapturedPacket enhancedPacket(ByteBuffer b, long at) throws CaptureException {
        if (b.remaining() < 20) {
            throw new CaptureException("corrupt enhanced packet block at offset " + at);
        }
        Interface i = iface(Integer.toUnsignedLong(b.getInt()), at);
        return timedPacket(b, i, (Integer.toUnsignedLong(b.getInt()) << 32) | Integer.toUnsignedLong(b.getInt()),
                Integer.toUnsignedLong(b.getInt()), at);
    }

    private CapturedPacket obsoletePacket(ByteBuffer b, long at) throws CaptureException {
        if (b.remaining() < 20) {
            throw new CaptureException("corrupt packet block at offset " + at);
        }
        Interface i = iface(Short.toUnsignedLong(b.getShort()), at);
        b.getShort(); // drops count
        return timedPacket(b, i, (Integer.toUnsignedLong(b.getInt()) << 32) | Integer.toUnsignedLong(b.getInt()),
                Integer.toUnsignedLong(b.getInt()), at);
    }

    private CapturedPacket timedPacket(ByteBuffer b, Interface i, long ts, long capLen, long at)
            throws CaptureException {
        b.getInt(); // original length
        if (capLen > b.remaining()) {
            throw new CaptureException("corrupt packet block at offset " + at + " (captured length " + capLen
                    + " exceeds block)");
        }
        byte[] data = new byte[(int) capLen];
        b.get(data);
        return new CapturedPacket(++packetCount, instant(ts, i.unitsPerSecond(), i.offsetSeconds()),
                i.linkType(), data);
    }

    private CapturedPacket simplePacket(ByteBuffer b, long at) throws CaptureException {
        if (b.remaining() < 4) {
            throw new CaptureException("corrupt simple packet block at offset " + at);
        }
        Interface i = iface(0, at); // an SPB always belongs to the section's first interface
        long capLen = Math.min(Integer.toUnsignedLong(b.getInt()), b.remaining());
        if (i.snapLen() > 0) {
            capLen = Math.min(capLen, i.snapLen());
        }
        byte[] data = new byte[(int) capLen];
        b.get(data);
        return new CapturedPacket(++packetCount, null, i.linkType(), data);
    }
}
