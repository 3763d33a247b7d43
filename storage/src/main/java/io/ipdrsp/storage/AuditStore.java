package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.data.TupleValue;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.datastax.oss.driver.api.core.type.TupleType;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;

/**
 * Statements of the audit tables (migration 3): document verdicts written under a fence, the per-day summaries the
 * audit queries read, per-document duplicate counters written by the record path, and the audit history. Obtained
 * from {@link CassandraStorage#audit()}. Synchronous methods page on the calling thread: never on an event loop.
 *
 * <p>{@code document_audit} is written only through lightweight transactions ({@link #writeAudit}); mixing plain writes
 * into an LWT-managed partition would break the Paxos guarantees.
 */
public final class AuditStore {
    /** Range lists are capped at this many ranges per row (a document with more gaps is pathological). */
    public static final int MAX_RANGES = 10_000;
    private static final TupleType RANGE = DataTypes.tupleOf(DataTypes.BIGINT, DataTypes.BIGINT);
    private static final String KEY_WHERE = "exporter = ? AND session_id = ? AND document_id = ? AND boot_time = ?";
    private static final String AUDIT_COLUMNS = "started_at, state, verdict, trigger, expected_first, expected_last,"
            + " records_held, held, missing, unexplained, declared_drops, declared_matched, declared_unplaced,"
            + " duplicates, integrity_conflicts, segments, failovers, nodes, last_activity, reopen_count, finalized_at,"
            + " finalized_by, fence_token, version, rechecked";

    private final CqlSession session;
    private final StorageConfig config;
    private final PreparedStatement insertAudit;
    private final PreparedStatement updateAudit;
    private final PreparedStatement selectAudit;
    private final PreparedStatement insertByDay;
    private final PreparedStatement selectByDay;
    private final PreparedStatement insertExporterDay;
    private final PreparedStatement selectExportersDay;
    private final PreparedStatement addDuplicates;
    private final PreparedStatement selectDuplicates;
    private final PreparedStatement insertEvent;
    private final PreparedStatement selectEvents;
    private final VersionScan versions;

    AuditStore(CqlSession session, StorageConfig config, VersionScan versions) {
        this.session = session;
        this.config = config;
        this.versions = versions;
        String ks = config.keyspace();
        String q = ", ?".repeat(24);
        insertAudit = Prepared.of(session, "INSERT INTO " + ks + ".document_audit (exporter, session_id, document_id,"
                + " boot_time, " + AUDIT_COLUMNS + ") VALUES (?, ?, ?, ?, ?" + q + ") IF NOT EXISTS");
        updateAudit = Prepared.of(session, "UPDATE " + ks + ".document_audit SET "
                + String.join(" = ?, ", AUDIT_COLUMNS.split(",\\s*")) + " = ? WHERE " + KEY_WHERE
                + " IF version = ? AND fence_token <= ?");
        selectAudit = Prepared.of(session, "SELECT " + AUDIT_COLUMNS + " FROM " + ks + ".document_audit WHERE "
                + KEY_WHERE);
        String dayColumns = "state, verdict, trigger, expected_first, expected_last, records_held, missing, unexplained,"
                + " declared_drops, declared_matched, declared_unplaced, duplicates, integrity_conflicts, segments,"
                + " failovers, nodes, reopen_count, finalized_at, finalized_by";
        insertByDay = Prepared.of(session, "INSERT INTO " + ks + ".audit_by_day (exporter, day, started_at, session_id,"
                + " document_id, boot_time, " + dayColumns + ") VALUES (?, ?, ?, ?, ?, ?" + ", ?".repeat(19) + ")");
        selectByDay = Prepared.of(session, "SELECT started_at, session_id, document_id, boot_time, " + dayColumns
                + " FROM " + ks + ".audit_by_day WHERE exporter = ? AND day = ? AND started_at >= ?"
                + " AND started_at < ?");
        insertExporterDay = Prepared.of(session, "INSERT INTO " + ks + ".exporters_by_day (day, exporter) VALUES (?, ?)");
        selectExportersDay = Prepared.of(session, "SELECT exporter FROM " + ks + ".exporters_by_day WHERE day = ?");
        addDuplicates = Prepared.of(session, "UPDATE " + ks + ".document_duplicates SET flagged = flagged + ?,"
                + " unflagged = unflagged + ? WHERE " + KEY_WHERE + " AND node = ?");
        selectDuplicates = Prepared.of(session, "SELECT node, flagged, unflagged FROM " + ks + ".document_duplicates"
                + " WHERE " + KEY_WHERE);
        insertEvent = Prepared.of(session, "INSERT INTO " + ks + ".audit_events (exporter, session_id, document_id,"
                + " boot_time, at, node, event, verdict, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        selectEvents = Prepared.of(session, "SELECT at, node, event, verdict, detail FROM " + ks + ".audit_events WHERE "
                + KEY_WHERE);
    }

