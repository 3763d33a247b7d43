package io.ipdrsp.storage;

/** What a conditional record write found (architecture invariant 2). */
public enum WriteOutcome {
    /** The record was absent and is now stored with the given bytes. */
    STORED,
    /** A record with the same key and the same bytes was already stored: a duplicate, nothing written. */
    DUPLICATE,
    /** A record with the same key but different bytes was already stored: an integrity alarm, nothing written. */
    CONFLICT
}
