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
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's handle on the {@code storage} module: the {@link CassandraStorage} (schema created or migrated at
 * {@link #open}), the one {@link RecordWriter} every connection shares (so batches and the pending-record bound are
 * node-wide), and retries for metadata writes (segments, templates, documents), which must survive a Cassandra
 * restart but never hold up the record path.
 */
public final class NodeStorage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeStorage.class);
    /** Metadata writes are retried for about this long (exponential back-off up to 5 s), then logged as lost. */
    private static final long METADATA_RETRY_MILLIS = 10 * 60_000L;

    private final CassandraStorage storage;
    private final RecordWriter writer;
    private final ScheduledThreadPoolExecutor retries;
    /** Metadata writes started and not finished (success or given up): close() lets them end. */
    private final java.util.concurrent.atomic.AtomicInteger metadataPending = new java.util.concurrent.atomic.AtomicInteger();
    private final SimpleStatement probe = SimpleStatement.newInstance("SELECT release_version FROM system.local")
            .setIdempotent(true).setTimeout(Duration.ofSeconds(3));

    private NodeStorage(CassandraStorage storage, String nodeId) {
        this.storage = storage;
        this.writer = storage.recordWriter(nodeId);
        this.retries = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "ipdr-metadata-retry");
            t.setDaemon(true);
            return t;
        });
        retries.setRemoveOnCancelPolicy(true);
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

    /**
     * Runs a metadata write and retries it with back-off while it fails (Cassandra down or restarting). Metadata is
     * idempotent (whole-row upserts keyed by what they describe), so a retry that overlaps a late success is harmless.
     */
    public void writeMetadata(String what, Supplier<CompletionStage<Void>> write) {
        metadataPending.incrementAndGet();
        attempt(what, write, 0, System.nanoTime());
    }

    private void attempt(String what, Supplier<CompletionStage<Void>> write, int n, long startedNanos) {
        CompletionStage<Void> stage;
        try {
            stage = write.get();
        } catch (RuntimeException e) {
            LOG.warn("{}: not stored: {}", what, e.toString());
            metadataPending.decrementAndGet();
            return;
        }
        stage.whenComplete((v, ex) -> {
            if (ex == null) {
                if (n > 0) {
                    LOG.info("{}: stored after {} retries", what, n);
                }
                metadataPending.decrementAndGet();
                return;
            }
            if (System.nanoTime() - startedNanos > TimeUnit.MILLISECONDS.toNanos(METADATA_RETRY_MILLIS)
                    || retries.isShutdown()) {
                LOG.error("{}: giving up after {} attempts: {}", what, n + 1, ex.toString());
                metadataPending.decrementAndGet();
                return;
            }
            if (n == 0) {
                LOG.warn("{}: failed, retrying: {}", what, ex.toString());
            }
            long delay = Math.min(5000, 100L << Math.min(n, 6));
            try {
                retries.schedule(() -> attempt(what, write, n + 1, startedNanos), delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                LOG.warn("{}: not stored (node stopping): {}", what, ex.toString());
                metadataPending.decrementAndGet();
            }
        });
    }

    /**
     * Sends what the writer buffers and waits for it, gives metadata writes under way (segment ends written as the
     * connections closed) up to 3 s, then closes the driver session.
     */
    @Override
    public void close() {
        writer.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (metadataPending.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        retries.shutdownNow();
        storage.close();
    }
}
