package io.ipdrsp.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * What the cluster knows about one exporter document.
 *
 * @param state     lifecycle state as named by the owner (dedup), e.g. OPEN, STOPPED, FINALIZED
 * @param startedAt when the document started (first SESSION_START seen); keys the time index, so keep it stable
 * @param verdict   the completeness verdict once finalized (COMPLETE, COMPLETE_WITH_DECLARED_DROPS, INCOMPLETE), or null
 * @param detail    free text for the verdict (gap list, dropped counts), or null
 * @param updatedBy the node that wrote this version
 */
public record DocumentInfo(RecordKey key, String state, Instant startedAt, Instant firstSeen, Instant lastSeen,
        String verdict, String detail, String updatedBy) {
    public DocumentInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(firstSeen, "firstSeen");
        Objects.requireNonNull(lastSeen, "lastSeen");
        Objects.requireNonNull(updatedBy, "updatedBy");
    }
}
