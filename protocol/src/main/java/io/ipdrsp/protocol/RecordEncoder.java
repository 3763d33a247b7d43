package io.ipdrsp.protocol;

import io.netty.buffer.ByteBuf;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Writes DATA records of one template (the exporter simulator's and the tests' side of {@link RecordDecoder}):
 * values in enabled-field order, without the DATA message's 4-byte record length. Input errors here are caller bugs
 * and raise {@link IllegalArgumentException}. Immutable and thread-safe; {@link Writer}s are not.
 */
public final class RecordEncoder {
    private final TemplateBlock template;
    private final List<FieldDescriptor> fields;
    private final FieldType[] types;
    private final boolean ipv6Raw;

    private RecordEncoder(TemplateBlock template, boolean ipv6Raw) {
        this.template = template;
        this.fields = template.enabledFields();
        this.types = new FieldType[fields.size()];
        this.ipv6Raw = ipv6Raw;
        for (int i = 0; i < types.length; i++) {
            FieldType t = FieldType.of(fields.get(i).typeId());
            if (!t.isSupported()) {
                throw new IllegalArgumentException("cannot encode field " + fields.get(i).fieldName() + " of type "
                    + t);
            }
            types[i] = t;
        }
    }

    /** Spec encoding (ipV6Addr length-prefixed). */
    public static RecordEncoder compile(TemplateBlock template) {
        return compile(template, false);
    }

    /**
     * @param ipv6Raw write ipV6Addr (0x427) as 16 raw bytes without length, like the reference exporter
     *                ({@link DecoderOptions#ipv6Raw()}); such a field then requires exactly 16 bytes.
     */
    public static RecordEncoder compile(TemplateBlock template, boolean ipv6Raw) {
        return new RecordEncoder(Objects.requireNonNull(template, "template"), ipv6Raw);
    }

    public TemplateBlock template() {
        return template;
    }

    /** The enabled fields, in the order values must be given. */
    public List<FieldDescriptor> fields() {
        return fields;
    }

    /**
     * Writes one record; {@code values.get(i)} is the value of enabled field {@code i}. Accepted Java types per
     * field: every {@link FieldValue#value()} type, plus Number for any numeric type (range-checked), Instant for
     * date-times, Inet4Address or "a.b.c.d" for ipV4Addr, InetAddress or an address literal for ipV6Addr/ipAddr,
     * UUID or its text for uuid, byte[] for any binary, "aa:bb:cc:dd:ee:ff" or Number for macAddress; null only
     * for an empty ipV6Addr/ipAddr.
     *
     * @return bytes written
     */
    public int encode(List<?> values, ByteBuf out) {
        if (values.size() != fields.size()) {
            throw new IllegalArgumentException(values.size() + " values for " + fields.size() + " enabled fields");
        }
        Writer w = writer(out);
        for (Object v : values) {
            w.value(v);
        }
        return w.finish();
    }

    /** A writer for one record into {@code out}; call one put method per enabled field, then {@link Writer#finish}. */
    public Writer writer(ByteBuf out) {
        return new Writer(out);
    }

    /** Sequential, type-checked field writer; primitives are not boxed. */
    public final class Writer {
        private final ByteBuf out;
        private final int start;
        private int next;

        private Writer(ByteBuf out) {
            this.out = Objects.requireNonNull(out, "out");
            this.start = out.writerIndex();
        }

        private FieldType nextType() {
            if (next >= types.length) {
                throw new IllegalStateException("all " + types.length + " fields already written");
            }
            return types[next];
        }

        private IllegalArgumentException wrong(Object what) {
            return new IllegalArgumentException("field " + fields.get(next).fieldName() + " of type "
                + types[next] + " cannot take " + what);
        }

        /** Any integral field; the value must fit the field's range (unsigned fields: 0..max). */
        public Writer putLong(long v) {
            FieldType t = nextType();
            switch (t.layout()) {
                case INT -> out.writeInt(checkRange(v, Integer.MIN_VALUE, Integer.MAX_VALUE));
                case UNSIGNED_INT -> out.writeInt(checkRange(v, 0, 0xffffffffL));
                case LONG, UNSIGNED_LONG -> out.writeLong(v); // unsignedLong: raw 64 bits
                case BYTE -> out.writeByte(checkRange(v, Byte.MIN_VALUE, Byte.MAX_VALUE));
                case UNSIGNED_BYTE -> out.writeByte(checkRange(v, 0, 0xff));
                case SHORT -> out.writeShort(checkRange(v, Short.MIN_VALUE, Short.MAX_VALUE));
                case UNSIGNED_SHORT -> out.writeShort(checkRange(v, 0, 0xffff));
                default -> throw wrong("an integer");
            }
            next++;
            return this;
        }

