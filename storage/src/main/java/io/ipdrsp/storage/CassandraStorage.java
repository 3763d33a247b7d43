package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.data.TupleValue;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.datastax.oss.driver.api.core.type.TupleType;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.TemplateBlock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The node's handle on Cassandra: one driver session (token-aware, local data center first), the schema created or
 * migrated at {@link #open}, and prepared idempotent statements. Hot-path operations are asynchronous; audit/export
 * reads ({@link #streamRecords}, {@link #storedSequences}, listings) page synchronously and must not run on an event
 * loop. Thread-safe.
 */
public final class CassandraStorage implements AutoCloseable {
    private static final Duration DDL_TIMEOUT = Duration.ofSeconds(60);
    private static final TupleType FIELD = DataTypes.tupleOf(DataTypes.INT, DataTypes.INT, DataTypes.TEXT,
            DataTypes.BOOLEAN);
    private static final String KEY_WHERE = "exporter = ? AND session_id = ? AND document_id = ? AND boot_time = ?";

    private final CqlSession session;
    private final StorageConfig config;
    private final int schemaVersion;
    private final PreparedStatement insertRecord;
    private final PreparedStatement insertBucket;
    private final PreparedStatement selectRecord;
    private final PreparedStatement selectBuckets;
    private final PreparedStatement selectBucketRecords;
    private final PreparedStatement selectBucketSeqs;
    private final PreparedStatement insertDocument;
    private final PreparedStatement insertDocumentByTime;
    private final PreparedStatement selectDocument;
    private final PreparedStatement selectDocumentsByTime;
    private final PreparedStatement insertSegment;
    private final PreparedStatement stopSegment;
    private final PreparedStatement selectSegments;
    private final PreparedStatement insertTemplate;
    private final PreparedStatement selectTemplates;
    private final PreparedStatement insertConflict;
    private final PreparedStatement selectConflicts;
    private final PreparedStatement selectRecordsIn;
    private final PreparedStatement createFence;
    private final PreparedStatement advanceFence;

    private CassandraStorage(CqlSession session, StorageConfig config) {
        this.session = session;
        this.config = config;
        this.schemaVersion = migrate();
        String ks = config.keyspace();
        insertRecord = prepare("INSERT INTO " + ks + ".records (exporter, session_id, document_id, boot_time, bucket,"
                + " seq, template_id, config_id, data, dup_flag, received_by, received_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        insertBucket = prepare("INSERT INTO " + ks + ".record_buckets (exporter, session_id, document_id, boot_time,"
                + " bucket) VALUES (?, ?, ?, ?, ?)");
        String recordColumns = "seq, template_id, config_id, dup_flag, data, received_by, received_at";
        selectRecord = prepare("SELECT " + recordColumns + " FROM " + ks + ".records WHERE " + KEY_WHERE
                + " AND bucket = ? AND seq = ?");
        selectBuckets = prepare("SELECT bucket FROM " + ks + ".record_buckets WHERE " + KEY_WHERE);
        selectBucketRecords = prepare("SELECT " + recordColumns + " FROM " + ks + ".records WHERE " + KEY_WHERE
                + " AND bucket = ?");
        selectBucketSeqs = prepare("SELECT seq FROM " + ks + ".records WHERE " + KEY_WHERE + " AND bucket = ?");
        insertDocument = prepare("INSERT INTO " + ks + ".documents (exporter, session_id, document_id, boot_time,"
                + " state, started_at, first_seen, last_seen, verdict, detail, updated_by, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        insertDocumentByTime = prepare("INSERT INTO " + ks + ".documents_by_time (exporter, day, started_at,"
                + " session_id, document_id, boot_time) VALUES (?, ?, ?, ?, ?, ?)");
        selectDocument = prepare("SELECT state, started_at, first_seen, last_seen, verdict, detail, updated_by FROM "
                + ks + ".documents WHERE " + KEY_WHERE);
        selectDocumentsByTime = prepare("SELECT session_id, document_id, boot_time FROM " + ks
                + ".documents_by_time WHERE exporter = ? AND day = ? AND started_at >= ? AND started_at < ?");
        insertSegment = prepare("INSERT INTO " + ks + ".segments (exporter, session_id, document_id, boot_time,"
                + " started_at, node, is_primary, first_record_seq, dropped_record_count, ack_time_interval,"
                + " ack_sequence_interval, stopped_at, stop_reason_code, stop_reason_info)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        stopSegment = prepare("UPDATE " + ks + ".segments SET stopped_at = ?, stop_reason_code = ?,"
                + " stop_reason_info = ? WHERE " + KEY_WHERE + " AND started_at = ? AND node = ?");
        selectSegments = prepare("SELECT started_at, node, is_primary, first_record_seq, dropped_record_count,"
                + " ack_time_interval, ack_sequence_interval, stopped_at, stop_reason_code, stop_reason_info FROM "
                + ks + ".segments WHERE " + KEY_WHERE);
        insertTemplate = prepare("INSERT INTO " + ks + ".templates (exporter, session_id, boot_time, config_id,"
                + " template_id, schema_name, type_name, fields, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        selectTemplates = prepare("SELECT template_id, schema_name, type_name, fields FROM " + ks + ".templates"
                + " WHERE exporter = ? AND session_id = ? AND boot_time = ? AND config_id = ?");
        insertConflict = prepare("INSERT INTO " + ks + ".integrity_conflicts (exporter, session_id, document_id,"
                + " boot_time, seq, detected_at, detected_by, stored_data, received_data, note)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        selectConflicts = prepare("SELECT seq, detected_at, detected_by, stored_data, received_data, note FROM " + ks
                + ".integrity_conflicts WHERE " + KEY_WHERE);
        selectRecordsIn = prepare("SELECT " + recordColumns + " FROM " + ks + ".records WHERE " + KEY_WHERE
                + " AND bucket = ? AND seq IN ?");
        createFence = prepare("INSERT INTO " + ks + ".leadership_fences (exporter, scope, fence_token, holder, updated_at)"
                + " VALUES (?, ?, ?, ?, ?) IF NOT EXISTS");
        advanceFence = prepare("UPDATE " + ks + ".leadership_fences SET fence_token = ?, holder = ?, updated_at = ?"
                + " WHERE exporter = ? AND scope = ? IF fence_token <= ?");
    }

    /**
     * Connects, creates the keyspace if missing (an existing one keeps its replication), applies missing schema
     * migrations and prepares the statements.
     *
     * @throws StorageException when Cassandra cannot be reached or the schema cannot be applied
     */
    public static CassandraStorage open(StorageConfig config) {
        return open(config, DriverSecurity.none());
    }

    /** As {@link #open(StorageConfig)}, logging in and/or over TLS as {@code security} says. */
    public static CassandraStorage open(StorageConfig config, DriverSecurity security) {
        CqlSession session;
        try {
            com.datastax.oss.driver.api.core.CqlSessionBuilder builder = CqlSession.builder()
                    .addContactPoints(config.contactPoints()).withLocalDatacenter(config.localDatacenter())
                    .withConfigLoader(driverConfig(config));
            security.apply(builder);
            session = builder.build();
        } catch (RuntimeException e) {
            throw new StorageException("cannot connect to Cassandra at " + config.contactPoints(), e);
        }
        try {
            return new CassandraStorage(session, config);
        } catch (RuntimeException e) {
            session.close();
            throw e instanceof StorageException se ? se : new StorageException("cannot prepare the schema", e);
        }
    }

    private static DriverConfigLoader driverConfig(StorageConfig config) {
        return DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, config.requestTimeout())
                // protocol V4: with V5 (result metadata ids) a prepared LWT that is not applied, whose answer has
                // the existing row's columns instead of the prepared [applied], was undecodable for the driver
                // (IndexOutOfBoundsException on the channel, which closed the connection and failed every request
                // in flight); V4 sends the answer's own metadata. The record path has no LWT any more, but the
                // fences, audit verdicts and spool markers are prepared conditional statements (docs/storage.md)
                .withString(DefaultDriverOption.PROTOCOL_VERSION, "V4")
                .withString(DefaultDriverOption.REQUEST_CONSISTENCY, config.readConsistency().name())
                .withInt(DefaultDriverOption.REQUEST_PAGE_SIZE, config.readPageSize())
                // DDL runs only at start; the default 1 s debounce made each CREATE take 1.1 s (recipes §1.3)
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ZERO)
                .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
                .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
                // a restarted Cassandra should get traffic (and acks resume) within seconds, not after 60 s
                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(500))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(5))
                .build();
    }

    private int migrate() {
        String ks = config.keyspace();
        ddl("CREATE KEYSPACE IF NOT EXISTS " + ks + " WITH replication = " + config.replication().cql()
                + " AND durable_writes = true");
        ddl(Schema.cql(Schema.SCHEMA_VERSION_TABLE, ks));
        Set<Integer> applied = new HashSet<>();
        for (Row row : session.execute(SimpleStatement.newInstance("SELECT version FROM " + ks
                + ".schema_version WHERE component = ?", Schema.COMPONENT).setTimeout(DDL_TIMEOUT))) {
            applied.add(row.getInt(0));
        }
        for (Schema.Migration m : Schema.MIGRATIONS) {
            if (applied.contains(m.version())) {
                continue;
            }
            for (String statement : m.statements()) {
                ddl(Schema.cql(statement, ks));
            }
            session.execute(SimpleStatement.newInstance("INSERT INTO " + ks + ".schema_version (component, version,"
                    + " description, applied_at, applied_by) VALUES (?, ?, ?, ?, ?)", Schema.COMPONENT, m.version(),
                    m.description(), Instant.now(), hostName()).setTimeout(DDL_TIMEOUT)
                    .setConsistencyLevel(config.writeConsistency()));
            applied.add(m.version());
        }
        // a newer node may have applied more; its additions are backwards compatible by rule (docs/storage.md)
        return applied.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    private void ddl(String cql) {
        session.execute(SimpleStatement.newInstance(cql).setTimeout(DDL_TIMEOUT));
    }

    private PreparedStatement prepare(String cql) {
        return session.prepare(cql);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** A new batching writer for this node's record path; {@code nodeId} goes into {@code received_by}. */
    public RecordWriter recordWriter(String nodeId) {
        return new RecordWriter(session, insertRecord, insertBucket, config, nodeId);
    }

    /**
     * A reader for the record path's duplicate check: point reads batched per partition ({@code seq IN ?}) with a
     * bound on reads in flight (see {@link RecordReader}).
     */
    public RecordReader recordReader() {
        return new RecordReader(session, selectRecordsIn, config);
    }

    private volatile AuditStore audit;

    /** The audit tables' statements (prepared on first use). */
    public AuditStore audit() {
        AuditStore a = audit;
        if (a == null) {
            synchronized (this) {
                if (audit == null) {
                    audit = new AuditStore(session, config);
                }
                a = audit;
            }
        }
        return a;
    }

    /** The highest applied schema migration. */
    public int schemaVersion() {
        return schemaVersion;
    }

    public StorageConfig config() {
        return config;
    }

    /** The driver session, for tools and later modules that need their own statements (keyspace-qualify them). */
    public CqlSession session() {
        return session;
    }

    // ---- records

    /** One stored record, or empty. */
    public CompletionStage<Optional<StoredRecord>> readRecord(RecordKey key, long seq) {
        BoundStatement s = bindKey(selectRecord.boundStatementBuilder(), key).setLong(4, RecordKey.bucketOf(seq))
                .setLong(5, seq).build();
        return session.executeAsync(read(s)).thenApply(rs -> {
            Row row = rs.one();
            return Optional.ofNullable(row).map(r -> toRecord(key, r));
        });
    }

    /**
     * Every stored record of a document in sequence order, paged lazily bucket by bucket (close the stream to stop
     * early). Synchronous paging: not for event loops.
     */
    public Stream<StoredRecord> streamRecords(RecordKey key) {
        return buckets(key).stream().flatMap(bucket -> rows(bindKey(selectBucketRecords.boundStatementBuilder(), key)
                .setLong(4, bucket).build()).map(row -> toRecord(key, row)));
    }

    /** The sequence numbers stored for a document as ascending, non-adjacent inclusive ranges (to rebuild range sets). */
    public List<SequenceRange> storedSequences(RecordKey key) {
        List<SequenceRange> ranges = new ArrayList<>();
        long[] run = {-1, -1};
        for (long bucket : buckets(key)) {
            rows(bindKey(selectBucketSeqs.boundStatementBuilder(), key).setLong(4, bucket).build()
                    .setPageSize(10_000)).forEach(row -> {
                        long seq = row.getLong(0);
                        if (run[0] >= 0 && seq == run[1] + 1) {
                            run[1] = seq;
                        } else {
                            if (run[0] >= 0) {
                                ranges.add(new SequenceRange(run[0], run[1]));
                            }
                            run[0] = seq;
                            run[1] = seq;
                        }
                    });
        }
        if (run[0] >= 0) {
            ranges.add(new SequenceRange(run[0], run[1]));
        }
        return ranges;
    }

    private List<Long> buckets(RecordKey key) {
        return rows(bindKey(selectBuckets.boundStatementBuilder(), key).build()).map(r -> r.getLong(0)).toList();
    }

    static StoredRecord toRecord(RecordKey key, Row r) {
        return new StoredRecord(key, r.getLong(0), r.getInt(1), r.getInt(2), r.getBoolean(3),
                Objects.requireNonNull(r.getByteBuffer(4)), r.getString(5), r.getInstant(6));
    }

    // ---- documents

    /** Writes a document's row and its time-index entry (a logged batch: both or neither). Idempotent. */
    public CompletionStage<Void> saveDocument(DocumentInfo d) {
        RecordKey k = d.key();
        BatchStatement batch = BatchStatement.newInstance(BatchType.LOGGED,
                bindKey(insertDocument.boundStatementBuilder(), k).setString(4, d.state())
                        .setInstant(5, d.startedAt()).setInstant(6, d.firstSeen()).setInstant(7, d.lastSeen())
                        .setString(8, d.verdict()).setString(9, d.detail()).setString(10, d.updatedBy())
                        .setInstant(11, Instant.now()).build(),
                insertDocumentByTime.bind(k.exporter(), day(d.startedAt()), d.startedAt(), k.sessionId(),
                        k.documentId(), k.bootTime()));
        return session.executeAsync(write(batch)).thenApply(rs -> null);
    }

    public CompletionStage<Optional<DocumentInfo>> document(RecordKey key) {
        return session.executeAsync(read(bindKey(selectDocument.boundStatementBuilder(), key).build()))
                .thenApply(rs -> Optional.ofNullable(rs.one()).map(r -> new DocumentInfo(key, r.getString(0),
                        r.getInstant(1), r.getInstant(2), r.getInstant(3), r.getString(4), r.getString(5),
                        r.getString(6))));
    }

    /** Documents of an exporter whose {@code startedAt} lies in [from, to), in start order. Synchronous. */
    public List<RecordKey> documentsStarted(String exporter, Instant from, Instant to) {
        List<RecordKey> out = new ArrayList<>();
        for (int day = day(from); day <= day(to); day++) {
            rows(selectDocumentsByTime.bind(exporter, day, from, to)).forEach(r -> out.add(
                    new RecordKey(exporter, r.getInt(0), r.getUuid(1), r.getLong(2))));
        }
        return out;
    }

    private static int day(Instant t) {
        return (int) LocalDate.ofInstant(t, ZoneOffset.UTC).toEpochDay();
    }

    // ---- segments

    /** Writes a whole segment row (at SESSION_START; again with the stop fields, or use {@link #stopSegment}). */
    public CompletionStage<Void> saveSegment(Segment s) {
        BoundStatement b = bindKey(insertSegment.boundStatementBuilder(), s.key()).setInstant(4, s.startedAt())
                .setString(5, s.node()).setBoolean(6, s.primary()).setLong(7, s.firstRecordSeq())
                .setLong(8, s.droppedRecordCount()).setInt(9, s.ackTimeInterval()).setInt(10, s.ackSequenceInterval())
                .setInstant(11, s.stoppedAt()).set(12, s.stopReasonCode(), Integer.class)
                .setString(13, s.stopReasonInfo()).build();
        return session.executeAsync(write(b)).thenApply(rs -> null);
    }

    /** Records SESSION_STOP on a segment started earlier. */
    public CompletionStage<Void> stopSegment(RecordKey key, Instant startedAt, String node, Instant stoppedAt,
            int reasonCode, String reasonInfo) {
        BoundStatement b = stopSegment.bind(stoppedAt, reasonCode, reasonInfo, key.exporter(), key.sessionId(),
                key.documentId(), key.bootTime(), startedAt, node);
        return session.executeAsync(write(b)).thenApply(rs -> null);
    }

    /** The segments of a document by start time. Synchronous. */
    public List<Segment> segments(RecordKey key) {
        return rows(bindKey(selectSegments.boundStatementBuilder(), key).build()).map(r -> new Segment(key,
                r.getInstant(0), r.getString(1), r.getBoolean(2), r.getLong(3), r.getLong(4), r.getInt(5),
                r.getInt(6), r.getInstant(7), r.get(8, Integer.class), r.getString(9))).toList();
    }

    // ---- templates

    /** Stores the templates in force for (exporter, session, boot, configId). Idempotent. */
    public CompletionStage<Void> saveTemplates(String exporter, int sessionId, long bootTime, int configId,
            List<TemplateBlock> templates) {
        BatchStatement batch = BatchStatement.newInstance(BatchType.UNLOGGED);
        Instant now = Instant.now();
        for (TemplateBlock t : templates) {
            List<TupleValue> fields = t.fields().stream().map(f -> FIELD.newValue(f.typeId(), f.fieldId(),
                    f.fieldName(), f.enabled())).toList();
            batch = batch.add(insertTemplate.bind(exporter, sessionId, bootTime, configId, t.templateId(),
                    t.schemaName(), t.typeName(), fields, now));
        }
        return session.executeAsync(write(batch)).thenApply(rs -> null);
    }

    /** The templates stored for (exporter, session, boot, configId), by templateId. Synchronous. */
    public List<TemplateBlock> templates(String exporter, int sessionId, long bootTime, int configId) {
        return rows(selectTemplates.bind(exporter, sessionId, bootTime, configId)).map(r -> new TemplateBlock(
                r.getInt(0), r.getString(1), r.getString(2), r.getList(3, TupleValue.class).stream()
                        .map(v -> new FieldDescriptor(v.getInt(0), v.getInt(1), v.getString(2), v.getBoolean(3)))
                        .toList())).toList();
    }

    // ---- integrity conflicts

    public CompletionStage<Void> saveIntegrityConflict(IntegrityConflict c) {
        BoundStatement b = insertConflict.bind(c.key().exporter(), c.key().sessionId(), c.key().documentId(),
                c.key().bootTime(), c.seq(), c.detectedAt(), c.detectedBy(), c.storedData(), c.receivedData(),
                c.note());
        return session.executeAsync(write(b)).thenApply(rs -> null);
    }

    /** Synchronous. */
    public List<IntegrityConflict> integrityConflicts(RecordKey key) {
        return rows(bindKey(selectConflicts.boundStatementBuilder(), key).build()).map(r -> new IntegrityConflict(
                key, r.getLong(0), r.getInstant(1), r.getString(2), r.getByteBuffer(3), r.getByteBuffer(4),
                r.getString(5))).toList();
    }

    // ---- leadership fences

    /**
     * Fences work that must happen once per exporter (e.g. document finalization) against a stale leader: records
     * {@code token} (the leader's fencing token, increasing per leadership term) for {@code (exporter, scope)} unless a
     * higher token is already recorded. A leader calls it before each unit of guarded work and stops when it returns
     * false: a newer term has started elsewhere. One lightweight transaction at {@code serialConsistency}.
     *
     * @return whether {@code token} is (now) the highest recorded token
     */
    public CompletionStage<Boolean> advanceFence(String exporter, String scope, long token, String holder,
            DefaultConsistencyLevel serialConsistency) {
        Instant now = Instant.now();
        BoundStatement create = createFence.bind(exporter, scope, token, holder, now)
                .setConsistencyLevel(config.writeConsistency()).setSerialConsistencyLevel(serialConsistency);
        return session.executeAsync(create).thenCompose(rs -> {
            if (rs.wasApplied()) {
                return java.util.concurrent.CompletableFuture.completedFuture(true);
            }
            BoundStatement update = advanceFence.bind(token, holder, now, exporter, scope, token)
                    .setConsistencyLevel(config.writeConsistency()).setSerialConsistencyLevel(serialConsistency);
            return session.executeAsync(update).thenApply(r -> r.wasApplied());
        });
    }

    // ---- plumbing

    private static <B extends com.datastax.oss.driver.api.core.cql.BoundStatementBuilder> B bindKey(B b,
            RecordKey k) {
        b.setString(0, k.exporter()).setInt(1, k.sessionId()).setUuid(2, k.documentId()).setLong(3, k.bootTime());
        return b;
    }

    private <S extends Statement<S>> S write(S s) {
        return s.setIdempotent(true).setConsistencyLevel(config.writeConsistency());
    }

    private <S extends Statement<S>> S read(S s) {
        return s.setIdempotent(true).setConsistencyLevel(config.readConsistency());
    }

    private Stream<Row> rows(Statement<?> s) {
        ResultSet rs = session.execute(s.setIdempotent(true).setConsistencyLevel(config.readConsistency()));
        return StreamSupport.stream(rs.spliterator(), false);
    }

    /** Closes the driver session (close record writers first so their buffered records are sent). */
    @Override
    public void close() {
        session.close();
    }
}
