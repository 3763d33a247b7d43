package io.ipdrsp.storage;

/** Duplicates one node removed for one document: re-sent records it did not store again, with and without D flag. */
public record DuplicateCount(String node, long flagged, long unflagged) {
    public long total() {
        return flagged + unflagged;
    }
}
