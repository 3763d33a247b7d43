package io.ipdrsp.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ipdrsp.protocol.IpdrDecodeException.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {

    private static TemplateBlock template(FieldDescriptor... fields) {
        return new TemplateBlock(7, "schema", "type", List.of(fields));
    }

    private static TemplateBlock single(int typeId) {
        return template(new FieldDescriptor(typeId, 1, "f", true));
    }

    private static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex.replace(" ", "")));
    }

    private static FieldValue one(int typeId, String hex) throws IpdrDecodeException {
        List<FieldValue> values = RecordDecoder.compile(single(typeId), DecoderOptions.DEFAULT)
            .decodeValues(hex(hex));
        assertThat(values).hasSize(1);
        return values.get(0);
    }

    private static IpdrDecodeException failure(TemplateBlock t, DecoderOptions o, String hex) {
        RecordDecoder d = RecordDecoder.compile(t, o);
        ByteBuf buf = hex(hex);
        try {
            d.decode(buf, new RecordVisitor() {
            });
        } catch (IpdrDecodeException e) {
            // validate must agree with decode on every input
            assertThatThrownBy(() -> d.validate(buf)).isInstanceOf(IpdrDecodeException.class)
                .extracting(x -> ((IpdrDecodeException) x).reason()).isEqualTo(e.reason());
            return e;
        }
        throw new AssertionError("decoded without error: " + hex);
    }

    @Test
    void everyBaseTypeDecodesFromHandWrittenBytes() throws Exception {
        assertThat(one(0x21, "ff ff ff fe").value()).isEqualTo(-2);
        assertThat(one(0x22, "ff ff ff fe")).satisfies(v -> {
            assertThat(v.value()).isEqualTo(4294967294L);
            assertThat(v.text()).isEqualTo("4294967294");
            assertThat(v.typeName()).isEqualTo("unsignedInt");
        });
        assertThat(one(0x23, "ff ff ff ff ff ff ff fd").value()).isEqualTo(-3L);
        assertThat(one(0x24, "ff ff ff ff ff ff ff fd")).satisfies(v -> {
            assertThat(v.value()).isEqualTo(new BigInteger("18446744073709551613"));
            assertThat(v.text()).isEqualTo("18446744073709551613");
        });
        assertThat(one(0x25, "3f c0 00 00").value()).isEqualTo(1.5f);
        assertThat(one(0x26, "40 09 21 fb 54 44 2d 18").value()).isEqualTo(Math.PI);
        assertThat(one(0x27, "00 00 00 03 de ad 01")).satisfies(v -> {
            assertThat((byte[]) v.value()).containsExactly(0xde, 0xad, 0x01);
            assertThat(v.text()).isEqualTo("dead01");
        });
        assertThat(one(0x28, "00 00 00 05 68 c3 a9 6c 6c").value()).isEqualTo("héll");
        assertThat(one(0x29, "01").value()).isEqualTo(true);
        assertThat(one(0x29, "00").text()).isEqualTo("false");
        assertThat(one(0x2a, "80").value()).isEqualTo((byte) -128);
        assertThat(one(0x2b, "80").value()).isEqualTo(128);
        assertThat(one(0x2c, "80 00").value()).isEqualTo((short) -32768);
        assertThat(one(0x2d, "80 00").value()).isEqualTo(32768);
    }

    @Test
    void everyDerivedTypeDecodesWithItsPresentation() throws Exception {
        assertThat(one(0x122, "65 53 f1 00")).satisfies(v -> {
            assertThat(v.value()).isEqualTo(Instant.ofEpochSecond(0x6553f100L));
            assertThat(v.text()).isEqualTo("2023-11-14T22:13:20Z");
            assertThat(v.typeName()).isEqualTo("dateTime");
        });
        assertThat(one(0x224, "00 00 01 8b cf e5 68 01").text()).isEqualTo("2023-11-14T22:13:20.001Z");
        assertThat(one(0x623, "00 06 0a 24 18 1e 40 07").text()).isEqualTo("2023-11-14T22:13:20.000007Z");
        assertThat(one(0x322, "c0 a8 01 ff")).satisfies(v -> {
            assertThat(v.text()).isEqualTo("192.168.1.255");
            assertThat(v.value()).isEqualTo(InetAddress.getByName("192.168.1.255"));
        });
        // digest §1.4 worked example
        assertThat(one(0x723, "00 00 00 11 22 33 44 55")).satisfies(v -> {
            assertThat(v.text()).isEqualTo("00:11:22:33:44:55");
            assertThat(v.value()).isEqualTo(0x001122334455L);
        });
        assertThat(one(0x427, "00 00 00 10 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01").text())
            .isEqualTo("2001:db8::1");
        // digest §1.4: an ipV6Addr with no address is just a zero length
        assertThat(one(0x427, "00 00 00 00")).satisfies(v -> {
            assertThat(v.value()).isNull();
            assertThat(v.text()).isEmpty();
        });
        assertThat(one(0x527, "00 00 00 10 09 c8 11 32 1d d2 11 b2 a0 3b af 1c 14 4d 61 9b")).satisfies(v -> {
            assertThat(v.value()).isEqualTo(UUID.fromString("09c81132-1dd2-11b2-a03b-af1c144d619b"));
            assertThat(v.text()).isEqualTo("09c81132-1dd2-11b2-a03b-af1c144d619b");
        });
        assertThat(one(0x827, "00 00 00 04 0a 00 00 01").text()).isEqualTo("10.0.0.1");
        assertThat(one(0x827, "00 00 00 10 fe 80 00 00 00 00 00 00 02 1a 2b ff fe 00 00 01").text())
            .isEqualTo("fe80::21a:2bff:fe00:1");
    }

    @Test
    void unknownDerivedTypeIsSkippedByItsLowByte() throws Exception {
        TemplateBlock t = template(new FieldDescriptor(0x927, 1, "future", true),
            new FieldDescriptor(0xa22, 2, "futureInt", true), new FieldDescriptor(0x21, 3, "after", true));
        List<FieldValue> values = RecordDecoder.compile(t, DecoderOptions.DEFAULT)
            .decodeValues(hex("00 00 00 02 ab cd  ff ff ff ff  00 00 00 2a"));
        assertThat(values).extracting(FieldValue::text).containsExactly("abcd", "4294967295", "42");
        assertThat(values.get(0).typeName()).contains("0x927").contains("hexBinary");
    }

    @Test
    void disabledFieldsAreAbsentFromTheRecord() throws Exception {
        TemplateBlock t = template(new FieldDescriptor(0x21, 1, "a", true), new FieldDescriptor(0x28, 2, "b", false),
            new FieldDescriptor(0x23, 3, "c", false), new FieldDescriptor(0x2c, 4, "d", true));
        RecordDecoder d = RecordDecoder.compile(t, DecoderOptions.DEFAULT);
        assertThat(d.fields()).extracting(FieldDescriptor::fieldName).containsExactly("a", "d");
        assertThat(d.templateIndex(1)).isEqualTo(3);
        List<FieldValue> values = d.decodeValues(hex("00 00 00 01 00 02"));
        assertThat(values).extracting(FieldValue::name).containsExactly("a", "d");
        assertThat(values).extracting(FieldValue::text).containsExactly("1", "2");
    }

    @Test
    void trailingBytesAndTruncationAreDecodeErrors() {
        TemplateBlock t = template(new FieldDescriptor(0x21, 1, "a", true), new FieldDescriptor(0x28, 2, "s", true));
        assertThat(failure(t, DecoderOptions.DEFAULT, "00 00 00 01 00 00 00 01 41 00").reason())
            .isEqualTo(Reason.TRAILING_BYTES);
        assertThat(failure(t, DecoderOptions.DEFAULT, "00 00 00 01 00 00 00 02 41").reason())
            .isEqualTo(Reason.TRUNCATED);
        assertThat(failure(t, DecoderOptions.DEFAULT, "00 00 00 01 00 00 00").reason()).isEqualTo(Reason.TRUNCATED);
        assertThat(failure(single(0x23), DecoderOptions.DEFAULT, "00 00 00 00 00 00 00").reason())
            .isEqualTo(Reason.TRUNCATED);
        assertThat(failure(single(0x29), DecoderOptions.DEFAULT, "02").reason()).isEqualTo(Reason.BAD_VALUE);
    }

    @Test
    void hostileLengthsAreRejectedBeforeAnythingIsSized() {
        for (String len : List.of("7f ff ff ff", "ff ff ff ff", "80 00 00 00")) {
            IpdrDecodeException e = failure(single(0x28), DecoderOptions.DEFAULT, len + " 41 42");
            assertThat(e.reason()).isEqualTo(Reason.LENGTH_TOO_LARGE);
            assertThat(e.errorCode()).isEqualTo(3);
        }
        // within the option's bound but longer than the record: truncated, not an allocation
        assertThat(failure(single(0x27), DecoderOptions.DEFAULT, "00 00 10 00 41").reason())
            .isEqualTo(Reason.TRUNCATED);
        assertThat(failure(single(0x27), DecoderOptions.DEFAULT.withMaxVariableLength(2), "00 00 00 03 41 42 43")
            .reason()).isEqualTo(Reason.LENGTH_TOO_LARGE);
    }

    @Test
    void arrayAndStructureFlagsMakeTheRecordUndecodableWithoutStructures() {
        TemplateBlock t = template(new FieldDescriptor(0x21, 1, "a", true),
            new FieldDescriptor(FieldType.ARRAY_FLAG | 0x21, 2, "list", true));
        RecordDecoder d = RecordDecoder.compile(t, DecoderOptions.DEFAULT);
        assertThat(d.isDecodable()).isFalse();
        assertThat(d.unsupportedReason()).contains("list").contains("STRUCTURES");
        RecordDecoder.Result r = d.decodeOrRaw(hex("00 00 00 01 00 00 00 01 00 00 00 05"));
        assertThat(r).isEqualTo(new RecordDecoder.Raw("000000010000000100000005", Reason.UNSUPPORTED_TYPE,
            d.unsupportedReason()));
        RecordDecoder s = RecordDecoder.compile(template(new FieldDescriptor(FieldType.STRUCTURE_FLAG, 1, "st", true)),
            DecoderOptions.DEFAULT.withStructures(true));
        assertThat(s.decodeOrRaw(hex("00"))).isInstanceOf(RecordDecoder.Raw.class)
            .extracting(x -> ((RecordDecoder.Raw) x).reason()).isEqualTo(Reason.UNSUPPORTED_TYPE);
        RecordDecoder u = RecordDecoder.compile(single(0x2e), DecoderOptions.DEFAULT);
        assertThat(u.isDecodable()).isFalse();
    }

    @Test
    void arraysOfBaseTypesDecodeWhenStructuresWereNegotiated() throws Exception {
        TemplateBlock t = template(new FieldDescriptor(FieldType.ARRAY_FLAG | 0x2d, 1, "ids", true),
            new FieldDescriptor(FieldType.ARRAY_FLAG | 0x28, 2, "names", true), new FieldDescriptor(0x21, 3, "x", true));
        RecordDecoder d = RecordDecoder.compile(t, DecoderOptions.DEFAULT.withStructures(true));
        List<FieldValue> v = d.decodeValues(hex("00 00 00 02 00 01 ff ff  00 00 00 01 00 00 00 01 7a  00 00 00 09"));
        assertThat(v).extracting(FieldValue::text).containsExactly("[1, 65535]", "[z]", "9");
        assertThat(v.get(0).value()).isEqualTo(List.of(1, 65535));
        assertThat(d.decodeOrRaw(hex("7f ff ff ff"))).isInstanceOf(RecordDecoder.Raw.class);
        assertThat(d.decodeOrRaw(hex("00 00 00 00 00 00 00 00 00 00 00 09"))).isInstanceOf(RecordDecoder.Decoded.class);
    }

    @Test
    void decodingNeverMovesTheCallersIndicesAndHonoursTheReaderIndex() throws Exception {
        ByteBuf buf = hex("ee ee 00 00 00 05 ee");
        buf.readerIndex(2).writerIndex(6);
        List<Integer> seen = new ArrayList<>();
        RecordDecoder.compile(single(0x21), DecoderOptions.DEFAULT).decode(buf, new RecordVisitor() {
            @Override
            public void onInt(int field, int value) {
                seen.add(value);
            }
        });
        assertThat(seen).containsExactly(5);
        assertThat(buf.readerIndex()).isEqualTo(2);
        assertThat(buf.writerIndex()).isEqualTo(6);
    }

    @Test
    void theVisitorGetsPrimitivesPerLayout() throws Exception {
        TemplateBlock t = template(new FieldDescriptor(0x322, 1, "ip", true), new FieldDescriptor(0x2b, 2, "u8", true),
            new FieldDescriptor(0x28, 3, "s", true));
        StringBuilder log = new StringBuilder();
        RecordDecoder.compile(t, DecoderOptions.DEFAULT).decode(hex("ff 00 00 01 ff 00 00 00 02 68 69"),
            new RecordVisitor() {
                @Override
                public void onLong(int field, long value) {
                    log.append("L").append(field).append('=').append(value).append(' ');
                }

                @Override
                public void onInt(int field, int value) {
                    log.append("I").append(field).append('=').append(value).append(' ');
                }

                @Override
                public void onBytes(int field, ByteBuf buf, int offset, int length) {
                    log.append("B").append(field).append('=').append(buf.toString(offset, length,
                        StandardCharsets.UTF_8));
                }
            });
        assertThat(log).hasToString("L0=4278190081 I1=255 B2=hi");
    }

    /**
     * The first DATA of the reference exporter capture, decoded with ipv6Raw, must give exactly the values the
     * captures README lists. The template is the capture's TEMPLATE_DATA (23 fields), written out by hand.
     */
    @Test
    void firstDataOfTheReferenceExporterCaptureDecodesToTheReadmeValues() throws Exception {
        TemplateBlock t = new TemplateBlock(1, "OutputRecord", "", List.of(
            new FieldDescriptor(0x21, 1, "counter", true),
            new FieldDescriptor(0x21, 2, "counter2", true),
            new FieldDescriptor(0x28, 3, "name", true),
            new FieldDescriptor(0x22, 4, "unsigned32", true),
            new FieldDescriptor(0x22, 5, "unsigned32_2", true),
            new FieldDescriptor(0x24, 6, "unsigned64", true),
            new FieldDescriptor(0x322, 7, "ipAddress", true),
            new FieldDescriptor(0x723, 8, "macAddress", true),
            new FieldDescriptor(0x23, 9, "IPDRCLong", true),
            new FieldDescriptor(0x224, 10, "IPDRCreationTime", true),
            new FieldDescriptor(0x25, 11, "IPDR_FLOAT", true),
            new FieldDescriptor(0x26, 12, "IPDR_DOUBLE", true),
            new FieldDescriptor(0x27, 13, "IPDR_BASE64", true),
            new FieldDescriptor(0x27, 14, "IPDR_HEXBINARY", true),
            new FieldDescriptor(0x29, 15, "IPDR_BOOLEAN", true),
            new FieldDescriptor(0x2a, 17, "IPDR_BYTE", true),
            new FieldDescriptor(0x2b, 18, "IPDR_UBYTE", true),
            new FieldDescriptor(0x2c, 19, "IPDR_SHORT", true),
            new FieldDescriptor(0x2d, 20, "IPDR_USHORT", true),
            new FieldDescriptor(0x122, 21, "IPDR_DATETIME", true),
            new FieldDescriptor(0x427, 22, "ip6Address", true),
            new FieldDescriptor(0x527, 23, "uuid", true),
            new FieldDescriptor(0x623, 24, "timeUsec", true)));
        ByteBuf message = captureDataMessage();
        // DATA: header(8) templateId(2) configId(2) flags(1) sequenceNum(8) then the record's 4-byte length
        assertThat(message.getByte(1)).isEqualTo((byte) 0x20);
        int recordLength = message.getInt(21);
        ByteBuf record = message.slice(25, recordLength);
        assertThat(25 + recordLength).isEqualTo(message.getInt(4));

        RecordDecoder strict = RecordDecoder.compile(t, DecoderOptions.DEFAULT);
        assertThat(strict.decodeOrRaw(record)).isInstanceOf(RecordDecoder.Raw.class);

        List<FieldValue> v = RecordDecoder.compile(t, DecoderOptions.DEFAULT.withIpv6Raw(true)).decodeValues(record);
        assertThat(v).hasSize(23);
        assertThat(v.get(0).value()).isEqualTo(0);
        assertThat(v.get(1).value()).isEqualTo(0);
        assertThat(v.get(2).value()).isEqualTo("xdrBASE64");
        assertThat(v.get(3).value()).isEqualTo(1L);
        assertThat(v.get(4).value()).isEqualTo(2L);
        assertThat(v.get(5).value()).isEqualTo(BigInteger.valueOf(3));
        assertThat(v.get(6).text()).isEqualTo("192.168.1.255");
        assertThat(v.get(7).value()).isEqualTo(0x1122334455667788L);
        assertThat(v.get(7).text()).isEqualTo("11:22:33:44:55:66:77:88");
        assertThat(v.get(8).value()).isEqualTo(38675690L);
        assertThat(v.get(9).value()).isEqualTo(Instant.ofEpochMilli(123456));
        assertThat(v.get(10).value()).isEqualTo(175.576f);
        assertThat(v.get(11).value()).isEqualTo(12345.45);
        assertThat((byte[]) v.get(12).value()).isEqualTo("alex".getBytes(StandardCharsets.US_ASCII));
        assertThat((byte[]) v.get(13).value()).isEqualTo("123456789123456".getBytes(StandardCharsets.US_ASCII));
        assertThat(v.get(14).value()).isEqualTo(true);
        assertThat(v.get(15).value()).isEqualTo((byte) 5);
        assertThat(v.get(16).value()).isEqualTo(3);
        assertThat(v.get(17).value()).isEqualTo((short) 99);
        assertThat(v.get(18).value()).isEqualTo(111);
        assertThat(v.get(19).value()).isEqualTo(Instant.EPOCH);
        assertThat(v.get(20).value()).isEqualTo(InetAddress.getByAddress(
            "1234567812345678".getBytes(StandardCharsets.US_ASCII)));
        assertThat(v.get(21).value()).isEqualTo(new UUID(0x3132333435363738L, 0x3132333435363738L));
        assertThat(v.get(22).value()).isEqualTo(Instant.ofEpochSecond(0, 0xAAAL * 1000));
    }

    static ByteBuf captureDataMessage() throws IOException {
        try (InputStream in = RecordDecoderTest.class.getResourceAsStream("refexporter_basic_first_data.hex")) {
            String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
            return Unpooled.wrappedBuffer(HexFormat.of().parseHex(text));
        }
    }
}
