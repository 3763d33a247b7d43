package io.ipdrsp.dedup.audit;

import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.RecordKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Duplicates removed per document, counted on the record path and added to Cassandra's {@code document_duplicates}
 * counters in batches ({@link #flush}, e.g. once a second), so that the audit can report them per document and node.
 * {@link #add} is cheap and never blocks (event loops and driver threads call it).
 */
public final class DocumentDuplicates {
    private static final Logger LOG = LoggerFactory.getLogger(DocumentDuplicates.class);

    private static final class Counts {
        final LongAdder flagged = new LongAdder();
        final LongAdder unflagged = new LongAdder();
    }

    private final CassandraStorage storage;
    private final String nodeId;
    private final Map<RecordKey, Counts> pending = new ConcurrentHashMap<>();

    public DocumentDuplicates(CassandraStorage storage, String nodeId) {
        this.storage = storage;
        this.nodeId = nodeId;
    }

    /** One duplicate (a record already stored, not stored again) of {@code key}, with or without the D flag. */
    public void add(RecordKey key, boolean dupFlag) {
        Counts c = pending.computeIfAbsent(key, k -> new Counts());
        (dupFlag ? c.flagged : c.unflagged).increment();
    }

    /** Sends the counts gathered since the last flush (asynchronously; a failed update is logged, not retried). */
    public void flush() {
        for (RecordKey key : pending.keySet()) {
            Counts c = pending.remove(key);
            if (c == null) {
                continue;
            }
            long f = c.flagged.sum();
            long u = c.unflagged.sum();
            if (f == 0 && u == 0) {
                continue;
            }
            storage.audit().addDuplicates(key, nodeId, f, u).whenComplete((v, e) -> {
                if (e != null) {
                    LOG.warn("{}: {} duplicates not counted in Cassandra: {}", key, f + u, e.toString());
                }
            });
        }
    }
}
