package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads for exports and indexers that follow a document while it grows: the records after a sequence number (an
 * indexer's watermark) and whether a document has records at all. Like {@link CassandraStorage#streamRecords}, the
 * streams page lazily ({@code readPageSize} rows) bucket by bucket and page on the calling thread: never on an event
 * loop. Thread-safe.
 */
public final class DocumentReads {
    private static final String KEY_WHERE = "exporter = ? AND session_id = ? AND document_id = ? AND boot_time = ?";

    private final CqlSession session;
    private final StorageConfig config;
    private final PreparedStatement bucketsFrom;
    private final PreparedStatement recordsAfter;
    private final PreparedStatement anyBucket;

    public DocumentReads(CassandraStorage storage) {
        this.session = storage.session();
        this.config = storage.config();
        String ks = config.keyspace();
        bucketsFrom = session.prepare("SELECT bucket FROM " + ks + ".record_buckets WHERE " + KEY_WHERE
                + " AND bucket >= ?");
        recordsAfter = session.prepare("SELECT seq, template_id, config_id, dup_flag, data, received_by, received_at"
                + " FROM " + ks + ".records WHERE " + KEY_WHERE + " AND bucket = ? AND seq > ?");
        anyBucket = session.prepare("SELECT bucket FROM " + ks + ".record_buckets WHERE " + KEY_WHERE + " LIMIT 1");
    }

    /** The stored records with {@code seq > afterSeq} in sequence order ({@code -1}: all). Close to stop early. */
    public Stream<StoredRecord> recordsAfter(RecordKey key, long afterSeq) {
        long first = afterSeq < 0 ? 0 : RecordKey.bucketOf(afterSeq);
        List<Long> buckets = rows(bind(bucketsFrom, key, first)).map(r -> r.getLong(0)).toList();
        return buckets.stream().flatMap(bucket -> rows(bind(recordsAfter, key, bucket, afterSeq))
                .map(r -> new StoredRecord(key, r.getLong(0), r.getInt(1), r.getInt(2), r.getBoolean(3),
                        Objects.requireNonNull(r.getByteBuffer(4)), r.getString(5), r.getInstant(6))));
    }

    /** Whether at least one record of the document is stored. */
    public boolean hasRecords(RecordKey key) {
        return session.execute(read(anyBucket.bind(key.exporter(), key.sessionId(), key.documentId(),
                key.bootTime()))).one() != null;
    }

    private static Statement<?> bind(PreparedStatement p, RecordKey k, Object... more) {
        Object[] values = new Object[4 + more.length];
        values[0] = k.exporter();
        values[1] = k.sessionId();
        values[2] = k.documentId();
        values[3] = k.bootTime();
        System.arraycopy(more, 0, values, 4, more.length);
        return p.bind(values);
    }

    private <S extends Statement<S>> S read(S s) {
        return s.setIdempotent(true).setConsistencyLevel(config.readConsistency());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Stream<Row> rows(Statement<?> s) {
        return StreamSupport.stream(session.execute(read((Statement) s)).spliterator(), false);
    }
}
