package io.ipdrsp.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FramingTest {

    private static final List<IpdrMessage> CONVERSATION = List.of(
            new Connect(0x0A000001, 50000, 2, 60, "jcoll"),
            new GetSessions(1),
            new FlowStart(3),
            new UnknownMessage(0x1C, 3, 0, Bytes.fromHex("0102030405")),
            Data.of(3, 1, 1, 0, 0, WireHex.bytes("00000001")),
            new Request(3, 1, 1, 0, 9, Bytes.fromHex("CAFE")),
            new DataAck(3, 1, 0),
            new KeepAlive());

    private static ByteBuf concatenated() {
        ByteBuf all = Unpooled.buffer();
        CONVERSATION.forEach(m -> MessageCodec.encode(m, all));
        return all;
    }

    @Test
    void cutsSeveralMessagesOutOfOneBuffer() throws IpdrDecodeException {
        ByteBuf in = concatenated();
        List<IpdrMessage> got = new ArrayList<>();
        ByteBuf frame;
        while ((frame = Framing.readFrame(in, Framing.DEFAULT_MAX_MESSAGE_LENGTH)) != null) {
            got.add(MessageCodec.decode(frame));
        }
        assertThat(got).isEqualTo(CONVERSATION);
        assertThat(in.readableBytes()).isZero();
    }

    @Test
    void reassemblesMessagesArrivingOneByteAtATime() throws IpdrDecodeException {
        byte[] all = io.netty.buffer.ByteBufUtil.getBytes(concatenated());
        ByteBuf cumulation = Unpooled.buffer();
        List<IpdrMessage> got = new ArrayList<>();
        for (byte b : all) {
            cumulation.writeByte(b);
            int before = cumulation.readerIndex();
            ByteBuf frame = Framing.readFrame(cumulation, 1024);
            if (frame == null) {
                assertThat(cumulation.readerIndex()).isEqualTo(before); // nothing consumed while incomplete
            } else {
                got.add(MessageCodec.decode(frame));
                assertThat(Framing.readFrame(cumulation, 1024)).isNull();
            }
        }
        assertThat(got).isEqualTo(CONVERSATION);
    }

    @Test
    void unknownAndUnverifiedMessagesAreSkippedByLength() throws IpdrDecodeException {
        ByteBuf in = concatenated();
        List<Integer> ids = new ArrayList<>();
        ByteBuf frame;
        while ((frame = Framing.readFrame(in)) != null) {
            ids.add(Framing.messageId(frame)); // what a collector does with 0x1c/0x30: note the id, move on
        }
        assertThat(ids).containsExactly(0x05, 0x14, 0x01, 0x1C, 0x20, 0x30, 0x21, 0x40);
    }

    @Test
    void returnedFrameIsARetainedSliceOfExactlyOneMessage() throws IpdrDecodeException {
        ByteBuf in = concatenated();
        ByteBuf frame = Framing.readFrame(in);
        assertThat(frame.readableBytes()).isEqualTo(31);
        assertThat(in.readerIndex()).isEqualTo(31);
        assertThat(in.refCnt()).isEqualTo(2); // the slice holds its own reference
        frame.release();
        assertThat(in.refCnt()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 0x20, 0xFF})
    void rejectsOtherVersions(int version) {
        ByteBuf in = WireHex.buf("00 40 00 00 00000008");
        in.setByte(0, version);
        assertThatThrownBy(() -> Framing.readFrame(in))
                .isInstanceOfSatisfying(IpdrDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(IpdrDecodeException.Reason.BAD_VERSION));
        assertThatThrownBy(() -> MessageCodec.decode(in.duplicate()))
                .isInstanceOfSatisfying(IpdrDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(IpdrDecodeException.Reason.BAD_VERSION));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7})
    void rejectsMessageLenBelowTheHeader(int messageLen) {
        ByteBuf in = WireHex.buf("02 40 00 00 00000000 00000000");
        in.setInt(4, messageLen);
        assertThatThrownBy(() -> Framing.readFrame(in))
                .isInstanceOfSatisfying(IpdrDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(IpdrDecodeException.Reason.LENGTH_TOO_SMALL));
    }

    @ParameterizedTest
    @ValueSource(longs = {1025, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL})
    void rejectsHugeMessageLenFromTheHeaderAlone(long messageLen) {
        // Only the 8 header bytes are buffered: the length is refused before anyone waits for or buffers the body.
        ByteBuf in = Unpooled.buffer(8, 8); // a buffer that cannot grow: any attempt to size by messageLen would fail
        in.writeBytes(WireHex.bytes("02 20 01 00")).writeInt((int) messageLen);
        assertThatThrownBy(() -> Framing.readFrame(in, 1024))
                .isInstanceOfSatisfying(IpdrDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(IpdrDecodeException.Reason.LENGTH_TOO_LARGE));
        assertThat(in.readerIndex()).isZero();
    }

    @Test
    void acceptsMessageLenExactlyAtTheMaximum() throws IpdrDecodeException {
        ByteBuf in = Unpooled.buffer();
        MessageCodec.encode(Data.of(1, 1, 1, 0, 0, new byte[1024 - 25]), in);
        assertThat(Framing.readFrame(in, 1024)).isNotNull();
    }

    @Test
    void waitsForTheHeaderBeforeJudgingIt() throws IpdrDecodeException {
        assertThat(Framing.readFrame(WireHex.buf("07 07 07 07 07 07 07"), 1024)).isNull(); // 7 bytes: not yet a header
    }

    @Test
    void dataAccessorsReadInPlace() throws IpdrDecodeException {
        ByteBuf frame = WireHex.buf("02 20 05 00 0000001F | 0102 | 0304 | 01 | 00000000000000FF | 00000006 | 112233445566");
        frame.readerIndex(0);
        assertThat(Framing.isData(frame)).isTrue();
        assertThat(Framing.messageType(frame)).isEqualTo(MessageType.DATA);
        assertThat(Framing.sessionId(frame)).isEqualTo(5);
        assertThat(Framing.messageLength(frame)).isEqualTo(31);
        assertThat(Framing.dataRecordLength(frame)).isEqualTo(6);
        assertThat(Framing.dataTemplateId(frame)).isEqualTo(0x0102);
        assertThat(Framing.dataConfigId(frame)).isEqualTo(0x0304);
        assertThat(Framing.dataFlags(frame)).isEqualTo(1);
        assertThat(Framing.dataIsDuplicate(frame)).isTrue();
        assertThat(Framing.dataSequenceNum(frame)).isEqualTo(255);
        assertThat(frame.getByte(Framing.dataRecordIndex(frame))).isEqualTo((byte) 0x11);
    }

    @Test
    void dataAccessorsFollowTheFramesReaderIndex() throws IpdrDecodeException {
        ByteBuf in = Unpooled.buffer();
        MessageCodec.encode(new KeepAlive(), in);
        MessageCodec.encode(Data.of(2, 7, 8, 0, 42, WireHex.bytes("ABCD")), in);
        in.readerIndex(8); // the DATA frame starts mid-buffer
        assertThat(Framing.dataRecordLength(in)).isEqualTo(2);
        assertThat(Framing.dataTemplateId(in)).isEqualTo(7);
        assertThat(Framing.dataConfigId(in)).isEqualTo(8);
        assertThat(Framing.dataSequenceNum(in)).isEqualTo(42);
        assertThat(in.getByte(Framing.dataRecordIndex(in) + 1)).isEqualTo((byte) 0xCD);
        assertThat(((Data) MessageCodec.decode(in)).recordBytes()).isEqualTo(WireHex.bytes("ABCD"));
    }

    @Test
    void dataRecordLengthValidatesTheFrame() {
        assertReason(() -> Framing.dataRecordLength(WireHex.buf("02 21 03 00 00000012 | 0001 | 0000000000000029")),
                IpdrDecodeException.Reason.BAD_VALUE); // not DATA
        assertReason(() -> Framing.dataRecordLength(WireHex.buf("02 20 03 00 00000015 | 0001 0001 00 0000000000000029")),
                IpdrDecodeException.Reason.TRUNCATED); // no record length
        assertReason(() -> Framing.dataRecordLength(WireHex.buf("02 20 03 00 0000001A | 0001 0001 00 0000000000000001"
                + " | 00000002 | AA")), IpdrDecodeException.Reason.TRUNCATED); // record longer than the message
        assertReason(() -> Framing.dataRecordLength(WireHex.buf("02 20 03 00 00000030 | 0001 0001 00 0000000000000001"
                + " | 00000000")), IpdrDecodeException.Reason.TRUNCATED); // messageLen beyond the frame
    }

    @Test
    void indefiniteRecordLengthMeansTheRestOfTheMessage() throws IpdrDecodeException {
        ByteBuf frame = WireHex.buf("02 20 03 00 0000001C | 0001 0001 00 0000000000000001 | FFFFFFFF | 010203");
        assertThat(Framing.dataRecordLength(frame)).isEqualTo(3);
        Data d = (Data) MessageCodec.decode(frame);
        assertThat(WireHex.of(d.recordBytes())).isEqualTo("010203");
        assertThat(d.extras()).isEqualTo(FrameExtras.NONE);
    }

    private static void assertReason(org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
            IpdrDecodeException.Reason reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(IpdrDecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
