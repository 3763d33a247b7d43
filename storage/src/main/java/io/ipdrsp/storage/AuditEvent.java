package io.ipdrsp.storage;

import java.time.Instant;
import java.util.Objects;

/** One step in a document's audit history: FINALIZED, REOPENED, UPDATED, FENCED_OUT, ... */
public record AuditEvent(RecordKey key, Instant at, String node, String event, String verdict, String detail) {
    public AuditEvent {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(event, "event");
    }
}
