package io.ipdrsp.storage;

import java.util.List;
import java.util.Map;

/**
 * A document's stored sequence numbers as ascending inclusive ranges, and how many stored rows each node wrote last
 * ({@code received_by}: a re-sent record rewritten by another node counts for that node).
 */
public record StoredSequences(List<SequenceRange> ranges, Map<String, Long> perNode) {
    public StoredSequences {
        ranges = List.copyOf(ranges);
        perNode = Map.copyOf(perNode);
    }
}
