package io.ipdrsp.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input of every kind ends in IpdrDecodeException with a reason, never anything else. */
class MessageCodecMalformedTest {

    static Stream<IpdrMessage> messagesWithBodies() {
        TemplateBlock t = new TemplateBlock(1, "schema", "type", List.of(new FieldDescriptor(3, 1, "f", true)));
        return Stream.of(
                new FlowStop(1, 0, "why"),
                new Connect(1, 2, 3, 4, "vendor"),
                new ConnectResponse(3, 4, "vendor"),
                new SessionStart(1, 2, 3, 4, true, 5, 6, Bytes.of(new byte[16])),
                new SessionStop(1, 6, "done"),
                new TemplateData(1, 2, 0, List.of(t, t)),
                new GetSessions(4),
                new GetSessionsResponse(4, List.of(new SessionBlock(1, 0, "a", "b", 1, 2))),
                new GetTemplates(1, 4),
                new GetTemplatesResponse(1, 4, 2, List.of(t)),
                new ModifyTemplate(1, 2, 0, List.of(t)),
                new ModifyTemplateResponse(1, 2, 0, List.of(t)),
                Data.of(1, 1, 1, 0, 7, WireHex.bytes("0102030405")),
                new DataAck(1, 1, 7),
                new ErrorMessage(1, 5, false, 3, "bad"));
    }

