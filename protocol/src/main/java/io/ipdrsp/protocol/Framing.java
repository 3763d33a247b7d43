package io.ipdrsp.protocol;

import static io.ipdrsp.protocol.IpdrDecodeException.Reason.BAD_VALUE;
import static io.ipdrsp.protocol.IpdrDecodeException.Reason.BAD_VERSION;
import static io.ipdrsp.protocol.IpdrDecodeException.Reason.LENGTH_TOO_LARGE;
import static io.ipdrsp.protocol.IpdrDecodeException.Reason.LENGTH_TOO_SMALL;
import static io.ipdrsp.protocol.IpdrDecodeException.Reason.TRAILING_BYTES;
import static io.ipdrsp.protocol.IpdrDecodeException.Reason.TRUNCATED;

import io.netty.buffer.ByteBuf;

/**
 * Cutting whole messages out of a TCP byte stream on {@code messageLen} (which includes the 8-byte header), and
 * reading the header and DATA fields of a frame in place, without decoding it into an object.
 *
 * <p>All accessors read relative to {@code frame.readerIndex()} and never move the frame's indices. The header
 * accessors need only the 8 header bytes that {@link #readFrame} guarantees. The {@code data*} accessors need a
 * frame that {@link #dataRecordLength} accepted; on a shorter buffer they throw {@link IndexOutOfBoundsException}
 * (a programming error, not bad input).
 */
public final class Framing {
    public static final int VERSION = 2;
    public static final int HEADER_LENGTH = 8;
    /** Default cap on {@code messageLen}: 4 MiB, far above any real DATA or TEMPLATE_DATA. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 4 * 1024 * 1024;

    /** Offset of the dataRecord length in DATA. */
    public static final int DATA_RECORD_LENGTH_OFFSET = 21;
    /** Offset of the first record byte in DATA; also the smallest DATA frame. */
    public static final int DATA_RECORD_OFFSET = 25;

    private Framing() {
    }

    /**
     * Cuts the next message out of {@code in}: returns a retained slice of exactly {@code messageLen} bytes (the
     * caller releases it) and advances {@code in}'s reader index past it, or returns null, leaving {@code in}
     * untouched, while fewer bytes than the whole message are buffered. As soon as the 8-byte header is readable
     * it checks version 2 and {@code 8 <= messageLen <= maxMessageLength}, so a hostile length is refused before
     * the caller waits for, or buffers, that many bytes.
     *
     * <p>The frame shares {@code in}'s memory (as does a {@link Data} decoded from it): while any frame is
     * unreleased, {@code in} must not be compacted ({@code discardReadBytes}) or reused. Netty's
     * {@code ByteToMessageDecoder} already respects this by compacting only when its cumulation's refCnt is 1.
     */
    public static ByteBuf readFrame(ByteBuf in, int maxMessageLength) throws IpdrDecodeException {
        if (maxMessageLength < HEADER_LENGTH) {
            throw new IllegalArgumentException("maxMessageLength " + maxMessageLength + " < 8");
        }
        int available = in.readableBytes();
        if (available < HEADER_LENGTH) {
            return null;
        }
        int start = in.readerIndex();
        int version = in.getUnsignedByte(start);
        if (version != VERSION) {
            throw new IpdrDecodeException(BAD_VERSION, "version " + version + ", expected 2");
        }
        long messageLen = in.getUnsignedInt(start + 4);
        if (messageLen < HEADER_LENGTH) {
            throw new IpdrDecodeException(LENGTH_TOO_SMALL, "messageLen " + messageLen + " < 8");
        }
        if (messageLen > maxMessageLength) {
            throw new IpdrDecodeException(LENGTH_TOO_LARGE,
                    "messageLen " + messageLen + " > maximum " + maxMessageLength);
        }
        if (available < messageLen) {
            return null;
        }
        return in.readRetainedSlice((int) messageLen);
    }

    /** {@link #readFrame(ByteBuf, int)} with {@link #DEFAULT_MAX_MESSAGE_LENGTH}. */
    public static ByteBuf readFrame(ByteBuf in) throws IpdrDecodeException {
        return readFrame(in, DEFAULT_MAX_MESSAGE_LENGTH);
    }

    public static int messageId(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + 1);
    }

    /** The message type, null for an id IPDR/SP does not define. */
    public static MessageType messageType(ByteBuf frame) {
        return MessageType.forId(messageId(frame));
    }

    public static int sessionId(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + 2);
    }

    public static int messageFlags(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + 3);
    }

    /** {@code messageLen} as sent (unsigned; may exceed int range only on frames {@link #readFrame} refused). */
    public static long messageLength(ByteBuf frame) {
        return frame.getUnsignedInt(frame.readerIndex() + 4);
    }

    public static boolean isData(ByteBuf frame) {
        return messageId(frame) == MessageType.DATA.id();
    }

    /**
     * Validates a DATA frame and returns the length of its record (bytes at {@link #dataRecordIndex}): the frame
     * must be a whole DATA message (messageId 0x20, version 2, {@code messageLen} equal to its readable bytes) with
     * all fixed fields present and a dataRecord length that fits; 0xFFFFFFFF means "the rest of the message".
     * Bytes after the record are tolerated as in {@link MessageCodec#decode}. Call this once per frame before the
     * other {@code data*} accessors.
     */
    public static int dataRecordLength(ByteBuf frame) throws IpdrDecodeException {
        int available = frame.readableBytes();
        if (available < HEADER_LENGTH) {
            throw new IpdrDecodeException(TRUNCATED, "frame of " + available + " bytes is shorter than the header");
        }
        int base = frame.readerIndex();
        if (frame.getUnsignedByte(base) != VERSION) {
            throw new IpdrDecodeException(BAD_VERSION, "version " + frame.getUnsignedByte(base) + ", expected 2");
        }
        if (!isData(frame)) {
            throw new IpdrDecodeException(BAD_VALUE, "not a DATA message: id 0x" + Integer.toHexString(messageId(frame)));
        }
        long messageLen = messageLength(frame);
        if (messageLen != available) {
            throw new IpdrDecodeException(messageLen > available ? TRUNCATED : TRAILING_BYTES,
                    "messageLen " + messageLen + " but frame has " + available + " bytes");
        }
        if (available < DATA_RECORD_OFFSET) {
            throw new IpdrDecodeException(TRUNCATED, "DATA of " + available + " bytes is shorter than 25");
        }
        return MessageCodec.dataRecordLength(frame.getUnsignedInt(base + DATA_RECORD_LENGTH_OFFSET),
                available - DATA_RECORD_OFFSET);
    }

    public static int dataTemplateId(ByteBuf frame) {
        return frame.getUnsignedShort(frame.readerIndex() + 8);
    }

    public static int dataConfigId(ByteBuf frame) {
        return frame.getUnsignedShort(frame.readerIndex() + 10);
    }

    public static int dataFlags(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + 12);
    }

    public static boolean dataIsDuplicate(ByteBuf frame) {
        return (dataFlags(frame) & Data.FLAG_DUPLICATE) != 0;
    }

    public static long dataSequenceNum(ByteBuf frame) {
        return frame.getLong(frame.readerIndex() + 13);
    }

    /** Absolute index in {@code frame} of the first record byte. */
    public static int dataRecordIndex(ByteBuf frame) {
        return frame.readerIndex() + DATA_RECORD_OFFSET;
    }
}
