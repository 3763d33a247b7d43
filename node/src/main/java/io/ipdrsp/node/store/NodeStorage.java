package io.ipdrsp.node.store;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.ipdrsp.node.config.StorageSettings;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.FailureLog;
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
import org.slf4j.event.Level;

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
    /** One log line per burst of failed metadata writes, not one per write (issue 19: 19 064 lines in one burst). */
    private final FailureLog retrying = new FailureLog(LOG, Level.WARN, "metadata writes", Duration.ofSeconds(10));
    private final FailureLog lost = new FailureLog(LOG, Level.ERROR, "metadata writes given up", Duration.ofSeconds(10));
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
                .withRequestTimeout(Duration.ofMillis(st.getRequestTimeoutMillis()))
                .withDriver(st.driverLimits());
        return new NodeStorage(CassandraStorage.open(config), nodeId);
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
            lost.failure(what, e);
            metadataPending.decrementAndGet();
            return;
        }
        stage.whenComplete((v, ex) -> {
            if (ex == null) {
                retrying.success(); // "recovered after N failures": one line for the burst
                metadataPending.decrementAndGet();
                return;
            }
            if (System.nanoTime() - startedNanos > TimeUnit.MILLISECONDS.toNanos(METADATA_RETRY_MILLIS)
                    || retries.isShutdown()) {
                lost.failure(what + " after " + (n + 1) + " attempts", ex);
                metadataPending.decrementAndGet();
                return;
            }
            retrying.failure(what, ex);
            long delay = Math.min(5000, 100L << Math.min(n, 6));
            try {
                retries.schedule(() -> attempt(what, write, n + 1, startedNanos), delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                lost.failure(what + " (node stopping)", ex);
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
