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
    private final RecordTables records;
    private final VersionScan scan;
    private final RecordReader reader;
    private final PreparedStatement insertTemplate;
    private final PreparedStatement selectTemplates;
    private final RecordConflicts conflicts;
    private final PreparedStatement createFence;
    private final PreparedStatement advanceFence;

    private CassandraStorage(CqlSession session, StorageConfig config) {
        this.session = session;
        this.config = config;
        this.schemaVersion = Schema.migrate(session, config);
        String ks = config.keyspace();
        records = new RecordTables(session, config);
        scan = new VersionScan(records);
        reader = new RecordReader(records);
        conflicts = new RecordConflicts(records, scan, reader);
        insertTemplate = prepare("INSERT INTO " + ks + ".templates (exporter, session_id, boot_time, config_id,"
                + " template_id, schema_name, type_name, fields, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        selectTemplates = prepare("SELECT template_id, schema_name, type_name, fields FROM " + ks + ".templates"
                + " WHERE exporter = ? AND session_id = ? AND boot_time = ? AND config_id = ?");
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

    static Duration timerTick(Duration requestTimeout) {
        long tenth = requestTimeout.toNanos() / 10;
        return Duration.ofNanos(Math.max(Duration.ofMillis(1).toNanos(), Math.min(tenth,
                Duration.ofMillis(100).toNanos())));
    }

    private static DriverConfigLoader driverConfig(StorageConfig config) {
        return DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, config.requestTimeout())
                // the driver's timer fires timeouts on its next tick (100 ms by default): a timeout shorter than a
                // few ticks would fire anywhere up to a tick late, so the tick follows the timeout (a tenth of it)
                .withDuration(DefaultDriverOption.NETTY_TIMER_TICK_DURATION, timerTick(config.requestTimeout()))
                // protocol V4: with V5 (result metadata ids) a prepared LWT that is not applied, whose answer has
                // the existing row's columns instead of the prepared [applied], was undecodable for the driver
                // (IndexOutOfBoundsException on the channel, which closed the connection and failed every request
                // in flight); V4 sends the answer's own metadata. The record path has no LWT any more, but the
                // fences, audit verdicts and spool markers are prepared conditional statements (docs/storage.md)
                .withString(DefaultDriverOption.PROTOCOL_VERSION, "V4")
                .withString(DefaultDriverOption.REQUEST_CONSISTENCY, config.readConsistency().name())
                .withInt(DefaultDriverOption.REQUEST_PAGE_SIZE, config.readPageSize())
                // sized for thousands of sessions starting at once: a burst waits in the throttler's queue instead of
                // failing with "no connection available" (DriverLimits, docs/storage.md "Driver")
                .withInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE, config.driver().connectionsPerLocalNode())
                .withInt(DefaultDriverOption.CONNECTION_POOL_REMOTE_SIZE, config.driver().connectionsPerRemoteNode())
                .withInt(DefaultDriverOption.CONNECTION_MAX_REQUESTS, config.driver().maxRequestsPerConnection())
                .withString(DefaultDriverOption.REQUEST_THROTTLER_CLASS, "ConcurrencyLimitingRequestThrottler")
                .withInt(DefaultDriverOption.REQUEST_THROTTLER_MAX_CONCURRENT_REQUESTS,
                        config.driver().maxConcurrentRequests())
                .withInt(DefaultDriverOption.REQUEST_THROTTLER_MAX_QUEUE_SIZE, config.driver().maxQueuedRequests())
                // a connection's handshake (STARTUP, OPTIONS) may take longer than the default 500 ms on a busy
                // machine; a pool whose only connection failed that way refuses requests until it reconnects
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5))
                // DDL runs only at start; the default 1 s debounce made each CREATE take 1.1 s (recipes §1.3)
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ZERO)
                .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
                .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
                // a restarted Cassandra should get traffic (and acks resume) within seconds, not after 60 s
                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(500))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(5))
                .build();
    }

    private PreparedStatement prepare(String cql) {
        return Prepared.of(session, cql);
    }

    /** A new batching writer for this node's record path; its writes name {@code nodeId} in their receipts. */
    public RecordWriter recordWriter(String nodeId) {
        return new RecordWriter(records, nodeId);
    }

    /** Asks now whether the pre-version {@code records} table holds rows ({@link LegacyRows}); tests that write some. */
    void recheckLegacyRows() {
        records.legacyRows.recheck();
        records.legacyConflicts.recheck();
    }

    /**
     * A reader for dedup's read-backs: point reads of every version, batched per partition ({@code seq IN ?}) with a
     * bound on reads in flight (see {@link RecordReader}).
     */
    public RecordReader recordReader() {
        return new RecordReader(records);
    }

    /** The record tables' scans, for the audit's and the exports' reads in this package. */
    VersionScan versionScan() {
        return scan;
    }

    private volatile AuditStore audit;

    /** The audit tables' statements (prepared on first use). */
    public AuditStore audit() {
        AuditStore a = audit;
        if (a == null) {
            synchronized (this) {
                if (audit == null) {
                    audit = new AuditStore(session, config, scan);
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

    /** The record {@code (key, seq)} as readers see it (its first version), or empty. */
    public CompletionStage<Optional<StoredRecord>> readRecord(RecordKey key, long seq) {
        return reader.read(key, seq);
    }

    /**
     * Every stored record of a document in sequence order, paged lazily bucket by bucket (close the stream to stop
     * early): per sequence number its first version (see {@link #versionConflicts} for the others). Synchronous
     * paging: not for event loops.
     */
    public Stream<StoredRecord> streamRecords(RecordKey key) {
        return VersionScan.firstPerSequence(scan.versions(key, -1, null));
    }

    /** The sequence numbers stored for a document as ascending, non-adjacent inclusive ranges (to rebuild range sets). */
    public List<SequenceRange> storedSequences(RecordKey key) {
        return scan.sequences(key, null);
    }

    /** Conflicting versions of a document (see {@link RecordConflicts#versionConflicts}). Synchronous. */
    public List<VersionConflict> versionConflicts(RecordKey key) {
        return conflicts.versionConflicts(key);
    }

    // ---- documents and segments (DocumentStore: one start time per document, claimed once)

    private volatile DocumentStore documents;

    /** Documents, their time index and segments (prepared on first use). */
    public DocumentStore documents() {
        DocumentStore d = documents;
        if (d == null) {
            synchronized (this) {
                if (documents == null) {
                    documents = new DocumentStore(session, config);
                }
                d = documents;
            }
        }
        return d;
    }

    /** See {@link DocumentStore#saveDocument}: the row and index entry under the document's claimed start time. */
    public CompletionStage<Void> saveDocument(DocumentInfo d) {
        return documents().saveDocument(d);
    }

    public CompletionStage<Optional<DocumentInfo>> document(RecordKey key) {
        return documents().document(key);
    }

    /** Documents of an exporter indexed with a start in [from, to), in start order, each once. Synchronous. */
    public List<RecordKey> documentsStarted(String exporter, Instant from, Instant to) {
        return documents().documentsStarted(exporter, from, to, null).stream().map(IndexedDocument::key).toList();
    }

    /** See {@link DocumentStore#saveSegment}: the segment row, and its document indexed. */
    public CompletionStage<Void> saveSegment(Segment s) {
        return documents().saveSegment(s);
    }

    /** Records SESSION_STOP on a segment started earlier (highest received DSN not reported). */
    public CompletionStage<Void> stopSegment(RecordKey key, Instant startedAt, String node, Instant stoppedAt,
            int reasonCode, String reasonInfo) {
        return documents().stopSegment(key, startedAt, node, stoppedAt, reasonCode, reasonInfo, null);
    }

    /** The segments of a document. Synchronous. */
    public List<Segment> segments(RecordKey key) {
        return documents().segments(key, null);
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

    /** Finding sequence numbers stored in differing versions and recording each alarm once. */
    public RecordConflicts conflicts() {
        return conflicts;
    }

    /** Recorded conflicts of a document (see {@link RecordConflicts#integrityConflicts}). Synchronous. */
    public List<IntegrityConflict> integrityConflicts(RecordKey key) {
        return conflicts.integrityConflicts(key);
    }

    /** A verdict's count of integrity conflicts (see {@link RecordConflicts#conflictCount}). Synchronous. */
    public long conflictCount(RecordKey key, StoredSequences stored) {
        return conflicts.conflictCount(key, stored);
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
