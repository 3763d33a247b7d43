package io.ipdrsp.node.store;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.ipdrsp.node.session.RecordStore;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.TemplateBlock;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A minimal Cassandra {@link RecordStore} owned by the node until the {@code storage} module's writer is wired in:
 * schema created at start, one prepared idempotent INSERT per record (same primary key ⇒ same row), writes at the
 * configured consistency. Records are partitioned by stream and a bucket of {@value #BUCKET} DSNs.
 */
public final class CqlRecordStore implements RecordStore, AutoCloseable {
    public static final long BUCKET = 10_000;

    private final CqlSession session;
    private final String keyspace;
    private final ConsistencyLevel consistency;
    private final PreparedStatement insertRecord;
    private final PreparedStatement insertTemplates;
    private final PreparedStatement insertSegment;
    private final PreparedStatement probe;

    private CqlRecordStore(CqlSession session, String keyspace, ConsistencyLevel consistency) {
        this.session = session;
        this.keyspace = keyspace;
        this.consistency = consistency;
        this.insertRecord = session.prepare(SimpleStatement.newInstance("INSERT INTO " + keyspace + ".records "
                + "(exporter, session_id, document_id, boot_time, bucket, dsn, template_id, config_id, duplicate, "
                + "record) VALUES (?,?,?,?,?,?,?,?,?,?)").setIdempotent(true));
        this.insertTemplates = session.prepare(SimpleStatement.newInstance("INSERT INTO " + keyspace + ".templates "
                + "(exporter, session_id, config_id, templates) VALUES (?,?,?,?)").setIdempotent(true));
        this.insertSegment = session.prepare(SimpleStatement.newInstance("INSERT INTO " + keyspace + ".segments "
                + "(exporter, session_id, document_id, boot_time, node_id, started_at, primary_collector, first_dsn, "
                + "dropped, stop_reason, stopped_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)").setIdempotent(true));
        this.probe = session.prepare("SELECT release_version FROM system.local");
    }

    /**
     * Connects, creates the keyspace (SimpleStrategy with {@code replicationFactor}; production keyspaces are
     * created by operators with NetworkTopologyStrategy) and tables if missing.
     */
    public static CqlRecordStore open(List<InetSocketAddress> contactPoints, String localDatacenter, String keyspace,
                                      int replicationFactor, String consistency) {
        DriverConfigLoader loader = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ZERO)
                .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
                .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(5))
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5))
                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(200))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(2))
                .withBoolean(DefaultDriverOption.RECONNECT_ON_INIT, true)
                .build();
        CqlSession s = CqlSession.builder().addContactPoints(contactPoints).withLocalDatacenter(localDatacenter)
                .withConfigLoader(loader).build();
        try {
            s.execute("CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = {'class': "
                    + "'SimpleStrategy', 'replication_factor': " + replicationFactor + "}");
            s.execute("CREATE TABLE IF NOT EXISTS " + keyspace + ".records (exporter text, session_id int, "
                    + "document_id uuid, boot_time bigint, bucket bigint, dsn bigint, template_id int, config_id int, "
                    + "duplicate boolean, record blob, PRIMARY KEY ((exporter, session_id, document_id, boot_time, "
                    + "bucket), dsn))");
            s.execute("CREATE TABLE IF NOT EXISTS " + keyspace + ".templates (exporter text, session_id int, "
                    + "config_id int, templates text, PRIMARY KEY ((exporter, session_id), config_id))");
            s.execute("CREATE TABLE IF NOT EXISTS " + keyspace + ".segments (exporter text, session_id int, "
                    + "document_id uuid, boot_time bigint, node_id text, started_at timestamp, "
                    + "primary_collector boolean, first_dsn bigint, dropped bigint, stop_reason int, "
                    + "stopped_at timestamp, PRIMARY KEY ((exporter, session_id, document_id, boot_time), node_id, "
                    + "started_at))");
            return new CqlRecordStore(s, keyspace, DefaultConsistencyLevel.valueOf(consistency));
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    public CqlSession session() {
        return session;
    }

    public String keyspace() {
        return keyspace;
    }

    @Override
    public CompletionStage<Void> writeRecord(StreamKey key, long dsn, int templateId, int configId, boolean duplicate,
                                             ByteBuffer record) {
        return session.executeAsync(insertRecord.bind(key.exporter(), key.sessionId(), key.documentId(),
                        key.exporterBootTime(), Math.floorDiv(dsn, BUCKET), dsn, templateId, configId, duplicate, record)
                        .setConsistencyLevel(consistency))
                .thenApply(rs -> null);
    }

    @Override
    public CompletionStage<Void> writeTemplates(String exporter, int sessionId, int configId,
                                                List<TemplateBlock> templates) {
        return session.executeAsync(insertTemplates.bind(exporter, sessionId, configId, render(templates))
                .setConsistencyLevel(consistency)).thenApply(rs -> null);
    }

    @Override
    public CompletionStage<Void> writeSegment(StreamKey key, String nodeId, boolean primary,
                                              long firstRecordSequenceNumber, long droppedRecordCount,
                                              long startedAtMillis, Integer stopReason, Long stoppedAtMillis) {
        return session.executeAsync(insertSegment.bind(key.exporter(), key.sessionId(), key.documentId(),
                key.exporterBootTime(), nodeId, Instant.ofEpochMilli(startedAtMillis), primary,
                firstRecordSequenceNumber, droppedRecordCount, stopReason,
                stoppedAtMillis == null ? null : Instant.ofEpochMilli(stoppedAtMillis))
                .setConsistencyLevel(consistency)).thenApply(rs -> null);
    }

    @Override
    public CompletionStage<Boolean> probe() {
        return session.executeAsync(probe.bind()).handle((rs, ex) -> ex == null);
    }

    /** Human-readable template set: one line per field, "templateId schema/type: fieldId name typeId on|off". */
    static String render(List<TemplateBlock> templates) {
        StringBuilder b = new StringBuilder();
        for (TemplateBlock t : templates) {
            b.append(t.templateId()).append(' ').append(t.schemaName()).append('/').append(t.typeName()).append('\n');
            for (FieldDescriptor f : t.fields()) {
                b.append("  ").append(f.fieldId()).append(' ').append(f.fieldName()).append(" 0x")
                        .append(Integer.toHexString(f.typeId())).append(f.enabled() ? " on" : " off").append('\n');
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        session.close();
    }
}
