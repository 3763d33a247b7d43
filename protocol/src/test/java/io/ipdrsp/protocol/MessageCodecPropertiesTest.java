package io.ipdrsp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Round trips for every message type with arbitrary field values, and a bounded fuzz of random and mutated frames
 * in which the only failure allowed is IpdrDecodeException. Tries are bounded so the module's tests stay fast.
 */
class MessageCodecPropertiesTest {

    // ---------------------------------------------------------------- round trips

    @Property(tries = 600)
    void decodeOfEncodeGivesTheMessageBackAndReEncodesIdentically(@ForAll("messages") IpdrMessage m)
            throws IpdrDecodeException {
        // Coverage guards the property itself: a generator that silently dropped a type would weaken it unseen.
        Statistics.label("type").collect(m.type() == null ? "UNKNOWN" : m.type().name()).coverage(c -> {
            for (MessageType t : MessageType.values()) {
                c.check(t.name()).count(n -> n > 0);
            }
            c.check("UNKNOWN").count(n -> n > 0);
        });
        byte[] wire = MessageCodec.toBytes(m);
        IpdrMessage decoded = MessageCodec.decode(Unpooled.wrappedBuffer(wire));
        assertThat(decoded).isEqualTo(m);
        assertThat(MessageCodec.toBytes(decoded)).isEqualTo(wire);

        ByteBuf stream = Unpooled.wrappedBuffer(wire);
        ByteBuf frame = Framing.readFrame(stream, Framing.DEFAULT_MAX_MESSAGE_LENGTH);
        assertThat(frame.readableBytes()).isEqualTo(wire.length).isEqualTo((int) Framing.messageLength(frame));
        assertThat(Framing.messageId(frame)).isEqualTo(m.messageId());
        assertThat(Framing.sessionId(frame)).isEqualTo(m.sessionId());
        if (m instanceof Data d) {
            assertThat(Framing.dataRecordLength(frame)).isEqualTo(d.record().readableBytes());
            assertThat(Framing.dataSequenceNum(frame)).isEqualTo(d.sequenceNum());
            assertThat(Framing.dataTemplateId(frame)).isEqualTo(d.templateId());
            assertThat(Framing.dataConfigId(frame)).isEqualTo(d.configId());
            assertThat(Framing.dataFlags(frame)).isEqualTo(d.flags());
        }
    }

    /** Frames from random bytes: whenever they decode, re-encoding reproduces them (or, where the codec
     *  normalises booleans / indefinite lengths, decodes to the same message again). */
    @Property(tries = 1500)
    void encodeOfDecodeReproducesArbitraryFrames(@ForAll("rawFrames") byte[] frame) {
        IpdrMessage m;
        try {
            m = MessageCodec.decode(Unpooled.wrappedBuffer(frame));
        } catch (IpdrDecodeException e) {
            Statistics.label("outcome").collect("rejected " + e.reason());
            return;
        }
        Statistics.label("outcome").collect("decoded");
        byte[] again = MessageCodec.toBytes(m);
        if (NORMALISING.contains(m.type())) {
            assertThat(decodeUnchecked(again)).isEqualTo(m);
        } else {
            assertThat(again).isEqualTo(frame);
        }
    }

    private static final Set<MessageType> NORMALISING = EnumSet.of(MessageType.SESSION_START,
            MessageType.TEMPLATE_DATA, MessageType.MODIFY_TEMPLATE, MessageType.MODIFY_TEMPLATE_RESPONSE,
            MessageType.GET_TEMPLATES_RESPONSE, MessageType.DATA);

    // ---------------------------------------------------------------- fuzz

    @Property(tries = 1000)
    void mutatedFramesFailOnlyWithIpdrDecodeException(@ForAll("messages") IpdrMessage m,
            @ForAll("mutations") Mutation mutation) {
        byte[] wire = mutation.apply(MessageCodec.toBytes(m));
        Statistics.label("mutation").collect(mutation.kind());
        decodeEverywayAndCheck(wire);
    }

    @Property(tries = 1500)
    void randomBytesFailOnlyWithIpdrDecodeException(@ForAll("noise") byte[] wire) {
        decodeEverywayAndCheck(wire);
    }