    /** Every body cut short, with messageLen telling the truth about the shorter frame. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("messagesWithBodies")
    void everyTruncationIsReportedAsTruncated(IpdrMessage m) {
        byte[] full = MessageCodec.toBytes(m);
        for (int len = Framing.HEADER_LENGTH; len < full.length; len++) {
            ByteBuf cut = Unpooled.wrappedBuffer(full, 0, len).copy();
            cut.setInt(4, len);
            int l = len;
            assertThatThrownBy(() -> MessageCodec.decode(cut)).as("cut at %d of %d", l, full.length)
                    .isInstanceOfSatisfying(IpdrDecodeException.class,
                            e -> assertThat(e.reason()).isEqualTo(IpdrDecodeException.Reason.TRUNCATED));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messagesWithBodies")
    void aFrameShorterThanItsMessageLenIsTruncated(IpdrMessage m) {
        byte[] full = MessageCodec.toBytes(m);
        ByteBuf cut = Unpooled.wrappedBuffer(full, 0, full.length - 1);
        assertThatThrownBy(() -> MessageCodec.decode(cut)).isInstanceOfSatisfying(IpdrDecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(IpdrDecodeException.Reason.TRUNCATED));
    }

    @Test
    void aFrameLongerThanItsMessageLenIsRefused() {
        assertThatThrownBy(() -> MessageCodec.decode(WireHex.buf("02 40 00 00 00000008 00")))
                .isInstanceOfSatisfying(IpdrDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(IpdrDecodeException.Reason.TRAILING_BYTES));
    }

    @Test
    void shorterThanAHeaderIsTruncated() {
        assertThatThrownBy(() -> MessageCodec.decode(WireHex.buf("02 40 00 00 0000")))
                .isInstanceOfSatisfying(IpdrDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(IpdrDecodeException.Reason.TRUNCATED));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "C0 AF",        // overlong '/'
        "80",           // lone continuation byte
        "E2 82",        // sequence cut short
        "ED A0 80",     // UTF-16 surrogate encoded as UTF-8 (CESU)
        "F4 90 80 80",  // beyond U+10FFFF
        "FF",           // never valid
        "61 62 C3"      // valid prefix, broken end
    })
    void invalidUtf8IsADecodeError(String utf8) {
        byte[] s = WireHex.bytes(utf8);
        ByteBuf frame = Unpooled.buffer();
        frame.writeBytes(WireHex.bytes("02 09 01 00 00000000 0000")).writeInt(s.length).writeBytes(s);
        frame.setInt(4, frame.readableBytes());
        assertThatThrownBy(() -> MessageCodec.decode(frame)).isInstanceOfSatisfying(IpdrDecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(IpdrDecodeException.Reason.BAD_VALUE));
    }

    @Test
    void invalidUtf8DeepInsideATemplateIsFound() {
        // TEMPLATE_DATA, one template, one field whose name holds a stray 0xC0
        ByteBuf frame = WireHex.buf("02 10 01 00 0000002C | 0001 00 00000001 | 0001 00000000 00000000 00000001"
                + " | 00000001 00000001 00000002 41C0 01");
        assertThatThrownBy(() -> MessageCodec.decode(frame)).isInstanceOfSatisfying(IpdrDecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(IpdrDecodeException.Reason.BAD_VALUE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"7FFFFFFF", "FFFFFFFF", "80000000", "00000002"})
    void hostileCountsAreRefusedBeforeAllocating(String count) {
        // A template count that could not fit in the bytes present: refused, no list of that size is created
        // (an ArrayList of 2^31 would throw OutOfMemoryError, which would fail this test).
        ByteBuf templates = WireHex.buf("02 10 01 00 0000001D | 0001 00 " + count + " | 0001 00000000 00000000 00000000");
        ByteBuf sessions = WireHex.buf("02 15 00 00 00000010 | 0001 | " + count + " | 0000");
        ByteBuf fields = WireHex.buf("02 17 01 00 0000001E | 0001 0002 00000001 | 0001 00000000 00000000 " + count);
        for (ByteBuf frame : List.of(templates, sessions, fields)) {
            frame.setInt(4, frame.readableBytes());
            assertThatThrownBy(() -> MessageCodec.decode(frame)).isInstanceOfSatisfying(IpdrDecodeException.class,
                    e -> assertThat(e.reason()).isEqualTo(IpdrDecodeException.Reason.TRUNCATED));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"7FFFFFFF", "FFFFFFFE", "80000000", "00000005"})
    void hostileStringLengthsAreRefused(String length) {
        ByteBuf frame = WireHex.buf("02 06 00 00 00000018 | 00000000 | 00000000 | " + length + " | 41424344");
        assertThatThrownBy(() -> MessageCodec.decode(frame)).isInstanceOfSatisfying(IpdrDecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(IpdrDecodeException.Reason.TRUNCATED));
    }

    @ParameterizedTest
    @ValueSource(strings = {"7FFFFFFF", "FFFFFFFE", "80000000", "00000003"})
    void dataRecordLengthMustFitTheMessage(String length) {
        ByteBuf frame = WireHex.buf("02 20 01 00 0000001B | 0001 0001 00 0000000000000001 | " + length + " | AABB");
        assertThatThrownBy(() -> MessageCodec.decode(frame)).isInstanceOfSatisfying(IpdrDecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(IpdrDecodeException.Reason.TRUNCATED));
    }

    @Test
    void bytesAfterTheDataRecordAreKeptAsTrailer() throws IpdrDecodeException {
        byte[] wire = WireHex.bytes("02 20 01 00 0000001B | 0001 0001 00 0000000000000001 | 00000001 | AA | BB");
        Data d = (Data) MessageCodec.decode(Unpooled.wrappedBuffer(wire));
        assertThat(d.recordBytes()).isEqualTo(WireHex.bytes("AA"));
        assertThat(d.extras().trailer()).isEqualTo(Bytes.fromHex("BB"));
        assertThat(MessageCodec.toBytes(d)).isEqualTo(wire);
    }

    @Test
    void shortRequestStaysRawInsteadOfFailing() throws IpdrDecodeException {
        IpdrMessage m = MessageCodec.decode(WireHex.buf("02 30 01 00 0000000B | 000102"));
        assertThat(m).isEqualTo(new UnknownMessage(0x30, 1, 0, Bytes.fromHex("000102")));
        assertThat(m.type()).isNull();
        assertThat(m.messageId()).isEqualTo(0x30);
    }

    @Test
    void primaryByteOtherThanOneReadsAsTrue() throws IpdrDecodeException {
        SessionStart s = (SessionStart) MessageCodec.decode(WireHex.buf("02 08 01 00 00000035 | 00000000"
                + " | 0000000000000000 | 0000000000000000 | 02 | 00000001 | 00000001 | " + "00".repeat(16)));
        assertThat(s.primary()).isTrue();
    }

    @Test
    void constructorsRefuseValuesTheWireCannotCarry() {
        assertThatThrownBy(() -> new FlowStart(256)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DataAck(1, 0x10000, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SessionStop(1, 0, "\uD800")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SessionStart(1, 0, 0, 0, true, 0, 0, Bytes.of(new byte[15])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ErrorMessage(1, 0, false, 0x8000, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UnknownMessage(0x20, 1, 0, Bytes.EMPTY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MessageCodec.toBytes(new TemplateData(1, 1, 0,
                List.of(new TemplateBlock(0x10000, "", "", List.of()))))).isInstanceOf(IllegalArgumentException.class);
    }
}
