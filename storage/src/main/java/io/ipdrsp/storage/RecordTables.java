package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The prepared statements of the record tables, shared by the writer, the reader and the scans. {@code record_versions}
 * (migration 5) holds every version of a record keyed by the digest of its bytes; {@code records} (migration 1) is the
 * table of nodes before that migration: never written by this version, read alongside so that rows written before an
 * upgrade (or by a node not yet upgraded) stay part of their document. Both share {@code record_buckets}.
 */
final class RecordTables {
    static final String KEY_WHERE = "exporter = ? AND session_id = ? AND document_id = ? AND boot_time = ?";
    /** Columns of a full version row, in the order {@link #version} reads them. */
    private static final String VERSION_COLUMNS = "seq, digest, template_id, config_id, data, receipts, received_at";
    private static final String LEGACY_COLUMNS = "seq, template_id, config_id, dup_flag, data, received_by, received_at";

    final CqlSession session;
    final StorageConfig config;
    final PreparedStatement upsertVersion;
    final PreparedStatement insertBucket;
    final PreparedStatement buckets;
    final PreparedStatement bucketsFrom;
    final PreparedStatement versionsAfter;
    final PreparedStatement versionRefs;
    final PreparedStatement versionSeqs;
    final PreparedStatement versionsIn;
    final PreparedStatement legacyAfter;
    final PreparedStatement legacySeqs;
    final PreparedStatement legacyIn;
    /** Whether the legacy statements need running at all ({@link LegacyRows}). */
    final LegacyRows legacyRows;
    /** Whether the pre-version alarms ({@code integrity_conflicts}) need reading at all. */
    final LegacyRows legacyConflicts;

    RecordTables(CqlSession session, StorageConfig config) {
        this.session = session;
        this.config = config;
        String ks = config.keyspace();
        String versions = " FROM " + ks + ".record_versions WHERE " + KEY_WHERE + " AND bucket = ?";
        String legacy = " FROM " + ks + ".records WHERE " + KEY_WHERE + " AND bucket = ?";
        // an UPDATE, not an INSERT: INSERT of a set replaces it (collection tombstone), "receipts + ?" adds to it
        upsertVersion = Prepared.of(session, "UPDATE " + ks + ".record_versions SET template_id = ?, config_id = ?,"
                + " data = ?, received_at = ?, receipts = receipts + ? WHERE " + KEY_WHERE
                + " AND bucket = ? AND seq = ? AND digest = ?");
        insertBucket = Prepared.of(session, "INSERT INTO " + ks + ".record_buckets (exporter, session_id, document_id,"
                + " boot_time, bucket) VALUES (?, ?, ?, ?, ?)");
        buckets = Prepared.of(session, "SELECT bucket FROM " + ks + ".record_buckets WHERE " + KEY_WHERE);
        bucketsFrom = Prepared.of(session, "SELECT bucket FROM " + ks + ".record_buckets WHERE " + KEY_WHERE
                + " AND bucket >= ?");
        versionsAfter = Prepared.of(session, "SELECT " + VERSION_COLUMNS + versions + " AND seq > ?");
        versionRefs = Prepared.of(session, "SELECT seq, digest, receipts" + versions);
        versionSeqs = Prepared.of(session, "SELECT seq" + versions);
        versionsIn = Prepared.of(session, "SELECT " + VERSION_COLUMNS + versions + " AND seq IN ?");
        legacyAfter = Prepared.of(session, "SELECT " + LEGACY_COLUMNS + legacy + " AND seq > ?");
        legacySeqs = Prepared.of(session, "SELECT seq" + legacy);
        legacyIn = Prepared.of(session, "SELECT " + LEGACY_COLUMNS + legacy + " AND seq IN ?");
        legacyRows = new LegacyRows(this, "records");
        legacyConflicts = new LegacyRows(this, "integrity_conflicts");
    }

    /** Binds the document key to the first four markers. */
    static BoundStatementBuilder bindKey(BoundStatementBuilder b, RecordKey k) {
        return b.setString(0, k.exporter()).setInt(1, k.sessionId()).setUuid(2, k.documentId())
                .setLong(3, k.bootTime());
    }

    /** Binds the document key and a bucket (markers 0-4). */
    static BoundStatementBuilder bindBucket(PreparedStatement p, RecordKey k, long bucket) {
        return bindKey(p.boundStatementBuilder(), k).setLong(4, bucket);
    }

    /** A full row of {@code record_versions} ({@link #VERSION_COLUMNS}). */
    static StoredRecord version(RecordKey key, Row r) {
        return StoredRecord.of(key, r.getLong(0), Objects.requireNonNull(r.getByteBuffer(1)), r.getInt(2), r.getInt(3),
                Objects.requireNonNull(r.getByteBuffer(4)), r.getSet(5, String.class), r.getInstant(6));
    }

    /** A row of {@code versionRefs}: without the bytes (an empty buffer), for counting. */
    static StoredRecord versionRef(RecordKey key, Row r) {
        return StoredRecord.of(key, r.getLong(0), Objects.requireNonNull(r.getByteBuffer(1)), 0, 0,
                ByteBuffer.allocate(0), r.getSet(2, String.class), null);
    }

    /** A row of the pre-version {@code records} table: one version with one receipt (its last writer). */
    static StoredRecord legacy(RecordKey key, Row r) {
        return new StoredRecord(key, r.getLong(0), r.getInt(1), r.getInt(2), r.getBoolean(3),
                Objects.requireNonNull(r.getByteBuffer(4)), r.getString(5), r.getInstant(6));
    }

    /** Synchronous paged read at {@code consistency} (null: the configured read consistency). Not on event loops. */
    Stream<Row> rows(Statement<?> s, DefaultConsistencyLevel consistency) {
        return StreamSupport.stream(session.execute(read(s, consistency)).spliterator(), false);
    }

    /** Idempotent, at {@code consistency} or the configured read consistency. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    Statement<?> read(Statement<?> s, DefaultConsistencyLevel consistency) {
        Statement st = s.setIdempotent(true);
        return (Statement<?>) st.setConsistencyLevel(consistency == null ? config.readConsistency() : consistency);
    }

    /** Unsigned byte order, as Cassandra sorts blobs (ByteBuffer.compareTo is signed). */
    static int compareDigests(ByteBuffer a, ByteBuffer b) {
        int n = Math.min(a.remaining(), b.remaining());
        for (int i = 0; i < n; i++) {
            int c = Integer.compare(Byte.toUnsignedInt(a.get(a.position() + i)),
                    Byte.toUnsignedInt(b.get(b.position() + i)));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.remaining(), b.remaining());
    }
}