    // ---------------------------------------------------------------- verdicts

    /** Outcome of {@link #writeAudit}: applied, or the row as it is now (newer fence or version). */
    public record AuditWrite(boolean applied, Optional<AuditRow> current) {
    }

    /**
     * Writes a document's audit row if nobody changed it since {@code expectedVersion} (0 = no row yet) and no leader
     * with a higher fencing token wrote it: one lightweight transaction at {@code serial}. When applied, the summary
     * goes to {@code audit_by_day} and {@code exporters_by_day} (plain idempotent upserts) before the stage completes.
     * {@code row.version()} must be {@code expectedVersion + 1}.
     */
    public CompletionStage<AuditWrite> writeAudit(AuditRow row, int expectedVersion, DefaultConsistencyLevel serial) {
        if (row.version() != expectedVersion + 1) {
            throw new IllegalArgumentException("version " + row.version() + " after " + expectedVersion);
        }
        BoundStatement lwt;
        if (expectedVersion == 0) {
            lwt = bindAudit(bindKey(insertAudit.boundStatementBuilder(), row.key()), 4, row).build();
        } else {
            BoundStatementBuilder b = bindAudit(updateAudit.boundStatementBuilder(), 0, row);
            bindKeyAt(b, 25, row.key());
            lwt = b.setInt(29, expectedVersion).setLong(30, row.fenceToken()).build();
        }
        lwt = lwt.setConsistencyLevel(config.writeConsistency()).setSerialConsistencyLevel(serial);
        return session.executeAsync(lwt).thenCompose(rs -> {
            if (!rs.wasApplied()) {
                return audit(row.key(), serial).thenApply(cur -> new AuditWrite(false, cur));
            }
            return writeSummary(row).thenApply(v -> new AuditWrite(true, Optional.of(row)));
        });
    }

    /**
     * Writes a verdict row's summary to {@code audit_by_day} and {@code exporters_by_day} (plain idempotent upserts).
     * {@link #writeAudit} does it after an applied LWT; the finalizer does it again when a summary may lag behind its
     * row (an LWT whose answer was lost in a timeout may still have been applied).
     */
    public CompletionStage<Void> writeSummary(AuditRow row) {
        RecordKey k = row.key();
        int day = day(row.startedAt());
        BoundStatement summary = insertByDay.boundStatementBuilder().setString(0, k.exporter()).setInt(1, day)
                .setInstant(2, row.startedAt()).setInt(3, k.sessionId()).setUuid(4, k.documentId())
                .setLong(5, k.bootTime()).setString(6, row.state()).setString(7, row.verdict())
                .setString(8, row.trigger()).setLong(9, row.expectedFirst()).setLong(10, row.expectedLast())
                .setLong(11, row.recordsHeld()).setList(12, tuples(row.missing()), TupleValue.class)
                .setList(13, tuples(row.unexplained()), TupleValue.class).setLong(14, row.declaredDrops())
                .setLong(15, row.declaredMatched()).setLong(16, row.declaredUnplaced())
                .setLong(17, row.duplicates()).setLong(18, row.integrityConflicts()).setInt(19, row.segments())
                .setInt(20, row.failovers()).setMap(21, row.nodes(), String.class, Long.class)
                .setInt(22, row.reopenCount()).setInstant(23, row.finalizedAt())
                .setString(24, row.finalizedBy()).build();
        CompletableFuture<?> a = session.executeAsync(write(summary)).toCompletableFuture();
        CompletableFuture<?> b = session.executeAsync(write(insertExporterDay.bind(day, k.exporter())))
                .toCompletableFuture();
        return CompletableFuture.allOf(a, b);
    }

