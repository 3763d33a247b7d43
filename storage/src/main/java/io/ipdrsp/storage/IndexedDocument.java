package io.ipdrsp.storage;

import java.time.Instant;

/** An entry of {@code documents_by_time}: a document and the start time that places it in the index. */
public record IndexedDocument(RecordKey key, Instant startedAt) {
}
