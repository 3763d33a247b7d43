package io.ipdrsp.node.store;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.ipdrsp.node.config.StorageSettings;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.RecordWriter;
import io.ipdrsp.storage.Replication;
import io.ipdrsp.storage.StorageConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The node's handle on the {@code storage} module: the {@link CassandraStorage} (schema created or migrated at
 * {@link #open}), the one {@link RecordWriter} every connection shares (so batches and the pending-record bound are
 * node-wide) and a liveness probe. The session layer's metadata writes (segments, templates, documents) go through
 * its own journal, which retries them across a Cassandra restart without holding up the record path.
 */
public final class NodeStorage implements AutoCloseable {

    private final CassandraStorage storage;
    private final RecordWriter writer;
    private final SimpleStatement probe = SimpleStatement.newInstance("SELECT release_version FROM system.local")
            .setIdempotent(true).setTimeout(Duration.ofSeconds(3));

    private NodeStorage(CassandraStorage storage, String nodeId) {
        this.storage = storage;
        this.writer = storage.recordWriter(nodeId);
    }

    /** Connects and applies the schema; throws {@link io.ipdrsp.storage.StorageException} when that fails. */
    public static NodeStorage open(List<InetSocketAddress> contactPoints, StorageSettings st, String nodeId) {
        StorageConfig config = StorageConfig.defaults(contactPoints, st.getLocalDatacenter(), st.getKeyspace())
                .withReplication(st.getReplication().isEmpty() ? Replication.simple(st.getReplicationFactor())
                        : Replication.networkTopology(st.getReplication()))
                .withConsistency(DefaultConsistencyLevel.valueOf(st.getConsistency()),
                        DefaultConsistencyLevel.valueOf(st.getConsistency()))
                .withBatching(st.getMaxRequestsInFlight(), st.getBatchSize(),
                        Duration.ofMillis(st.getBatchLingerMillis()))
                .withMaxPendingRecords(st.getMaxInFlight())
                .withRequestTimeout(Duration.ofMillis(st.getRequestTimeoutMillis()));
        return new NodeStorage(CassandraStorage.open(config, driverSecurity(st)), nodeId);
    }

    /** storage.username/password and storage.tls, read from their files or variables now. */
    static io.ipdrsp.storage.DriverSecurity driverSecurity(StorageSettings st) {
        String user = st.getUsername().trim();
        String password = user.isEmpty() ? null : st.getPassword().read("storage.password");
        return new io.ipdrsp.storage.DriverSecurity(user, password, st.getTls().sslContext("storage.tls"),
                st.getTls().isHostnameVerification());
    }

    public CassandraStorage storage() {
        return storage;
    }

    public RecordWriter writer() {
        return writer;
    }

    public String keyspace() {
        return storage.config().keyspace();
    }

    /** A cheap liveness probe (health check; resuming a flow stopped because storage failed). */
    public CompletionStage<Boolean> probe() {
        return storage.session().executeAsync(probe).handle((rs, ex) -> ex == null);
    }

    /** Sends what the writer buffers and waits for it, then closes the driver session. */
    @Override
    public void close() {
        writer.close();
        storage.close();
    }
}
