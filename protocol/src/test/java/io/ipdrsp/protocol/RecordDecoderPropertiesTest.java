package io.ipdrsp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Encoder/decoder round trips over random templates and values, and a bounded fuzz of record bytes. */
class RecordDecoderPropertiesTest {
    /** Every type we know, plus derived types nobody has defined yet (they must still round-trip by low byte). */
    private static final int[] TYPES = {0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c,
        0x2d, 0x122, 0x224, 0x322, 0x427, 0x527, 0x623, 0x723, 0x827, 0x5a22, 0x3328, 0x1f2d, 0xee27};

    @Provide
    Arbitrary<TemplateBlock> templates() {
        Arbitrary<FieldDescriptor> field = Arbitraries.of(box(TYPES)).flatMap(type -> Arbitraries.of(true, true,
            false).map(enabled -> new FieldDescriptor(type, 0, "f", enabled)));
        return field.list().ofMaxSize(14).map(RecordDecoderPropertiesTest::numbered);
    }

    private static TemplateBlock numbered(List<FieldDescriptor> raw) {
        List<FieldDescriptor> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            FieldDescriptor f = raw.get(i);
            out.add(new FieldDescriptor(f.typeId(), i + 1, "ns:f" + i, f.enabled()));
        }
        return new TemplateBlock(3, "s", "t", out);
    }

    private static Integer[] box(int[] a) {
        Integer[] b = new Integer[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }

    /** An encoder input and the value {@link FieldValue#value()} must then show. */
    private record Sample(Object input, Object expected) {
    }

    private static Sample sample(int typeId, Random r, boolean ipv6Raw) throws UnknownHostException {
        switch (typeId) {
            case 0x21: {
                int v = r.nextInt();
                return new Sample(v, v);
            }
            case 0x22:
            case 0x5a22: {
                long v = r.nextInt() & 0xffffffffL;
                return new Sample(v, v);
            }
            case 0x23: {
                long v = r.nextLong();
                return new Sample(v, v);
            }
            case 0x24: {
                BigInteger v = new BigInteger(64, r);
                return new Sample(v, v);
            }
            case 0x25: {
                float v = Float.intBitsToFloat(r.nextInt());
                return new Sample(v, v);
            }
            case 0x26: {
                double v = Double.longBitsToDouble(r.nextLong());
                return new Sample(v, v);
            }
            case 0x27:
            case 0xee27: {
                byte[] b = bytes(r, r.nextInt(20));
                return new Sample(b, b);
            }
            case 0x28:
            case 0x3328: {
                String s = text(r);
                return new Sample(s, s);
            }
            case 0x29: {
                boolean v = r.nextBoolean();
                return new Sample(v, v);
            }
            case 0x2a: {
                byte v = (byte) r.nextInt();
                return new Sample(v, v);
            }
            case 0x2b: {
                int v = r.nextInt(256);
                return new Sample(v, v);
            }
            case 0x2c: {
                short v = (short) r.nextInt();
                return new Sample(v, v);
            }
            case 0x2d:
            case 0x1f2d: {
                int v = r.nextInt(65536);
                return new Sample(v, v);
            }
            case 0x122: {
                Instant v = Instant.ofEpochSecond(r.nextInt() & 0xffffffffL);
                return new Sample(v, v);
            }
            case 0x224: {
                Instant v = Instant.ofEpochMilli(r.nextLong() >> 20);
                return new Sample(v, v);
            }
            case 0x623: {
                long micros = r.nextLong() >> 10;
                Instant v = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                    Math.floorMod(micros, 1_000_000L) * 1000);
                return new Sample(v, v);
            }
            case 0x322: {
                InetAddress v = InetAddress.getByAddress(bytes(r, 4));
                return new Sample(v, v);
            }
            case 0x427: {
                if (!ipv6Raw && r.nextInt(4) == 0) {
                    return new Sample(new byte[0], null);
                }
                byte[] b = bytes(r, 16);
                return new Sample(b, InetAddress.getByAddress(b));
            }
            case 0x827: {
                byte[] b = bytes(r, r.nextBoolean() ? 4 : 16);
                return new Sample(InetAddress.getByAddress(b), InetAddress.getByAddress(b));
            }
            case 0x527: {
                UUID v = new UUID(r.nextLong(), r.nextLong());
                return new Sample(v, v);
            }
            case 0x723: {
                long v = r.nextLong() & 0xffff_ffff_ffffL;
                return new Sample(v, v);
            }
            default:
                throw new IllegalArgumentException("type 0x" + Integer.toHexString(typeId));
        }
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static String text(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            int cp;
            do {
                cp = r.nextInt(4) == 0 ? r.nextInt(0x110000) : r.nextInt(0x80);
            } while (cp >= 0xd800 && cp <= 0xdfff);
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    @Property(tries = 400)
    void encodeThenDecodeGivesBackEveryValue(@ForAll("templates") TemplateBlock template, @ForAll long seed,
                                             @ForAll boolean ipv6Raw) throws Exception {
        Random r = new Random(seed);
        List<Object> inputs = new ArrayList<>();
        List<Object> expected = new ArrayList<>();
        for (FieldDescriptor f : template.enabledFields()) {
            Sample s = sample(f.typeId(), r, ipv6Raw);
            inputs.add(s.input());
            expected.add(s.expected());
        }
        ByteBuf out = Unpooled.buffer();
        out.writeBytes(new byte[] {9, 9}); // the record need not start at index 0
        out.readerIndex(2);
        int size = RecordEncoder.compile(template, ipv6Raw).encode(inputs, out);
        assertThat(size).isEqualTo(out.readableBytes());

        RecordDecoder decoder = RecordDecoder.compile(template, DecoderOptions.DEFAULT.withIpv6Raw(ipv6Raw));
        decoder.validate(out);
        List<FieldValue> values = decoder.decodeValues(out);
        assertThat(values).hasSize(expected.size());
        for (int i = 0; i < values.size(); i++) {
            assertThat(values.get(i).value()).as("field %d %s", i, values.get(i)).isEqualTo(expected.get(i));
            assertThat(values.get(i).fieldId()).isEqualTo(decoder.fields().get(i).fieldId());
        }
        // what the decoder shows is accepted by the encoder and gives the same bytes
        List<Object> again = new ArrayList<>();
        values.forEach(v -> again.add(v.value()));
        ByteBuf reencoded = Unpooled.buffer();
        RecordEncoder.compile(template, ipv6Raw).encode(again, reencoded);
        assertThat(ByteBufUtil.hexDump(reencoded)).isEqualTo(ByteBufUtil.hexDump(out));
        assertThat(out.readerIndex()).isEqualTo(2);
    }

    /** Hostile bytes: only IpdrDecodeException may ever come out, and validate agrees with decode. */
    @Property(tries = 1500)
    void arbitraryOrMutatedRecordsOnlyEverFailWithIpdrDecodeException(
        @ForAll("templates") TemplateBlock template, @ForAll long seed, @ForAll boolean ipv6Raw,
        @ForAll boolean structures, @ForAll @IntRange(max = 3) int mode) throws Exception {
        Random r = new Random(seed);
        // sometimes flag a field as an array so the structures path is fuzzed too
        List<FieldDescriptor> fields = new ArrayList<>(template.fields());
        if (!fields.isEmpty() && r.nextInt(4) == 0) {
            int k = r.nextInt(fields.size());
            FieldDescriptor f = fields.get(k);
            fields.set(k, new FieldDescriptor(f.typeId() | FieldType.ARRAY_FLAG, f.fieldId(), f.fieldName(), true));
        }
        TemplateBlock t = new TemplateBlock(template.templateId(), "s", "t", fields);
        byte[] bytes;
        if (mode == 0) {
            bytes = bytes(r, r.nextInt(64));
        } else {
            List<Object> inputs = new ArrayList<>();
            TemplateBlock plain = template;
            for (FieldDescriptor f : plain.enabledFields()) {
                inputs.add(sample(f.typeId(), r, ipv6Raw).input());
            }
            ByteBuf valid = Unpooled.buffer();
            RecordEncoder.compile(plain, ipv6Raw).encode(inputs, valid);
            bytes = ByteBufUtil.getBytes(valid);
            bytes = mutate(bytes, r, mode);
        }
        RecordDecoder decoder = RecordDecoder.compile(t, new DecoderOptions(ipv6Raw, structures, 1 << 16));
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        IpdrDecodeException fromDecode = null;
        IpdrDecodeException fromValidate = null;
        try {
            decoder.decodeValues(buf);
        } catch (IpdrDecodeException e) {
            fromDecode = e;
        }
        try {
            decoder.validate(buf);
        } catch (IpdrDecodeException e) {
            fromValidate = e;
        }
        assertThat(fromValidate == null).isEqualTo(fromDecode == null);
        if (fromDecode != null) {
            assertThat(fromValidate.reason()).isEqualTo(fromDecode.reason());
            assertThat(decoder.decodeOrRaw(buf)).isInstanceOf(RecordDecoder.Raw.class);
        }
        assertThat(buf.readerIndex()).isZero();
    }

    private static byte[] mutate(byte[] b, Random r, int mode) {
        if (b.length == 0) {
            return new byte[] {(byte) r.nextInt()};
        }
        switch (mode) {
            case 1: { // flip bits, favouring the bytes of length prefixes
                byte[] c = b.clone();
                for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                    c[r.nextInt(c.length)] ^= (byte) (1 << r.nextInt(8));
                }
                return c;
            }
            case 2: { // cut
                byte[] c = new byte[r.nextInt(b.length)];
                System.arraycopy(b, 0, c, 0, c.length);
                return c;
            }
            default: { // overwrite 4 bytes with a hostile length
                byte[] c = b.clone();
                int at = r.nextInt(c.length);
                int v = switch (r.nextInt(4)) {
                    case 0 -> 0x7fffffff;
                    case 1 -> -1;
                    case 2 -> 0x80000000;
                    default -> c.length;
                };
                for (int i = 0; i < 4 && at + i < c.length; i++) {
                    c[at + i] = (byte) (v >>> (24 - 8 * i));
                }
                return c;
            }
        }
    }
}
