package io.ipdrsp.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable run of bytes compared by content. Used for the parts of a message that carry no structure we
 * interpret (documentId, trailing bytes, bodies of unknown or unverified messages), so that messages stay values:
 * two decodes of the same bytes are {@code equals}, which a {@code byte[]} component would break.
 */
public final class Bytes {
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    private Bytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A copy of {@code bytes}; later changes to the array do not show. */
    public static Bytes of(byte... bytes) {
        return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone());
    }

    /** Parses hex digits, ignoring spaces (handy for tests and logs: {@code "02 05 00"}). */
    public static Bytes fromHex(String hex) {
        return wrap(HEX.parseHex(hex.replace(" ", "")));
    }

    /** Copies {@code length} bytes at absolute {@code index} of {@code buf}; indices of {@code buf} do not move. */
    public static Bytes copyOf(ByteBuf buf, int index, int length) {
        if (length == 0) {
            return EMPTY;
        }
        byte[] b = new byte[length];
        buf.getBytes(index, b);
        return new Bytes(b);
    }

    /** Takes ownership of an array nobody else holds. */
    static Bytes wrap(byte[] owned) {
        return owned.length == 0 ? EMPTY : new Bytes(owned);
    }

    public int length() {
        return bytes.length;
    }

    public boolean isEmpty() {
        return bytes.length == 0;
    }

    public byte byteAt(int i) {
        return bytes[i];
    }

    public byte[] toByteArray() {
        return bytes.clone();
    }

    public void writeTo(ByteBuf out) {
        out.writeBytes(bytes);
    }

    public String toHex() {
        return HEX.formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof Bytes other && Arrays.equals(bytes, other.bytes));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        // Long bodies would flood logs; the length and a prefix are enough to recognise them.
        return bytes.length <= 64 ? "0x" + toHex()
                : "0x" + HEX.formatHex(bytes, 0, 64) + "…(" + bytes.length + " bytes)";
    }
}
