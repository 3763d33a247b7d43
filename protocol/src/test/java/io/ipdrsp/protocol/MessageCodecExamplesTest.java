package io.ipdrsp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every message type built by hand and compared with bytes written out by hand from the digest's field tables
 * (§1.2, §1.4): offsets, widths and big-endian order are thereby checked in both directions.
 */
class MessageCodecExamplesTest {

    private static final TemplateBlock TEMPLATE = new TemplateBlock(1, "S", "T", List.of(
            new FieldDescriptor(0x21, 7, "a", true),
            new FieldDescriptor(0x22, 8, "b", false)));

    static Stream<Arguments> examples() {
        return Stream.of(
                // digest §1.4 worked examples
                Arguments.of(new Connect(0x0A000001, 50000, Capabilities.MULTISESSION, 60, "jcoll"),
                        "02 05 00 00 00 00 00 1F | 0A 00 00 01 | C3 50 | 00 00 00 02 | 00 00 00 3C"
                                + " | 00 00 00 05 6A 63 6F 6C 6C"),
                Arguments.of(new DataAck(3, 1, 41),
                        "02 21 03 00 00 00 00 12 | 00 01 | 00 00 00 00 00 00 00 29"),
                Arguments.of(new FlowStart(3), "02 01 03 00 00 00 00 08"),
                // the other types, laid out from the digest's tables
                Arguments.of(new FlowStop(3, FlowStopReason.PROCESS_ERROR, "err"),
                        "02 03 03 00 00000011 | 0001 | 00000003 657272"),
                Arguments.of(new ConnectResponse(0x06, 300, "CMTS"),
                        "02 06 00 00 00000018 | 00000006 | 0000012C | 00000004 434D5453"),
                Arguments.of(new Disconnect(), "02 07 00 00 00000008"),
                Arguments.of(new SessionStart(3, 0x5F000000L, 100, 7, true, 60, 200,
                                Bytes.fromHex("000102030405060708090A0B0C0D0E0F")),
                        "02 08 03 00 00000035 | 5F000000 | 0000000000000064 | 0000000000000007 | 01 | 0000003C"
                                + " | 000000C8 | 000102030405060708090A0B0C0D0E0F"),
                Arguments.of(new SessionStop(3, SessionStopReason.END_OF_IPDR_DOC, ""),
                        "02 09 03 00 0000000E | 0006 | 00000000"),
                Arguments.of(new TemplateData(3, 0x0102, TemplateData.FLAG_NEGOTIABLE, List.of(TEMPLATE)),
                        "02 10 03 00 0000003B | 0102 | 01 | 00000001 | 0001 | 00000001 53 | 00000001 54 | 00000002"
                                + " | 00000021 00000007 00000001 61 01 | 00000022 00000008 00000001 62 00"),
                Arguments.of(new FinalTemplateDataAck(3), "02 13 03 00 00000008"),
                Arguments.of(new GetSessions(7), "02 14 00 00 0000000A | 0007"),
                Arguments.of(new GetSessionsResponse(7, List.of(new SessionBlock(1, 0xA1, "n", "", 1000, 50))),
                        "02 15 00 00 00000021 | 0007 | 00000001 | 01 A1 00000001 6E 00000000 000003E8 00000032"),
                Arguments.of(new GetTemplates(3, 9), "02 16 03 00 0000000A | 0009"),
                Arguments.of(new GetTemplatesResponse(3, 9, 2, List.of()),
                        "02 17 03 00 00000010 | 0009 | 0002 | 00000000"),
                Arguments.of(new ModifyTemplate(3, 2, 0, List.of(new TemplateBlock(5, "", "", List.of()))),
                        "02 1A 03 00 0000001D | 0002 | 00 | 00000001 | 0005 00000000 00000000 00000000"),
                Arguments.of(new ModifyTemplateResponse(3, 2, 0, List.of(new TemplateBlock(5, "", "", List.of()))),
                        "02 1B 03 00 0000001D | 0002 | 00 | 00000001 | 0005 00000000 00000000 00000000"),
                Arguments.of(new StartNegotiation(3), "02 1D 03 00 00000008"),
                Arguments.of(new StartNegotiationReject(3), "02 1E 03 00 00000008"),
                Arguments.of(Data.of(3, 1, 1, Data.FLAG_DUPLICATE, 41, WireHex.bytes("DEADBEEF")),
                        "02 20 03 00 0000001D | 0001 | 0001 | 01 | 0000000000000029 | 00000004 | DEADBEEF"),
                Arguments.of(new ErrorMessage(3, 0x5F000000L, true, ErrorCodes.MESSAGE_DECODE_ERROR, "bad"),
                        "02 23 03 00 00000015 | 5F000000 | 8003 | 00000003 626164"),
                Arguments.of(new KeepAlive(), "02 40 00 00 00000008"),
                Arguments.of(new Request(3, 1, 2, 0, 5, Bytes.fromHex("AABB")),
                        "02 30 03 00 00000017 | 0001 | 0002 | 00 | 0000000000000005 | AABB"),
                Arguments.of(new Response(3, 1, 2, 0, 5, Bytes.EMPTY),
                        "02 31 03 00 00000015 | 0001 | 0002 | 00 | 0000000000000005"),
                Arguments.of(new UnknownMessage(0x1C, 3, 0, Bytes.fromHex("0102")), "02 1C 03 00 0000000A | 0102"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void encodesToTheDigestLayout(IpdrMessage message, String hex) {
        assertThat(WireHex.of(MessageCodec.toBytes(message))).isEqualTo(WireHex.of(WireHex.bytes(hex)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void decodesTheDigestLayout(IpdrMessage message, String hex) throws IpdrDecodeException {
        IpdrMessage decoded = MessageCodec.decode(WireHex.buf(hex));
        assertThat(decoded).isEqualTo(message);
        assertThat(decoded.messageId()).isEqualTo(WireHex.bytes(hex)[1] & 0xFF);
    }

    @Test
    void everyMessageTypeHasAnExample() {
        assertThat(examples().map(a -> ((IpdrMessage) a.get()[0]).type()).filter(t -> t != null).distinct())
                .containsExactlyInAnyOrder(MessageType.values());
    }

    @Test
    void connectFieldsAtTheirOffsets() throws IpdrDecodeException {
        Connect c = (Connect) MessageCodec.decode(WireHex.buf("02 05 00 00 00 00 00 1F | 0A 00 00 01 | C3 50"
                + " | 00 00 00 02 | 00 00 00 3C | 00 00 00 05 6A 63 6F 6C 6C"));
        assertThat(c.initiatorId()).isEqualTo((10 << 24) | 1);
        assertThat(c.initiatorPort()).isEqualTo(50000);
        assertThat(Capabilities.has(c.capabilities(), Capabilities.MULTISESSION)).isTrue();
        assertThat(Capabilities.describe(c.capabilities())).isEqualTo("MULTISESSION");
        assertThat(c.keepAliveInterval()).isEqualTo(60);
        assertThat(c.vendorId()).isEqualTo("jcoll");
        assertThat(c.extras()).isEqualTo(FrameExtras.NONE);
    }

    @Test
    void sessionStartFieldsAtTheirOffsets() throws IpdrDecodeException {
        UUID doc = UUID.fromString("09c81132-1dd2-11b2-a03b-af1c144d619b");
        byte[] b = MessageCodec.toBytes(new SessionStart(9, 0xF0000000L, Long.MAX_VALUE, 3, false, 1, 50,
                SessionStart.documentId(doc)));
        assertThat(b).hasSize(53);
        ByteBuf f = Unpooled.wrappedBuffer(b);
        assertThat(f.getUnsignedInt(8)).isEqualTo(0xF0000000L);
        assertThat(f.getLong(12)).isEqualTo(Long.MAX_VALUE);
        assertThat(f.getLong(20)).isEqualTo(3);
        assertThat(f.getByte(28)).isEqualTo((byte) 0);
        assertThat(f.getInt(29)).isEqualTo(1);
        assertThat(f.getInt(33)).isEqualTo(50);
        assertThat(WireHex.of(java.util.Arrays.copyOfRange(b, 37, 53))).isEqualTo("09c811321dd211b2a03baf1c144d619b");
        SessionStart s = (SessionStart) MessageCodec.decode(f);
        assertThat(s.exporterBootTime()).isEqualTo(0xF0000000L); // unsigned: past 2038 stays positive
        assertThat(s.documentIdAsUuid()).isEqualTo(doc);
        assertThat(s.primary()).isFalse();
    }

    @Test
    void dataFlagsTemplateAndRecord() throws IpdrDecodeException {
        ByteBuf frame = WireHex.buf("02 20 05 00 0000001F | 0102 | 0304 | 01 | 00000000000000FF | 00000006 | 112233445566");
        Data d = (Data) MessageCodec.decode(frame);
        assertThat(d.sessionId()).isEqualTo(5);
        assertThat(d.templateId()).isEqualTo(0x0102);
        assertThat(d.configId()).isEqualTo(0x0304);
        assertThat(d.isDuplicate()).isTrue();
        assertThat(d.sequenceNum()).isEqualTo(255);
        assertThat(WireHex.of(d.recordBytes())).isEqualTo("112233445566");
        assertThat(Data.of(5, 1, 1, 0x02, 0, new byte[0]).isDuplicate()).isFalse();
    }

    @Test
    void dataRecordSharesTheFrameMemory() throws IpdrDecodeException {
        ByteBuf frame = WireHex.buf("02 20 05 00 0000001B | 0001 | 0001 | 00 | 0000000000000001 | 00000002 | AAAA");
        Data d = (Data) MessageCodec.decode(frame);
        frame.setByte(25, 0x55); // visible through the record: it is a view, not a copy
        assertThat(d.record().getByte(d.record().readerIndex())).isEqualTo((byte) 0x55);
        assertThat(d.record().isReadOnly()).isTrue();
        assertThat(frame.readerIndex()).isZero(); // decode leaves the caller's indices alone
        frame.release();
        assertThat(d.record().refCnt()).isZero(); // its lifetime is the frame's
    }

    @Test
    void errorCodeSplitsSessionFlagFromCode() throws IpdrDecodeException {
        ErrorMessage e = (ErrorMessage) MessageCodec.decode(WireHex.buf("02 23 00 00 00000012 | 00000001 | 0104 | 00000000"));
        assertThat(e.sessionSpecific()).isFalse();
        assertThat(e.errorCode()).isEqualTo(0x104);
        assertThat(ErrorCodes.name(e.errorCode())).isEqualTo("VENDOR_260");
        ErrorMessage s = (ErrorMessage) MessageCodec.decode(WireHex.buf("02 23 04 00 00000012 | 00000001 | FFFF | 00000000"));
        assertThat(s.sessionSpecific()).isTrue();
        assertThat(s.errorCode()).isEqualTo(0x7FFF);
        assertThat(s.rawErrorCode()).isEqualTo(0xFFFF);
    }

    @Test
    void templateDataNegotiableFlagAndFields() throws IpdrDecodeException {
        TemplateData t = (TemplateData) MessageCodec.decode(WireHex.buf(
                "02 10 03 00 0000003B | 0102 | 01 | 00000001 | 0001 | 00000001 53 | 00000001 54 | 00000002"
                        + " | 00000021 00000007 00000001 61 01 | 00000022 00000008 00000001 62 00"));
        assertThat(t.isNegotiable()).isTrue();
        assertThat(t.templates().get(0).enabledFields()).extracting(FieldDescriptor::fieldName).containsExactly("a");
        assertThat(new TemplateData(3, 1, 0, List.of()).isNegotiable()).isFalse();
    }

    @Test
    void headerFlagsAndTrailingBytesAreKeptAndReEncoded() throws IpdrDecodeException {
        // SESSION_STOP as the reference exporter sends it: one byte past reasonInfo, plus a non-zero flags byte.
        byte[] wire = WireHex.bytes("02 09 01 80 00000010 | 0000 | 00000001 78 | 00");
        SessionStop s = (SessionStop) MessageCodec.decode(Unpooled.wrappedBuffer(wire));
        assertThat(s.reasonCode()).isEqualTo(SessionStopReason.END_OF_DATA);
        assertThat(s.reasonInfo()).isEqualTo("x");
        assertThat(s.extras()).isEqualTo(new FrameExtras(0x80, Bytes.fromHex("00")));
        assertThat(MessageCodec.toBytes(s)).isEqualTo(wire);
    }

    @Test
    void unicodeStringsAreUtf8WithByteCounts() throws IpdrDecodeException {
        byte[] b = MessageCodec.toBytes(new SessionStop(1, 0, "é😀"));
        // é = 2 bytes, U+1F600 = 4 bytes: the length prefix counts bytes, not chars
        assertThat(WireHex.of(b)).isEqualTo(WireHex.of(WireHex.bytes("02 09 01 00 00000014 | 0000 | 00000006 C3A9 F09F9880")));
        assertThat(((SessionStop) MessageCodec.decode(Unpooled.wrappedBuffer(b))).reasonInfo()).isEqualTo("é😀");
    }

    @Test
    void messageTypeLookupIsByIdAndUnknownIdsGiveNothing() {
        for (MessageType t : MessageType.values()) {
            assertThat(MessageType.forId(t.id())).isSameAs(t);
        }
        assertThat(MessageType.forId(0x1C)).isNull();
        assertThat(MessageType.forId(0x02)).isNull();
        assertThat(MessageType.forId(-1)).isNull();
        assertThat(MessageType.forId(0x120)).isNull();
        assertThat(MessageType.lookup(0x40)).contains(MessageType.KEEP_ALIVE);
        assertThat(MessageType.lookup(0xFF)).isEmpty();
        assertThat(MessageType.DATA.id()).isEqualTo(0x20);
        assertThat(MessageType.START_NEGOTIATION_REJECT.id()).isEqualTo(0x1E);
    }

    @Test
    void reasonAndCodeNames() {
        assertThat(SessionStopReason.name(6)).isEqualTo("END_OF_IPDR_DOC");
        assertThat(SessionStopReason.name(1)).isEqualTo("HANDING_OFF_TO_HIGHER_PRIORITY");
        assertThat(SessionStopReason.name(300)).isEqualTo("VENDOR_300");
        assertThat(FlowStopReason.name(0)).isEqualTo("NORMAL_TERMINATION");
        assertThat(ErrorCodes.name(0)).isEqualTo("KEEP_ALIVE_EXPIRED");
        assertThat(ErrorCodes.name(7)).isEqualTo("RESERVED_7");
        assertThat(Capabilities.describe(0x0F)).isEqualTo("STRUCTURES|MULTISESSION|TEMPLATE_NEGOTIATION|0x8");
    }
}
