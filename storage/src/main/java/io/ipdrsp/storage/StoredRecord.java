package io.ipdrsp.storage;

import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * One record as stored: the raw record bytes of the DATA message and how it arrived.
 *
 * @param data       read-only view of the record bytes
 * @param dupFlag    the D flag of the DATA message that was stored (the last writer's, see docs/storage.md)
 * @param receivedBy the node that stored it
 */
public record StoredRecord(RecordKey key, long seq, int templateId, int configId, boolean dupFlag, ByteBuffer data,
        String receivedBy, Instant receivedAt) {

    public StoredRecord {
        data = data.asReadOnlyBuffer();
    }

    /** A copy of the record bytes. */
    public byte[] dataBytes() {
        byte[] out = new byte[data.remaining()];
        data.duplicate().get(out);
        return out;
    }
}
