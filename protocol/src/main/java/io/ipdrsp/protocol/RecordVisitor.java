package io.ipdrsp.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Receives the fields of one record from {@link RecordDecoder#decode}, in wire order, as primitives: nothing is
 * boxed or copied by the decoder, so a visitor that does not allocate makes decoding allocation-free.
 *
 * <p>{@code field} is the index into {@link RecordDecoder#fields()} (enabled fields only). Which callback a field
 * gets depends on its layout (low byte of the type id), never on the derived type:
 * <ul>
 *   <li>{@link #onInt}: int, byte, unsignedByte, short, unsignedShort — sign- or zero-extended as the type says, so
 *       the int is the exact value;</li>
 *   <li>{@link #onLong}: unsignedInt (zero-extended, exact), long, unsignedLong (raw 64 bits: read it with
 *       {@link Long#toUnsignedString(long)}); hence dateTime and ipV4Addr arrive here as 0..2^32-1, and
 *       dateTimeMsec, dateTimeUsec, macAddress as their 64 bits;</li>
 *   <li>{@link #onBytes}: string, hexBinary and every type derived from them (ipV6Addr, uuid, ipAddr, …). The
 *       bytes are only valid during the call; the visitor decides whether to materialise a String or copy.</li>
 * </ul>
 * If decoding fails part-way, some callbacks have already happened: a visitor that accumulates must discard its
 * state when {@code decode} throws.
 */
public interface RecordVisitor {
    default void onInt(int field, int value) {
    }

    default void onLong(int field, long value) {
    }

    default void onFloat(int field, float value) {
    }

    default void onDouble(int field, double value) {
    }

    default void onBoolean(int field, boolean value) {
    }

    /** {@code length} bytes of {@code buf} from absolute index {@code offset}; do not keep {@code buf}. */
    default void onBytes(int field, ByteBuf buf, int offset, int length) {
    }

    /**
     * Only with {@link DecoderOptions#structures()}: an array field starts; {@code count} element callbacks with
     * the same {@code field} follow.
     */
    default void onArrayStart(int field, int count) {
    }
}
