package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.util.stream.Stream;

/**
 * Reads for exports and indexers that follow a document while it grows: the records after a sequence number (an
 * indexer's watermark) and whether a document has records at all. Like {@link CassandraStorage#streamRecords}, the
 * streams page lazily ({@code readPageSize} rows) bucket by bucket, give the first version of each sequence number,
 * and page on the calling thread: never on an event loop. Thread-safe.
 */
public final class DocumentReads {
    private final CqlSession session;
    private final StorageConfig config;
    private final VersionScan scan;
    private final PreparedStatement anyBucket;

    public DocumentReads(CassandraStorage storage) {
        this.session = storage.session();
        this.config = storage.config();
        this.scan = storage.versionScan();
        anyBucket = Prepared.of(session, "SELECT bucket FROM " + config.keyspace() + ".record_buckets WHERE "
                + RecordTables.KEY_WHERE + " LIMIT 1");
    }

    /** The stored records with {@code seq > afterSeq} in sequence order ({@code -1}: all). Close to stop early. */
    public Stream<StoredRecord> recordsAfter(RecordKey key, long afterSeq) {
        return VersionScan.firstPerSequence(scan.versions(key, afterSeq, null));
    }

    /** Whether at least one record of the document is stored. */
    public boolean hasRecords(RecordKey key) {
        return session.execute(anyBucket.bind(key.exporter(), key.sessionId(), key.documentId(), key.bootTime())
                .setIdempotent(true).setConsistencyLevel(config.readConsistency())).one() != null;
    }
}
