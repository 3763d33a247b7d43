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

    CaptureReader(InputStream in) {
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
            reader = new PcapNgReader(in);
        } else if (be == PCAP_MAGIC_MICRO || be == PCAP_MAGIC_NANO) {
            reader = new PcapReader(in, ByteOrder.BIG_ENDIAN, be == PCAP_MAGIC_NANO);
        } else if (le == PCAP_MAGIC_MICRO || le == PCAP_MAGIC_NANO) {
            reader = new PcapReader(in, ByteOrder.LITTLE_ENDIAN, le == PCAP_MAGIC_NANO);
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
}