    /** Decode directly and through Framing; a success must be a valid value that encodes and decodes again. */
    private static void decodeEverywayAndCheck(byte[] wire) {
        try {
            IpdrMessage m = MessageCodec.decode(Unpooled.wrappedBuffer(wire));
            assertThat(decodeUnchecked(MessageCodec.toBytes(m))).isEqualTo(m);
        } catch (IpdrDecodeException expected) {
            assertThat(expected.reason()).isNotNull();
        }
        ByteBuf stream = Unpooled.wrappedBuffer(wire);
        try {
            ByteBuf frame;
            while ((frame = Framing.readFrame(stream, 1 << 16)) != null) {
                if (Framing.isData(frame)) {
                    int length = Framing.dataRecordLength(frame);
                    assertThat(Framing.dataRecordIndex(frame) + length).isLessThanOrEqualTo(frame.writerIndex());
                    Framing.dataSequenceNum(frame);
                }
                MessageCodec.decode(frame);
            }
        } catch (IpdrDecodeException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }

    private static IpdrMessage decodeUnchecked(byte[] wire) {
        try {
            return MessageCodec.decode(Unpooled.wrappedBuffer(wire));
        } catch (IpdrDecodeException e) {
            throw new AssertionError("re-encoded message does not decode: " + e.getMessage(), e);
        }
    }

    record Mutation(String kind, int position, int value, int count) {
        byte[] apply(byte[] in) {
            int p = Math.floorMod(position, in.length);
            switch (kind) {
                case "flip" -> {
                    byte[] out = in.clone();
                    for (int i = 0; i < count; i++) {
                        int q = Math.floorMod(p + i * 7919 + value, out.length);
                        out[q] ^= (byte) (1 + Math.floorMod(value + i, 255));
                    }
                    return out;
                }
                case "truncate" -> {
                    return Arrays.copyOf(in, p);
                }
                case "truncate-fix-length" -> {
                    byte[] out = Arrays.copyOf(in, Math.max(8, p));
                    Unpooled.wrappedBuffer(out).setInt(4, out.length);
                    return out;
                }
                case "huge-int" -> {
                    byte[] out = in.clone();
                    int q = Math.min(p, Math.max(0, out.length - 4));
                    int[] huge = {0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, value};
                    if (out.length >= 4) {
                        Unpooled.wrappedBuffer(out).setInt(q, huge[Math.floorMod(count, huge.length)]);
                    }
                    return out;
                }
                case "append" -> {
                    byte[] out = Arrays.copyOf(in, in.length + count);
                    Arrays.fill(out, in.length, out.length, (byte) value);
                    if ((value & 1) == 0) {
                        Unpooled.wrappedBuffer(out).setInt(4, out.length); // the extra bytes become a trailer
                    }
                    return out;
                }
                default -> throw new IllegalStateException(kind);
            }
        }
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        return Combinators.combine(
                Arbitraries.of("flip", "truncate", "truncate-fix-length", "huge-int", "append"),
                Arbitraries.integers().between(0, 10_000),
                Arbitraries.integers(),
                Arbitraries.integers().between(1, 6)).as(Mutation::new);
    }

    @Provide
    Arbitrary<byte[]> noise() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(120);
    }

