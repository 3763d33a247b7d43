package io.ipdrsp.protocol;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One decoded field for tools and tests (the collector's hot path uses {@link RecordVisitor} instead).
 *
 * <p>{@code value} is a typed Java value: int → Integer, unsignedInt → Long, long → Long, unsignedLong →
 * BigInteger, float → Float, double → Double, boolean → Boolean, byte → Byte, unsignedByte/unsignedShort →
 * Integer, short → Short, string → String, hexBinary → byte[]; dateTime/dateTimeMsec/dateTimeUsec → Instant,
 * ipV4Addr → InetAddress, ipV6Addr → InetAddress (null when empty, byte[] when not 16 bytes; note that Java
 * shows an IPv4-mapped address as an Inet4Address), ipAddr → InetAddress (null when empty, byte[] when not 4 or 16
 * bytes), uuid → UUID
 * (byte[] when not 16 bytes), macAddress → Long (all 64 bits); an array (STRUCTURES only) → List of those.
 * {@code text} is a JSON-friendly rendering: decimal numbers (unsigned types as unsigned), dotted IPv4, RFC 5952
 * IPv6, {@code aa:bb:cc:dd:ee:ff} MAC (eight groups if the two high bytes are not zero, so nothing is hidden),
 * dashed UUID, ISO-8601 UTC date-times, lower-case hex for binary.
 */
public record FieldValue(String name, int fieldId, int typeId, String typeName, Object value, String text) {
    private static final HexFormat HEX = HexFormat.of();

    public FieldValue {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(typeName, "typeName");
        Objects.requireNonNull(text, "text");
        if (value instanceof byte[] b) {
            value = b.clone();
        }
    }

    /** The typed value; byte arrays are copied so the record stays immutable. */
    @Override
    public Object value() {
        return value instanceof byte[] b ? b.clone() : value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldValue f && f.fieldId == fieldId && f.typeId == typeId && f.name.equals(name)
            && f.typeName.equals(typeName) && Objects.deepEquals(f.value, value) && f.text.equals(text);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(name, fieldId, typeId, typeName, text);
        return 31 * h + (value instanceof byte[] b ? Arrays.hashCode(b) : Objects.hashCode(value));
    }

    @Override
    public String toString() {
        return name + "(" + typeName + ")=" + text;
    }

    // ---- conversions from the visitor's primitives (package-private; the decoder uses them) ----

    static Object intValue(FieldType type, int v) {
        return switch (type.layout()) {
            case BYTE -> (byte) v;
            case SHORT -> (short) v;
            default -> v; // int, unsignedByte, unsignedShort: the int is already the exact value
        };
    }

    static String intText(int v) {
        return Integer.toString(v);
    }

    static Object longValue(FieldType type, long v) {
        return switch (type.presentation()) {
            case DATE_TIME_SEC -> Instant.ofEpochSecond(v);
            case DATE_TIME_MSEC -> Instant.ofEpochMilli(v);
            case DATE_TIME_USEC -> Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000L),
                Math.floorMod(v, 1_000_000L) * 1000L);
            case IPV4 -> inet(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
            default -> {
                if (type.layout() != FieldType.Layout.UNSIGNED_LONG) {
                    yield v; // long, unsignedInt (already zero-extended), macAddress
                }
                yield v >= 0 ? BigInteger.valueOf(v) : new BigInteger(Long.toUnsignedString(v));
            }
        };
    }

    static String longText(FieldType type, long v) {
        return switch (type.presentation()) {
            case DATE_TIME_SEC, DATE_TIME_MSEC, DATE_TIME_USEC -> longValue(type, v).toString();
            case IPV4 -> ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
            case MAC -> macText(v);
            default -> type.layout() == FieldType.Layout.UNSIGNED_LONG ? Long.toUnsignedString(v) : Long.toString(v);
        };
    }

    /** {@code 00:11:22:33:44:55} from the low 48 bits; all eight bytes when the high two are not zero. */
    public static String macText(long v) {
        int bytes = (v >>> 48) == 0 ? 6 : 8;
        StringBuilder sb = new StringBuilder(bytes * 3);
        for (int i = bytes - 1; i >= 0; i--) {
            HEX.toHexDigits(sb, (byte) (v >>> (8 * i)));
            if (i > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    static Object bytesValue(FieldType type, byte[] b) {
        if (type.layout() == FieldType.Layout.STRING) {
            return new String(b, StandardCharsets.UTF_8);
        }
        return switch (type.presentation()) {
            case IPV6 -> b.length == 0 ? null : b.length == 16 ? inet(b) : b;
            case IP_ADDR -> b.length == 0 ? null : (b.length == 4 || b.length == 16) ? inet(b) : b;
            case UUID -> b.length == 16 ? uuid(b) : b;
            default -> b;
        };
    }

    static String bytesText(FieldType type, byte[] b) {
        if (type.layout() == FieldType.Layout.STRING) {
            return new String(b, StandardCharsets.UTF_8);
        }
        return switch (type.presentation()) {
            case IPV6, IP_ADDR -> b.length == 16 ? ipv6Text(b) : b.length == 4 && type.presentation()
                == FieldType.Presentation.IP_ADDR ? ipv4Text(b) : looksLikeAddressText(b)
                ? new String(b, StandardCharsets.US_ASCII) : HEX.formatHex(b);
            case UUID -> b.length == 16 ? uuid(b).toString() : HEX.formatHex(b);
            default -> HEX.formatHex(b);
        };
    }

    private static String ipv4Text(byte[] b) {
        return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
    }

    /** Some exporters put the textual address in an ipV6Addr field (digest §3.2 #9); show it as sent. */
    private static boolean looksLikeAddressText(byte[] b) {
        if (b.length < 2 || b.length > 45) {
            return false;
        }
        for (byte c : b) {
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':'
                || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** RFC 5952 text: lower case, leading zeros dropped, the longest run (≥ 2) of zero groups as {@code ::}. */
    public static String ipv6Text(byte[] b) {
        if (b.length != 16) {
            throw new IllegalArgumentException("IPv6 needs 16 bytes, got " + b.length);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    private static UUID uuid(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b);
        return new UUID(bb.getLong(), bb.getLong());
    }

    private static InetAddress inet(byte[] b) {
        try {
            return InetAddress.getByAddress(b); // no name lookup for a raw address
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    static String listText(List<FieldValue> elements) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < elements.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(elements.get(i).text());
        }
        return sb.append(']').toString();
    }
}
