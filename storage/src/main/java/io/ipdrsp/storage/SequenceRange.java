package io.ipdrsp.storage;

/** An inclusive run of sequence numbers, {@code first <= last}. */
public record SequenceRange(long first, long last) {
    public SequenceRange {
        if (first > last) {
            throw new IllegalArgumentException("first > last: " + first + " > " + last);
        }
    }

    public long count() {
        return last - first + 1;
    }
}
