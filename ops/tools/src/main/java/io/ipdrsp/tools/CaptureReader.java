package io.ipdrsp.tools;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams the packet records of a classic pcap (both byte orders, micro- and nanosecond) or a pcapng file
 * (sections of either byte order, several interfaces, if_tsresol/if_tsoffset, EPB, SPB and the obsolete PB; other
 * blocks skipped).
 *
 * <p>Written here rather than taken from a library because no library on Maven Central reads both formats without
 * native libpcap (pkts.io reads classic pcap only; pcap4j needs libpcap). Every length read from the file is checked
 * against {@link #MAX_RECORD} before anything is allocated, so a corrupt file cannot exhaust memory.
 */
abstract class CaptureReader implements Closeable {
    /** Largest packet record / block accepted; far above any real snaplen (Wireshark's own limit is 16 MiB). */
    static final int MAX_RECORD = 16 * 1024 * 1024;

    static final int PCAP_MAGIC_MICRO = 0xa1b2c3d4;
    static final int PCAP_MAGIC_NANO = 0xa1b23c4d;
    static final int PCAPNG_SHB = 0x0a0d0d0a;
    static final int PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

    private final InputStream in;
    /** Bytes consumed so far: error messages name the offset so the file can be inspected with a hex viewer. */
    long offset;
    long packetCount;

    private CaptureReader(InputStream in) {
        this.in = in;
    }

    /** Opens a capture; the format is chosen by the file's magic number, never by its name. */
    static CaptureReader open(Path path) throws CaptureException {
        InputStream in;
        try {
            if (Files.isDirectory(path)) {
                throw new CaptureException("is a directory");
            }
            in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new CaptureException("no such file");
        } catch (IOException e) {
            throw new CaptureException(describe(e));
        }
        try {
            return open(in);
        } catch (CaptureException e) {
            closeQuietly(in);
            throw e;
        }
    }

    static CaptureReader open(InputStream in) throws CaptureException {
        byte[] magic = new byte[4];
        int n = readUpTo(in, magic, 0, 4);
        if (n == 0) {
            throw new CaptureException("empty file");
        }
        if (n < 4) {
            throw new CaptureException("not a pcap or pcapng file (only " + n + " bytes)");
        }
        int be = ByteBuffer.wrap(magic).getInt();
        int le = Integer.reverseBytes(be);
        CaptureReader reader;
        if (be == PCAPNG_SHB) {
            reader = new PcapNg(in);
        } else if (be == PCAP_MAGIC_MICRO || be == PCAP_MAGIC_NANO) {
            reader = new Pcap(in, ByteOrder.BIG_ENDIAN, be == PCAP_MAGIC_NANO);
        } else if (le == PCAP_MAGIC_MICRO || le == PCAP_MAGIC_NANO) {
            reader = new Pcap(in, ByteOrder.LITTLE_ENDIAN, le == PCAP_MAGIC_NANO);
        } else {
            throw new CaptureException(String.format("not a pcap or pcapng file (magic 0x%08x)", be));
        }
        reader.offset = 4;
        reader.start();
        return reader;
    }

    /** Reads what follows the magic number up to the first packet. */
    abstract void start() throws CaptureException;

    /** The next packet, or {@code null} at the clean end of the file. */
    abstract CapturedPacket next() throws CaptureException;

    @Override
    public void close() {
        closeQuietly(in);
    }

    /**
     * Reads exactly {@code len} bytes; {@code null} when the file ends before the first of them (a clean end when the
     * caller is at a record boundary).
     */
    final ByteBuffer read(int len, ByteOrder order, String what) throws CaptureException {
        byte[] b = new byte[len];
        int n;
        try {
            n = readUpTo(in, b, 0, len);
        } catch (CaptureException e) {
            throw new CaptureException(e.getMessage() + " reading " + what + " at offset " + offset);
        }
        if (n == 0 && len > 0) {
            return null;
        }
        if (n < len) {
            throw new CaptureException("truncated " + what + " at offset " + offset + " (" + n + " of " + len
                    + " bytes)");
        }
        offset += len;
        return ByteBuffer.wrap(b).order(order);
    }

    final ByteBuffer readRequired(int len, ByteOrder order, String what) throws CaptureException {
        ByteBuffer b = read(len, order, what);
        if (b == null) {
            throw new CaptureException("truncated " + what + " at offset " + offset + " (0 of " + len + " bytes)");
        }
        return b;
    }

    private static int readUpTo(InputStream in, byte[] b, int off, int len) throws CaptureException {
        int total = 0;
        try {
            while (total < len) {
                int r = in.read(b, off + total, len - total);
                if (r < 0) {
                    break;
                }
                total += r;
            }
        } catch (IOException e) {
            throw new CaptureException(describe(e));
        }
        return total;
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing useful to do: the file was only read
        }
    }

    /** Converts a timestamp counted in units of 1/{@code unitsPerSecond} since the epoch. */
    static Instant instant(long units, BigInteger unitsPerSecond, long offsetSeconds) {
        BigInteger[] qr = new BigInteger(Long.toUnsignedString(units)).divideAndRemainder(unitsPerSecond);
        long nanos = qr[1].multiply(BigInteger.valueOf(1_000_000_000L)).divide(unitsPerSecond).longValue();
        return Instant.ofEpochSecond(qr[0].longValue() + offsetSeconds, nanos);
    }

    /** Classic libpcap format. */
    private static final class Pcap extends CaptureReader {
        private final ByteOrder order;
        private final boolean nanos;
        private int linkType;

        Pcap(InputStream in, ByteOrder order, boolean nanos) {
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

    /** pcapng (draft-ietf-opsawg-pcapng). */
    private static final class PcapNg extends CaptureReader {
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

        PcapNg(InputStream in) {
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
}
