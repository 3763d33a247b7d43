package io.ipdrsp.storage;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.UUID;

/**
 * Identifies one exporter document: the record key without its sequence number (architecture invariant 2: a record is
 * (exporter, session, documentId, exporter boot time, sequence)).
 *
 * @param exporter   the exporter's configured identity (not its address, which may change)
 * @param sessionId  IPDR/SP sessionId (UINT8)
 * @param documentId the 16-byte documentId of SESSION_START as a UUID
 * @param bootTime   exporterBootTime of CONNECT_RESPONSE (seconds, UINT32)
 */
public record RecordKey(String exporter, int sessionId, UUID documentId, long bootTime) {
    /** Records per partition: sequence numbers {@code [b * BUCKET_SIZE, (b + 1) * BUCKET_SIZE)} share bucket b. */
    public static final long BUCKET_SIZE = 10_000;

    public RecordKey {
        if (exporter == null || exporter.isEmpty()) {
            throw new IllegalArgumentException("exporter must not be empty");
        }
        if (sessionId < 0 || sessionId > 255) {
            throw new IllegalArgumentException("sessionId is a UINT8: " + sessionId);
        }
        Objects.requireNonNull(documentId, "documentId");
        if (bootTime < 0 || bootTime > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("bootTime is a UINT32: " + bootTime);
        }
    }

    /** From the wire form of documentId (16 bytes, most significant first). */
    public static RecordKey of(String exporter, int sessionId, byte[] documentId, long bootTime) {
        return new RecordKey(exporter, sessionId, documentUuid(documentId), bootTime);
    }

    public static UUID documentUuid(byte[] documentId) {
        if (documentId.length != 16) {
            throw new IllegalArgumentException("documentId is 16 bytes, got " + documentId.length);
        }
        ByteBuffer b = ByteBuffer.wrap(documentId);
        return new UUID(b.getLong(), b.getLong());
    }

    /** The partition bucket of a sequence number. */
    public static long bucketOf(long seq) {
        return seq / BUCKET_SIZE;
    }
}