    /** The audit row of a document; {@code consistency} null = the configured read consistency. */
    public CompletionStage<Optional<AuditRow>> audit(RecordKey key, DefaultConsistencyLevel consistency) {
        BoundStatement s = bindKey(selectAudit.boundStatementBuilder(), key).build().setIdempotent(true)
                .setConsistencyLevel(consistency == null ? config.readConsistency() : consistency);
        return session.executeAsync(s).thenApply(rs -> Optional.ofNullable(rs.one()).map(r -> auditRow(key, r)));
    }

    private static AuditRow auditRow(RecordKey key, Row r) {
        return new AuditRow(key, r.getInstant(0), r.getString(1), r.getString(2), r.getString(3), r.getLong(4),
                r.getLong(5), r.getLong(6), ranges(r, 7), ranges(r, 8), ranges(r, 9), r.getLong(10), r.getLong(11),
                r.getLong(12), r.getLong(13), r.getLong(14), r.getInt(15), r.getInt(16),
                r.getMap(17, String.class, Long.class), r.getInstant(18), r.getInt(19), r.getInstant(20),
                r.getString(21), r.getLong(22), r.getInt(23), r.getBoolean(24));
    }

    /** Audit summaries of an exporter's documents started in [from, to), in start order. Synchronous. */
    public List<AuditRow> auditByDay(String exporter, Instant from, Instant to) {
        List<AuditRow> out = new ArrayList<>();
        for (int day = day(from); day <= day(to); day++) {
            for (Row r : rows(selectByDay.bind(exporter, day, from, to), null)) {
                RecordKey key = new RecordKey(exporter, r.getInt(1), r.getUuid(2), r.getLong(3));
                out.add(new AuditRow(key, r.getInstant(0), r.getString(4), r.getString(5), r.getString(6),
                        r.getLong(7), r.getLong(8), r.getLong(9), List.of(), ranges(r, 10), ranges(r, 11),
                        r.getLong(12), r.getLong(13), r.getLong(14), r.getLong(15), r.getLong(16), r.getInt(17),
                        r.getInt(18), r.getMap(19, String.class, Long.class), null, r.getInt(20), r.getInstant(21),
                        r.getString(22), -1, 0, false));
            }
        }
        return out;
    }

