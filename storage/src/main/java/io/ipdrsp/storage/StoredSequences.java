package io.ipdrsp.storage;

import java.util.List;
import java.util.Map;

/**
 * What a document holds, as the audit counts it from the stored versions (docs/storage.md "Duplicates removed").
 *
 * @param ranges      the stored sequence numbers as ascending inclusive ranges
 * @param perNode     per node, the versions it received first (the node of each version's first receipt): the
 *                    values add up to the versions stored
 * @param duplicates  per node, its receipts that came after a version's first one (re-sends that reached it), with
 *                    and without the D flag: their total is receipts − versions, the duplicates removed
 * @param conflicting the sequence numbers stored in more than one version (differing bytes), ascending
 * @param reached     per receipt (one node's stretch), the highest sequence number stored with it: how far that
 *                    stretch got by what it made durable, whether or not its node lived to report it on its segment
 */
public record StoredSequences(List<SequenceRange> ranges, Map<String, Long> perNode, List<DuplicateCount> duplicates,
        List<Long> conflicting, List<Reach> reached) {
    /** The highest sequence number stored with {@code receipt}. */
    public record Reach(Receipt receipt, long highestSeq) {
    }

    public StoredSequences {
        ranges = List.copyOf(ranges);
        perNode = Map.copyOf(perNode);
        duplicates = List.copyOf(duplicates);
        conflicting = List.copyOf(conflicting);
        reached = List.copyOf(reached);
    }

    public StoredSequences(List<SequenceRange> ranges, Map<String, Long> perNode) {
        this(ranges, perNode, List.of(), List.of(), List.of());
    }

    /** Duplicates removed: receipts beyond the first of each stored version. */
    public long duplicatesRemoved() {
        return duplicates.stream().mapToLong(DuplicateCount::total).sum();
    }
}