    /** Well-framed (version 2, messageLen right) frames with random ids and bodies. */
    @Provide
    Arbitrary<byte[]> rawFrames() {
        Arbitrary<Integer> ids = Arbitraries.oneOf(
                Arbitraries.of(Arrays.stream(MessageType.values()).map(MessageType::id).toList()),
                Arbitraries.integers().between(0, 255));
        return Combinators.combine(ids, Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 3),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(80))
                .as((id, session, flags, body) -> {
                    ByteBuf b = Unpooled.buffer();
                    b.writeByte(2).writeByte(id).writeByte(session).writeByte(flags).writeInt(8 + body.length)
                            .writeBytes(body);
                    return io.netty.buffer.ByteBufUtil.getBytes(b);
                });
    }

    // ---------------------------------------------------------------- generators

    static List<Arbitrary<? extends IpdrMessage>> allMessageTypes() {
        Arbitrary<Integer> sid = u8();
        return List.of(
                Combinators.combine(sid, extras()).as(FlowStart::new),
                Combinators.combine(sid, u16(), strings(), extras()).as(FlowStop::new),
                Combinators.combine(sid, Arbitraries.integers(), u16(), Arbitraries.integers(), Arbitraries.integers(),
                        strings(), extras()).as(Connect::new),
                Combinators.combine(sid, Arbitraries.integers(), Arbitraries.integers(), strings(), extras())
                        .as(ConnectResponse::new),
                Combinators.combine(sid, extras()).as(Disconnect::new),
                Combinators.combine(sid, u32(), Arbitraries.longs(), Arbitraries.longs(), Arbitraries.of(true, false),
                                Arbitraries.integers(), Arbitraries.integers(), bytes(16, 16))
                        .as(SessionStart::new)
                        .flatMap(s -> extras().map(e -> new SessionStart(s.sessionId(), s.exporterBootTime(),
                                s.firstRecordSequenceNumber(), s.droppedRecordCount(), s.primary(),
                                s.ackTimeInterval(), s.ackSequenceInterval(), s.documentId(), e))),
                Combinators.combine(sid, u16(), strings(), extras()).as(SessionStop::new),
                Combinators.combine(sid, u16(), u8(), templates(), extras()).as(TemplateData::new),
                Combinators.combine(sid, extras()).as(FinalTemplateDataAck::new),
                Combinators.combine(sid, u16(), extras()).as(GetSessions::new),
                Combinators.combine(sid, u16(), sessionBlocks(), extras()).as(GetSessionsResponse::new),
                Combinators.combine(sid, u16(), extras()).as(GetTemplates::new),
                Combinators.combine(sid, u16(), u16(), templates(), extras()).as(GetTemplatesResponse::new),
                Combinators.combine(sid, u16(), u8(), templates(), extras()).as(ModifyTemplate::new),
                Combinators.combine(sid, u16(), u8(), templates(), extras()).as(ModifyTemplateResponse::new),
                Combinators.combine(sid, extras()).as(StartNegotiation::new),
                Combinators.combine(sid, extras()).as(StartNegotiationReject::new),
                Combinators.combine(sid, u16(), u16(), u8(), Arbitraries.longs(),
                                Arbitraries.bytes().array(byte[].class).ofMaxSize(300), extras())
                        .as((s, t, c, f, q, r, e) -> new Data(s, t, c, f, q, Unpooled.wrappedBuffer(r), e)),
                Combinators.combine(sid, u16(), Arbitraries.longs(), extras()).as(DataAck::new),
                Combinators.combine(sid, u32(), Arbitraries.of(true, false), Arbitraries.integers().between(0, 0x7FFF),
                        strings(), extras()).as(ErrorMessage::new),
                Combinators.combine(sid, extras()).as(KeepAlive::new),
                Combinators.combine(sid, u16(), u16(), u8(), Arbitraries.longs(), bytes(0, 40), u8())
                        .as(Request::new),
                Combinators.combine(sid, u16(), u16(), u8(), Arbitraries.longs(), bytes(0, 40), u8())
                        .as(Response::new),
                Combinators.combine(u8().filter(id -> MessageType.forId(id) == null), sid, u8(), bytes(0, 40))
                        .as(UnknownMessage::new));
    }

    @Provide
    Arbitrary<IpdrMessage> messages() {
        return Arbitraries.oneOf(allMessageTypes());
    }

    static Arbitrary<Integer> u8() {
        return Arbitraries.integers().between(0, 0xFF);
    }

    static Arbitrary<Integer> u16() {
        return Arbitraries.integers().between(0, 0xFFFF);
    }

    static Arbitrary<Long> u32() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    }

    static Arbitrary<Bytes> bytes(int min, int max) {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max).map(Bytes::of);
    }

    /** ASCII, or any Unicode code points (all planes, no lone surrogates). */
    static Arbitrary<String> strings() {
        Arbitrary<String> unicode = Arbitraries.integers().between(0, 0x10FFFF)
                .filter(cp -> cp < 0xD800 || cp > 0xDFFF)
                .list().ofMaxSize(12)
                .map(cps -> {
                    StringBuilder sb = new StringBuilder();
                    cps.forEach(sb::appendCodePoint);
                    return sb.toString();
                });
        return Arbitraries.oneOf(Arbitraries.strings().ascii().ofMaxLength(24), unicode);
    }

    static Arbitrary<FrameExtras> extras() {
        Arbitrary<FrameExtras> odd = Combinators.combine(u8(), bytes(0, 4)).as(FrameExtras::new);
        return Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.just(FrameExtras.NONE)), Tuple.of(1, odd));
    }

    static Arbitrary<List<TemplateBlock>> templates() {
        Arbitrary<FieldDescriptor> field = Combinators.combine(Arbitraries.integers(), Arbitraries.integers(),
                strings(), Arbitraries.of(true, false)).as(FieldDescriptor::new);
        Arbitrary<TemplateBlock> block = Combinators.combine(u16(), strings(), strings(),
                field.list().ofMaxSize(120)).as(TemplateBlock::new);
        return block.list().ofMaxSize(3);
    }

    static Arbitrary<List<SessionBlock>> sessionBlocks() {
        return Combinators.combine(u8(), u8(), strings(), strings(), Arbitraries.integers(), Arbitraries.integers())
                .as(SessionBlock::new).list().ofMaxSize(6);
    }
}