        private int checkRange(long v, long min, long max) {
            if (v < min || v > max) {
                throw wrong(v + " (range " + min + ".." + max + ")");
            }
            return (int) v;
        }

        public Writer putInt(int v) {
            return putLong(v);
        }

        public Writer putFloat(float v) {
            if (nextType().layout() == FieldType.Layout.FLOAT) {
                out.writeFloat(v);
            } else if (types[next].layout() == FieldType.Layout.DOUBLE) {
                out.writeDouble(v);
            } else {
                throw wrong("a float");
            }
            next++;
            return this;
        }

        public Writer putDouble(double v) {
            FieldType.Layout l = nextType().layout();
            if (l == FieldType.Layout.DOUBLE) {
                out.writeDouble(v);
            } else if (l == FieldType.Layout.FLOAT && ((float) v == v || Double.isNaN(v))) {
                out.writeFloat((float) v);
            } else {
                throw wrong("the double " + v);
            }
            next++;
            return this;
        }

        public Writer putBoolean(boolean v) {
            if (nextType().layout() != FieldType.Layout.BOOLEAN) {
                throw wrong("a boolean");
            }
            out.writeByte(v ? 1 : 0);
            next++;
            return this;
        }

        /** String or hexBinary based fields (4-byte length + bytes), or 16 bytes for a raw ipV6Addr. */
        public Writer putBytes(byte[] b) {
            return putBytes(b, 0, b.length);
        }

        public Writer putBytes(byte[] b, int offset, int length) {
            FieldType t = nextType();
            if (!t.layout().isVariable()) {
                throw wrong("bytes");
            }
            if (ipv6Raw && t.typeId() == FieldType.IPV6_ADDR) {
                if (length != 16) {
                    throw wrong(length + " bytes (raw ipV6Addr needs 16)");
                }
            } else {
                out.writeInt(length);
            }
            out.writeBytes(b, offset, length);
            next++;
            return this;
        }

        /** A string field, written as UTF-8. */
        public Writer putString(String s) {
            FieldType t = nextType();
            if (t.layout() != FieldType.Layout.STRING) {
                throw wrong("a string");
            }
            int lengthAt = out.writerIndex();
            out.writeInt(0);
            int n = out.writeCharSequence(s, StandardCharsets.UTF_8);
            out.setInt(lengthAt, n);
            next++;
            return this;
        }

        /** Any accepted Java value for the next field (see {@link RecordEncoder#encode}). */
        public Writer value(Object v) {
            FieldType t = nextType();
            if (v == null && (t.presentation() == FieldType.Presentation.IPV6
                || t.presentation() == FieldType.Presentation.IP_ADDR)) {
                return putBytes(new byte[0]); // "no address", as FieldValue shows an empty one
            }
            Objects.requireNonNull(v, () -> "null for field " + fields.get(next).fieldName());
            switch (t.presentation()) {
                case DATE_TIME_SEC -> {
                    return v instanceof Instant i ? putLong(i.getEpochSecond()) : number(v);
                }
                case DATE_TIME_MSEC -> {
                    return v instanceof Instant i ? putLong(i.toEpochMilli()) : number(v);
                }
                case DATE_TIME_USEC -> {
                    return v instanceof Instant i ? putLong(Math.addExact(Math.multiplyExact(i.getEpochSecond(),
                        1_000_000L), i.getNano() / 1000)) : number(v);
                }
                case IPV4 -> {
                    if (v instanceof Number) {
                        return number(v);
                    }
                    byte[] a = address(v);
                    if (a.length != 4) {
                        throw wrong(v);
                    }
                    return putLong(((a[0] & 0xffL) << 24) | ((a[1] & 0xff) << 16) | ((a[2] & 0xff) << 8) | (a[3] & 0xff));
                }
                case IPV6 -> {
                    byte[] b = v instanceof byte[] x ? x : address(v);
                    return putBytes(b.length == 4 && !(v instanceof byte[]) ? ipv4Mapped(b) : b);
                }
                case IP_ADDR -> {
                    return putBytes(v instanceof byte[] b ? b : address(v));
                }
                case UUID -> {
                    if (v instanceof byte[] b) {
                        return putBytes(b);
                    }
                    UUID u = v instanceof UUID x ? x : java.util.UUID.fromString(v.toString());
                    byte[] b = new byte[16];
                    for (int k = 0; k < 8; k++) {
                        b[k] = (byte) (u.getMostSignificantBits() >>> (56 - 8 * k));
                        b[8 + k] = (byte) (u.getLeastSignificantBits() >>> (56 - 8 * k));
                    }
                    return putBytes(b);
                }
                case MAC -> {
                    return v instanceof CharSequence s ? putLong(parseMac(s.toString())) : number(v);
                }
                default -> {
                    return plain(t, v);
                }
            }
        }

