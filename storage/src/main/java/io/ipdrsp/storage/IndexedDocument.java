package io.ipdrsp.storage;

import java.time.Instant;

/**
 * An entry of {@code documents_by_time}: a document and the start time that places it in the index.
 *
 * @param touchedAt when a segment of the document was last written (the writer's clock), or null for entries written
 *                  before schema migration 7: a document whose {@code touchedAt} is unchanged has no new segment and no
 *                  new stop since it was last read
 */
public record IndexedDocument(RecordKey key, Instant startedAt, Instant touchedAt) {
}
