package io.ipdrsp.storage;

/** What storing one record found (architecture invariant 2); all three mean the record is durable. */
public enum WriteOutcome {
    /** The record was absent and is now stored with the given bytes. */
    STORED,
    /** A record with the same key and the same bytes was already stored: a duplicate, nothing written. */
    DUPLICATE,
    /** A record with the same key but different bytes was already stored: integrity alarm, stored version kept. */
    CONFLICT
}
