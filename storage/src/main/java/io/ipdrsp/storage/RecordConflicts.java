package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sequence numbers stored in differing versions: finding them ({@link #versionConflicts}) and recording the alarm for
 * each exactly once ({@link #recordConflict}) in {@code record_conflicts} (migration 5); {@code integrity_conflicts}
 * (migration 1) holds the alarms of nodes before that migration and is read alongside. Obtained from
 * {@link CassandraStorage#conflicts()}.
 */
public final class RecordConflicts {
    private static final String COLUMNS = "seq, detected_at, detected_by, stored_data, received_data, note";

    private final RecordTables tables;
    private final VersionScan scan;
    private final RecordReader reader;
    private final PreparedStatement insert;
    private final PreparedStatement select;
    private final PreparedStatement selectLegacy;

    RecordConflicts(RecordTables tables, VersionScan scan, RecordReader reader) {
        this.tables = tables;
        this.scan = scan;
        this.reader = reader;
        String ks = tables.config.keyspace();
        String where = " WHERE " + RecordTables.KEY_WHERE;
        insert = Prepared.of(tables.session, "INSERT INTO " + ks + ".record_conflicts (exporter, session_id, document_id,"
                + " boot_time, " + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS");
        select = Prepared.of(tables.session, "SELECT " + COLUMNS + " FROM " + ks + ".record_conflicts" + where);
        selectLegacy = Prepared.of(tables.session, "SELECT " + COLUMNS + " FROM " + ks + ".integrity_conflicts" + where);
    }

    /**
     * The sequence numbers of a document stored in more than one version, each with every version (bytes and
     * receipts: which node received which). Reads the digests of the whole document (no bytes), then the versions of
     * the conflicting numbers only. Synchronous: not for event loops.
     */
    public List<VersionConflict> versionConflicts(RecordKey key) {
        List<CompletableFuture<List<StoredRecord>>> reads = new ArrayList<>();
        for (long seq : scan.summary(key, null).conflicting()) {
            reads.add(reader.readVersions(key, seq).toCompletableFuture());
        }
        List<VersionConflict> out = new ArrayList<>();
        for (CompletableFuture<List<StoredRecord>> read : reads) {
            List<StoredRecord> versions = read.join();
            if (versions.size() > 1) {
                out.add(new VersionConflict(key, versions.get(0).seq(), versions));
            }
        }
        return out;
    }

    /**
     * Records the alarm for a sequence number stored in differing versions, once per (document, seq) whoever detects
     * it and however often (dedup's read-backs on several nodes, the finalizer): a lightweight transaction at
     * {@code serial} (SERIAL when the collectors of a CMTS span sites). Conflicts are rare, so the Paxos round costs
     * nothing on the record path.
     *
     * @return true when this call recorded it (the caller raises the alarm: log, metric); false when it was recorded
     *     before
     */
    public CompletionStage<Boolean> recordConflict(IntegrityConflict c, DefaultConsistencyLevel serial) {
        BoundStatement b = RecordTables.bindKey(insert.boundStatementBuilder(), c.key()).setLong(4, c.seq())
                .setInstant(5, c.detectedAt()).setString(6, c.detectedBy()).setByteBuffer(7, c.storedData())
                .setByteBuffer(8, c.receivedData()).setString(9, c.note()).build()
                .setConsistencyLevel(tables.config.writeConsistency()).setSerialConsistencyLevel(serial);
        return tables.session.executeAsync(b).thenApply(rs -> rs.wasApplied());
    }

    /**
     * A verdict's count of integrity conflicts: the sequence numbers stored in differing versions, as the scan of the
     * document's versions that the verdict read anyway shows them ({@code stored}), with those of the pre-version
     * table's alarms (read only while it may hold rows, {@link LegacyRows}); each number once. {@code record_conflicts}
     * is not read: an alarm there is only ever recorded for a number whose versions differ, which the scan sees
     * whether or not its alarm was recorded yet. That was two reads per evaluation, three evaluations per document.
     * Synchronous.
     */
    public long conflictCount(RecordKey key, StoredSequences stored) {
        if (!tables.legacyConflicts.mayHold()) {
            return stored.conflicting().size();
        }
        java.util.Set<Long> numbers = new java.util.HashSet<>(stored.conflicting());
        tables.rows(RecordTables.bindKey(selectLegacy.boundStatementBuilder(), key).build(), null)
                .forEach(r -> numbers.add(r.getLong(0)));
        return numbers.size();
    }

    /** The recorded conflicts of a document: the pre-version table's rows, then one per sequence number. Synchronous. */
    public List<IntegrityConflict> integrityConflicts(RecordKey key) {
        List<IntegrityConflict> out = new ArrayList<>();
        for (PreparedStatement p : tables.legacyConflicts.mayHold() ? List.of(selectLegacy, select) : List.of(select)) {
            tables.rows(RecordTables.bindKey(p.boundStatementBuilder(), key).build(), null).forEach(r -> out.add(
                    new IntegrityConflict(key, r.getLong(0), r.getInstant(1), r.getString(2), r.getByteBuffer(3),
                            r.getByteBuffer(4), r.getString(5))));
        }
        return out;
    }
}
