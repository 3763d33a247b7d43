package io.ipdrsp.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.UUID;

/**
 * SESSION_START (0x08), 53 bytes: {@code exporterBootTime} @8 (unsigned seconds since 1970; a change means the
 * exporter restarted), {@code firstRecordSequenceNumber} @12, {@code droppedRecordCount} @20, {@code primary} @28
 * (one byte; any non-zero byte reads as true and re-encodes as 1), {@code ackTimeInterval} @29 (seconds),
 * {@code ackSequenceInterval} @33, {@code documentId} @37 (16 raw bytes, no length prefix; opaque identity).
 */
public record SessionStart(int sessionId, long exporterBootTime, long firstRecordSequenceNumber,
        long droppedRecordCount, boolean primary, int ackTimeInterval, int ackSequenceInterval, Bytes documentId,
        FrameExtras extras) implements IpdrMessage {
    public static final int DOCUMENT_ID_LENGTH = 16;

    public SessionStart {
        Checks.u8(sessionId, "sessionId");
        Checks.u32(exporterBootTime, "exporterBootTime");
        Objects.requireNonNull(documentId, "documentId");
        if (documentId.length() != DOCUMENT_ID_LENGTH) {
            throw new IllegalArgumentException("documentId must be 16 bytes, not " + documentId.length());
        }
        Objects.requireNonNull(extras, "extras");
    }

    public SessionStart(int sessionId, long exporterBootTime, long firstRecordSequenceNumber,
            long droppedRecordCount, boolean primary, int ackTimeInterval, int ackSequenceInterval,
            Bytes documentId) {
        this(sessionId, exporterBootTime, firstRecordSequenceNumber, droppedRecordCount, primary, ackTimeInterval,
                ackSequenceInterval, documentId, FrameExtras.NONE);
    }

    /** The documentId as a UUID (most significant byte first), for printing as 8-4-4-4-12 hex. */
    public UUID documentIdAsUuid() {
        ByteBuffer b = ByteBuffer.wrap(documentId.toByteArray());
        return new UUID(b.getLong(), b.getLong());
    }

    /** The 16 bytes of a UUID, most significant byte first. */
    public static Bytes documentId(UUID uuid) {
        return Bytes.wrap(ByteBuffer.allocate(DOCUMENT_ID_LENGTH)
                .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array());
    }

    @Override
    public MessageType type() {
        return MessageType.SESSION_START;
    }
}
