package io.ipdrsp.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked cursor over one message body. Reads by absolute index so the frame's own indices never move,
 * and checks every length and count against the bytes left before anything is sized by it.
 */
final class WireReader {
    private final ByteBuf buf;
    private final int end;
    private int pos;

    WireReader(ByteBuf buf, int pos, int end) {
        this.buf = buf;
        this.pos = pos;
        this.end = end;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    private void need(int n, String what) throws IpdrDecodeException {
        if (end - pos < n) {
            throw new IpdrDecodeException(IpdrDecodeException.Reason.TRUNCATED,
                    "message ends inside " + what + " (needs " + n + " bytes, " + (end - pos) + " left)");
        }
    }

    int u8(String what) throws IpdrDecodeException {
        need(1, what);
        return buf.getUnsignedByte(pos++);
    }

    /** XDR boolean (1 byte). Any non-zero byte is true: lenient, like the reference implementations. */
    boolean bool(String what) throws IpdrDecodeException {
        return u8(what) != 0;
    }

    int u16(String what) throws IpdrDecodeException {
        need(2, what);
        int v = buf.getUnsignedShort(pos);
        pos += 2;
        return v;
    }

    int i32(String what) throws IpdrDecodeException {
        need(4, what);
        int v = buf.getInt(pos);
        pos += 4;
        return v;
    }

    long u32(String what) throws IpdrDecodeException {
        return i32(what) & 0xFFFF_FFFFL;
    }

    long i64(String what) throws IpdrDecodeException {
        need(8, what);
        long v = buf.getLong(pos);
        pos += 8;
        return v;
    }

    /**
     * An array count, refused unless {@code count * minElementSize} bytes are still there: a hostile count must
     * not size an allocation.
     */
    int count(int minElementSize, String what) throws IpdrDecodeException {
        long n = u32(what + " count");
        if (n > remaining() / minElementSize) {
            throw new IpdrDecodeException(IpdrDecodeException.Reason.TRUNCATED,
                    what + " count " + n + " cannot fit in the " + remaining() + " bytes left");
        }
        return (int) n;
    }

    /** UTF8String: 4-byte length, then strictly valid UTF-8. */
    String utf8String(String what) throws IpdrDecodeException {
        long n = u32(what + " length");
        if (n > remaining()) {
            throw new IpdrDecodeException(IpdrDecodeException.Reason.TRUNCATED,
                    what + " length " + n + " exceeds the " + remaining() + " bytes left");
        }
        int len = (int) n;
        String s = decodeUtf8(buf, pos, len, what);
        pos += len;
        return s;
    }

    Bytes bytes(int n, String what) throws IpdrDecodeException {
        need(n, what);
        Bytes b = Bytes.copyOf(buf, pos, n);
        pos += n;
        return b;
    }

    void skip(int n) {
        pos += n;
    }

    /** Everything left (trailer or raw body). */
    Bytes rest() {
        Bytes b = Bytes.copyOf(buf, pos, end - pos);
        pos = end;
        return b;
    }

    static String decodeUtf8(ByteBuf buf, int index, int len, String what) throws IpdrDecodeException {
        if (len == 0) {
            return "";
        }
        boolean ascii = true;
        for (int i = index, e = index + len; i < e; i++) {
            if (buf.getByte(i) < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return buf.toString(index, len, StandardCharsets.US_ASCII); // names and descriptions nearly always are
        }
        // The JDK's default String decoding replaces bad sequences; a decode error must be reported instead.
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = dec.decode(ByteBuffer.wrap(ByteBufUtil.getBytes(buf, index, len)));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new IpdrDecodeException(IpdrDecodeException.Reason.BAD_VALUE, what + " is not valid UTF-8");
        }
    }
}