        private Writer plain(FieldType t, Object v) {
            switch (t.layout()) {
                case FLOAT, DOUBLE -> {
                    if (v instanceof Number n) {
                        return t.layout() == FieldType.Layout.FLOAT ? putFloat(n.floatValue())
                            : putDouble(n.doubleValue());
                    }
                    throw wrong(v);
                }
                case BOOLEAN -> {
                    if (v instanceof Boolean b) {
                        return putBoolean(b);
                    }
                    throw wrong(v);
                }
                case STRING -> {
                    return v instanceof byte[] b ? putBytes(b) : putString(v.toString());
                }
                case HEX_BINARY -> {
                    if (v instanceof byte[] b) {
                        return putBytes(b);
                    }
                    throw wrong(v);
                }
                default -> {
                    return number(v);
                }
            }
        }

        private Writer number(Object v) {
            if (v instanceof BigInteger b) {
                boolean unsigned64 = types[next].layout() == FieldType.Layout.UNSIGNED_LONG;
                if (unsigned64 ? b.signum() < 0 || b.bitLength() > 64 : b.bitLength() > 63) {
                    throw wrong(v);
                }
                return putLong(b.longValue()); // for unsignedLong: the two's complement bits of the value
            }
            if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
                return putLong(((Number) v).longValue());
            }
            throw wrong(v.getClass().getSimpleName() + " " + v);
        }

        private byte[] address(Object v) {
            if (v instanceof InetAddress a) {
                return a.getAddress();
            }
            String s = v.toString();
            // Only literals: never let a host name reach a resolver.
            boolean literal = s.indexOf(':') >= 0 || s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
            if (!literal) {
                throw wrong("'" + s + "' (not an address literal)");
            }
            try {
                InetAddress a = InetAddress.getByName(s);
                // ::ffff:a.b.c.d is an IPv6 literal even though Java turns it into an Inet4Address
                return s.indexOf(':') >= 0 && a instanceof Inet4Address ? ipv4Mapped(a.getAddress()) : a.getAddress();
            } catch (UnknownHostException e) {
                throw wrong("'" + s + "'");
            }
        }

        /** Java represents ::ffff:a.b.c.d as an Inet4Address; an ipV6Addr field still needs its 16 bytes. */
        private byte[] ipv4Mapped(byte[] v4) {
            byte[] b = new byte[16];
            b[10] = (byte) 0xff;
            b[11] = (byte) 0xff;
            System.arraycopy(v4, 0, b, 12, 4);
            return b;
        }

        private long parseMac(String s) {
            String hex = s.replace(":", "").replace("-", "").replace(".", "");
            if (hex.length() != 12 && hex.length() != 16) {
                throw wrong("'" + s + "' (not a MAC address)");
            }
            try {
                return Long.parseUnsignedLong(hex, 16);
            } catch (NumberFormatException e) {
                throw wrong("'" + s + "'");
            }
        }

        /** Checks that every enabled field was written; returns the record's size in bytes. */
        public int finish() {
            if (next != types.length) {
                throw new IllegalStateException(next + " of " + types.length + " fields written");
            }
            return out.writerIndex() - start;
        }
    }
}
