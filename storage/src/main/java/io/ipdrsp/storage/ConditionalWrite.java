package io.ipdrsp.storage;

import java.util.Objects;
import java.util.Optional;

/**
 * The result of {@link ConditionalRecordWriter#writeIfAbsent}.
 *
 * @param outcome  stored, duplicate (same bytes) or conflict (different bytes)
 * @param existing the record that was already stored (DUPLICATE, CONFLICT); empty when STORED
 */
public record ConditionalWrite(WriteOutcome outcome, Optional<StoredRecord> existing) {
    public ConditionalWrite {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(existing, "existing");
        if ((outcome == WriteOutcome.STORED) == existing.isPresent()) {
            throw new IllegalArgumentException(outcome + " with existing=" + existing.isPresent());
        }
    }
}
