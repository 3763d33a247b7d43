package io.ipdrsp.protocol.doc;

import io.ipdrsp.protocol.FieldType;
import io.ipdrsp.protocol.FieldValue;
import io.ipdrsp.protocol.RecordDecoder;
import io.ipdrsp.protocol.RecordVisitor;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;

/**
 * IPDR/XML 3.5 text of field values (digest §5.1, IPDR 3.5 {@code IPDRTypes.xsd}). Differs from
 * {@link FieldValue#text()} where XML Schema needs it: every date-time as {@code YYYY-MM-DDThh:mm:ss.mmmZ} (micro
 * seconds for dateTimeUsec), {@code INF}/{@code -INF} for infinities, characters XML 1.0 cannot carry replaced by
 * U+FFFD. As a {@link RecordVisitor} it fills one text per enabled field for the record being decoded.
 */
final class XmlText implements RecordVisitor {
    private static final HexFormat HEX = HexFormat.of();

    private final RecordDecoder decoder;
    final String[] texts;

    XmlText(RecordDecoder decoder) {
        this.decoder = decoder;
        this.texts = new String[decoder.fields().size()];
    }

    @Override
    public void onInt(int field, int value) {
        texts[field] = Integer.toString(value); // the decoder already sign- or zero-extended it
    }

    @Override
    public void onLong(int field, long v) {
        FieldType t = decoder.fieldType(field);
        texts[field] = switch (t.presentation()) {
            case DATE_TIME_SEC -> dateTime(v, 0, 3);
            case DATE_TIME_MSEC -> dateTime(Math.floorDiv(v, 1000L), Math.floorMod(v, 1000L) * 1_000_000L, 3);
            case DATE_TIME_USEC -> dateTime(Math.floorDiv(v, 1_000_000L), Math.floorMod(v, 1_000_000L) * 1000L, 6);
            case IPV4 -> ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
            case MAC -> FieldValue.macText(v);
            default -> t.layout() == FieldType.Layout.UNSIGNED_LONG ? Long.toUnsignedString(v) : Long.toString(v);
        };
    }

    @Override
    public void onFloat(int field, float value) {
        texts[field] = Float.isInfinite(value) ? (value > 0 ? "INF" : "-INF") : Float.toString(value);
    }

    @Override
    public void onDouble(int field, double value) {
        texts[field] = Double.isInfinite(value) ? (value > 0 ? "INF" : "-INF") : Double.toString(value);
    }

    @Override
    public void onBoolean(int field, boolean value) {
        texts[field] = value ? "true" : "false";
    }

    @Override
    public void onBytes(int field, ByteBuf buf, int offset, int length) {
        FieldType t = decoder.fieldType(field);
        if (t.layout() == FieldType.Layout.STRING) {
            texts[field] = xmlSafe(buf.toString(offset, length, StandardCharsets.UTF_8));
            return;
        }
        byte[] b = new byte[length];
        buf.getBytes(offset, b);
        texts[field] = switch (t.presentation()) {
            case IPV6, IP_ADDR -> length == 16 ? FieldValue.ipv6Text(b)
                : length == 4 && t.presentation() == FieldType.Presentation.IP_ADDR ? dotted(b) : HEX.formatHex(b);
            case UUID -> length == 16 ? DocumentHeader.uuidText(b) : HEX.formatHex(b);
            default -> HEX.formatHex(b);
        };
    }

    private static String dotted(byte[] b) {
        return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
    }

    /** {@code YYYY-MM-DDThh:mm:ss.fffZ} in UTC with {@code digits} fraction digits (3 = dateTimeMsec). */
    static String dateTime(long epochSecond, long nanos, int digits) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, (int) nanos, ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(32);
        int year = t.getYear();
        if (year < 0) {
            sb.append('-');
            year = -year;
        }
        pad(sb, year, 4).append('-');
        pad(sb, t.getMonthValue(), 2).append('-');
        pad(sb, t.getDayOfMonth(), 2).append('T');
        pad(sb, t.getHour(), 2).append(':');
        pad(sb, t.getMinute(), 2).append(':');
        pad(sb, t.getSecond(), 2).append('.');
        pad(sb, (int) (nanos / (digits == 3 ? 1_000_000 : 1000)), digits);
        return sb.append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder sb, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }

    /** Replaces what XML 1.0 cannot contain (controls other than tab/LF/CR, U+FFFE/U+FFFF) with U+FFFD. */
    static String xmlSafe(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!allowed(s.charAt(i))) {
                StringBuilder sb = new StringBuilder(s);
                for (int j = i; j < sb.length(); j++) {
                    if (!allowed(sb.charAt(j))) {
                        sb.setCharAt(j, '\uFFFD');
                    }
                }
                return sb.toString();
            }
        }
        return s;
    }

    private static boolean allowed(char c) {
        // Surrogates arrive paired (from UTF-8 decoding or Java strings given by the caller) and are left alone.
        return c >= 0x20 ? c != 0xFFFE && c != 0xFFFF : c == 0x9 || c == 0xA || c == 0xD;
    }

    /** An XML NCName made from an exporter's field name: anything but ASCII name characters becomes '_'. */
    static String ncName(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 1);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                || c == '-' || c == '.';
            sb.append(ok ? c : '_');
        }
        char first = sb.length() == 0 ? '0' : sb.charAt(0);
        if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_')) {
            sb.insert(0, '_');
        }
        return sb.toString();
    }
}