    /** Exporters that have audit summaries on the UTC days of [from, to] (at most 400 days). Synchronous. */
    public List<String> auditedExporters(Instant from, Instant to) {
        TreeSet<String> out = new TreeSet<>();
        int last = Math.min(day(to), day(from) + 400);
        for (int day = day(from); day <= last; day++) {
            for (Row r : rows(selectExportersDay.bind(day), null)) {
                out.add(r.getString(0));
            }
        }
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------- inputs of a verdict

    /**
     * The stored sequence numbers of a document, the versions each node received first, the duplicates removed per
     * node (receipts beyond each version's first) and the numbers stored in differing versions: read from the record
     * versions' digests and receipts, without the bytes (see {@link StoredSequences}; docs/storage.md "Duplicates
     * removed"). {@code consistency} null = the configured read consistency. Synchronous.
     */
    public StoredSequences storedSequences(RecordKey key, DefaultConsistencyLevel consistency) {
        return versions.summary(key, consistency);
    }

    // ---------------------------------------------------------------- duplicates removed (record path)

    /**
     * Adds to the duplicates {@code node} removed for a document. A counter update is not idempotent, so it is never
     * retried by the driver: a timed-out update may or may not count (the figure is a lower bound then, and the
     * record path's own metrics stay exact). Call with batched counts (e.g. once a second per document), not per record.
     */
    public CompletionStage<Void> addDuplicates(RecordKey key, String node, long flagged, long unflagged) {
        BoundStatement s = addDuplicates.boundStatementBuilder().setLong(0, flagged).setLong(1, unflagged)
                .setString(2, key.exporter()).setInt(3, key.sessionId()).setUuid(4, key.documentId())
                .setLong(5, key.bootTime()).setString(6, node).build().setIdempotent(false)
                .setConsistencyLevel(config.writeConsistency());
        return session.executeAsync(s).thenApply(rs -> null);
    }

    /** Duplicates removed for a document, per node. Synchronous. */
    public List<DuplicateCount> duplicates(RecordKey key, DefaultConsistencyLevel consistency) {
        List<DuplicateCount> out = new ArrayList<>();
        for (Row r : rows(bindKey(selectDuplicates.boundStatementBuilder(), key).build(), consistency)) {
            out.add(new DuplicateCount(r.getString(0), r.getLong(1), r.getLong(2)));
        }
        return out;
    }

    // ---------------------------------------------------------------- history

    public CompletionStage<Void> saveEvent(AuditEvent e) {
        BoundStatement s = bindKey(insertEvent.boundStatementBuilder(), e.key()).setInstant(4, e.at())
                .setString(5, e.node()).setString(6, e.event()).setString(7, e.verdict()).setString(8, e.detail())
                .build();
        return session.executeAsync(write(s)).thenApply(rs -> null);
    }

    /** A document's audit history, oldest first. Synchronous. */
    public List<AuditEvent> events(RecordKey key) {
        List<AuditEvent> out = new ArrayList<>();
        for (Row r : rows(bindKey(selectEvents.boundStatementBuilder(), key).build(), null)) {
            out.add(new AuditEvent(key, r.getInstant(0), r.getString(1), r.getString(2), r.getString(3),
                    r.getString(4)));
        }
        return out;
    }

    // ---------------------------------------------------------------- plumbing

    private static BoundStatementBuilder bindAudit(BoundStatementBuilder b, int at, AuditRow a) {
        return b.setInstant(at, a.startedAt()).setString(at + 1, a.state()).setString(at + 2, a.verdict())
                .setString(at + 3, a.trigger()).setLong(at + 4, a.expectedFirst()).setLong(at + 5, a.expectedLast())
                .setLong(at + 6, a.recordsHeld()).setList(at + 7, tuples(a.held()), TupleValue.class)
                .setList(at + 8, tuples(a.missing()), TupleValue.class)
                .setList(at + 9, tuples(a.unexplained()), TupleValue.class).setLong(at + 10, a.declaredDrops())
                .setLong(at + 11, a.declaredMatched()).setLong(at + 12, a.declaredUnplaced())
                .setLong(at + 13, a.duplicates()).setLong(at + 14, a.integrityConflicts())
                .setInt(at + 15, a.segments()).setInt(at + 16, a.failovers())
                .setMap(at + 17, a.nodes(), String.class, Long.class).setInstant(at + 18, a.lastActivity())
                .setInt(at + 19, a.reopenCount()).setInstant(at + 20, a.finalizedAt())
                .setString(at + 21, a.finalizedBy()).setLong(at + 22, a.fenceToken()).setInt(at + 23, a.version())
                .setBoolean(at + 24, a.rechecked());
    }

    private static List<TupleValue> tuples(List<SequenceRange> ranges) {
        List<TupleValue> out = new ArrayList<>(Math.min(ranges.size(), MAX_RANGES));
        for (SequenceRange r : ranges) {
            if (out.size() == MAX_RANGES) {
                break;
            }
            out.add(RANGE.newValue(r.first(), r.last()));
        }
        return out;
    }

    private static List<SequenceRange> ranges(Row r, int i) {
        List<TupleValue> l = r.getList(i, TupleValue.class);
        return l == null ? List.of() : l.stream().map(t -> new SequenceRange(t.getLong(0), t.getLong(1))).toList();
    }

    private static BoundStatementBuilder bindKey(BoundStatementBuilder b, RecordKey k) {
        return bindKeyAt(b, 0, k);
    }

    private static BoundStatementBuilder bindKeyAt(BoundStatementBuilder b, int at, RecordKey k) {
        return b.setString(at, k.exporter()).setInt(at + 1, k.sessionId()).setUuid(at + 2, k.documentId())
                .setLong(at + 3, k.bootTime());
    }

    private <S extends Statement<S>> S write(S s) {
        return s.setIdempotent(true).setConsistencyLevel(config.writeConsistency());
    }

    private Iterable<Row> rows(Statement<?> s, DefaultConsistencyLevel consistency) {
        var rs = session.execute(s.setIdempotent(true)
                .setConsistencyLevel(consistency == null ? config.readConsistency() : consistency));
        return () -> StreamSupport.stream(rs.spliterator(), false).iterator();
    }

    static int day(Instant t) {
        return (int) LocalDate.ofInstant(t, ZoneOffset.UTC).toEpochDay();
    }
}
