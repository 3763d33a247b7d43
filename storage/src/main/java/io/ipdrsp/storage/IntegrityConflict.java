package io.ipdrsp.storage;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Objects;

/** A duplicate whose bytes differ from the stored record (architecture invariant 2): kept for the operator. */
public record IntegrityConflict(RecordKey key, long seq, Instant detectedAt, String detectedBy, ByteBuffer storedData,
        ByteBuffer receivedData, String note) {
    public IntegrityConflict {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(detectedAt, "detectedAt");
        Objects.requireNonNull(detectedBy, "detectedBy");
        storedData = storedData.asReadOnlyBuffer();
        receivedData = receivedData.asReadOnlyBuffer();
    }
}
