package io.ipdrsp.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Objects;

/**
 * DATA (0x20): {@code templateId} @8, {@code configId} @10, {@code flags} @12 (bit 0 = duplicate), the DSN
 * {@code sequenceNum} @13, then the dataRecord: a 4-byte length @21 and the record bytes @25 — the values of the
 * template's enabled fields. {@link #record()} holds only the record bytes, without the length prefix.
 *
 * <p><b>Lifetime.</b> A decoded Data does not copy the record: {@code record} is a read-only slice of the frame
 * given to {@link MessageCodec#decode}, sharing its memory and reference count. It is valid only while the caller
 * that owns the frame has not released it; to keep a record longer, copy it ({@code record.copy()}) or
 * {@code retain()} it (and release later). Equality compares the record's readable bytes. Encoding never moves the
 * record's indices. A hot path that does not want even this object can read DATA in place with the
 * {@code Framing.data*} accessors.
 */
public record Data(int sessionId, int templateId, int configId, int flags, long sequenceNum, ByteBuf record,
        FrameExtras extras) implements IpdrMessage {
    /** Flag bit 0: this record may have been sent to another collector already (fail-over re-send). */
    public static final int FLAG_DUPLICATE = 0x01;

    public Data {
        Checks.u8(sessionId, "sessionId");
        Checks.u16(templateId, "templateId");
        Checks.u16(configId, "configId");
        Checks.u8(flags, "flags");
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(extras, "extras");
    }

    public Data(int sessionId, int templateId, int configId, int flags, long sequenceNum, ByteBuf record) {
        this(sessionId, templateId, configId, flags, sequenceNum, record, FrameExtras.NONE);
    }

    /** A Data over a private copy of {@code record} (no lifetime to manage). */
    public static Data of(int sessionId, int templateId, int configId, int flags, long sequenceNum, byte[] record) {
        return new Data(sessionId, templateId, configId, flags, sequenceNum,
                Unpooled.wrappedBuffer(record.clone()).asReadOnly());
    }

    public boolean isDuplicate() {
        return (flags & FLAG_DUPLICATE) != 0;
    }

    /** The record's bytes copied into a new array. */
    public byte[] recordBytes() {
        byte[] b = new byte[record.readableBytes()];
        record.getBytes(record.readerIndex(), b);
        return b;
    }

    @Override
    public MessageType type() {
        return MessageType.DATA;
    }
}
