package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where and how a node stores records.
 *
 * @param contactPoints       Cassandra nodes to bootstrap from (the driver discovers the rest)
 * @param localDatacenter     the data center of this node's site; the token-aware load balancing prefers its replicas
 * @param keyspace            created with {@code replication} if missing (an existing keyspace is not altered)
 * @param replication         SimpleStrategy RF or NetworkTopologyStrategy factors per data center
 * @param writeConsistency    a record counts as stored (and may be acked) once written at this level
 * @param readConsistency     for reads (audit, export, rebuilding state)
 * @param maxRequestsInFlight bound on concurrent write requests (batches) per {@link RecordWriter}
 * @param batchSize           max records per UNLOGGED batch (records of one partition only)
 * @param maxBatchBytes       a batch is sent early once its record bytes reach this (a batch is one mutation, and a
 *                            mutation must stay under half the commit log segment)
 * @param batchLinger         how long a partly filled batch waits for more records before it is sent
 * @param maxPendingRecords   records accepted but not yet stored above which {@link RecordWriter#hasCapacity()} turns
 *                            false; at twice this, writes are refused
 * @param requestTimeout      per request (batch, read page)
 * @param readPageSize        rows per page when streaming records
 * @param driver              connection pool and request throttling of the driver ({@link DriverLimits})
 */
public record StorageConfig(List<InetSocketAddress> contactPoints, String localDatacenter, String keyspace,
        Replication replication, DefaultConsistencyLevel writeConsistency, DefaultConsistencyLevel readConsistency,
        int maxRequestsInFlight, int batchSize, int maxBatchBytes, Duration batchLinger, int maxPendingRecords,
        Duration requestTimeout, int readPageSize, DriverLimits driver) {

    public StorageConfig {
        contactPoints = List.copyOf(contactPoints);
        if (contactPoints.isEmpty()) {
            throw new IllegalArgumentException("no contact points");
        }
        Objects.requireNonNull(localDatacenter, "localDatacenter");
        if (keyspace == null || !keyspace.matches("[A-Za-z][A-Za-z0-9_]{0,47}")) {
            throw new IllegalArgumentException("keyspace must be a plain CQL identifier (max 48 chars): " + keyspace);
        }
        Objects.requireNonNull(replication, "replication");
        Objects.requireNonNull(writeConsistency, "writeConsistency");
        Objects.requireNonNull(readConsistency, "readConsistency");
        positive("maxRequestsInFlight", maxRequestsInFlight);
        positive("batchSize", batchSize);
        positive("maxBatchBytes", maxBatchBytes);
        positive("maxPendingRecords", maxPendingRecords);
        positive("readPageSize", readPageSize);
        if (batchLinger.isNegative() || batchLinger.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("batchLinger must be within [0, 1 s]: " + batchLinger);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive: " + requestTimeout);
        }
        Objects.requireNonNull(driver, "driver");
    }

    /**
     * Defaults: SimpleStrategy RF 1, LOCAL_QUORUM writes and reads, 32 batches in flight (the shared recipe §8: 16-32
     * keep most of the throughput at far lower latency than 128), 100 records or 1 MiB per batch, 2 ms linger,
     * 50 000 pending records, 5 s request timeout, 1000-row pages, {@link DriverLimits#defaults()}.
     */
    public static StorageConfig defaults(List<InetSocketAddress> contactPoints, String localDatacenter,
            String keyspace) {
        return new StorageConfig(contactPoints, localDatacenter, keyspace, Replication.simple(1),
                DefaultConsistencyLevel.LOCAL_QUORUM, DefaultConsistencyLevel.LOCAL_QUORUM, 32, 100, 1 << 20,
                Duration.ofMillis(2), 50_000, Duration.ofSeconds(5), 1000, DriverLimits.defaults());
    }

    public StorageConfig withReplication(Replication r) {
        return new StorageConfig(contactPoints, localDatacenter, keyspace, r, writeConsistency, readConsistency,
                maxRequestsInFlight, batchSize, maxBatchBytes, batchLinger, maxPendingRecords, requestTimeout,
                readPageSize, driver);
    }

    public StorageConfig withConsistency(DefaultConsistencyLevel write, DefaultConsistencyLevel read) {
        return new StorageConfig(contactPoints, localDatacenter, keyspace, replication, write, read,
                maxRequestsInFlight, batchSize, maxBatchBytes, batchLinger, maxPendingRecords, requestTimeout,
                readPageSize, driver);
    }

    public StorageConfig withBatching(int maxInFlight, int size, Duration linger) {
        return new StorageConfig(contactPoints, localDatacenter, keyspace, replication, writeConsistency,
                readConsistency, maxInFlight, size, maxBatchBytes, linger, maxPendingRecords, requestTimeout,
                readPageSize, driver);
    }

    public StorageConfig withMaxPendingRecords(int max) {
        return new StorageConfig(contactPoints, localDatacenter, keyspace, replication, writeConsistency,
                readConsistency, maxRequestsInFlight, batchSize, maxBatchBytes, batchLinger, max, requestTimeout,
                readPageSize, driver);
    }

    public StorageConfig withRequestTimeout(Duration timeout) {
        return new StorageConfig(contactPoints, localDatacenter, keyspace, replication, writeConsistency,
                readConsistency, maxRequestsInFlight, batchSize, maxBatchBytes, batchLinger, maxPendingRecords,
                timeout, readPageSize, driver);
    }

    public StorageConfig withReadPageSize(int rows) {
        return new StorageConfig(contactPoints, localDatacenter, keyspace, replication, writeConsistency,
                readConsistency, maxRequestsInFlight, batchSize, maxBatchBytes, batchLinger, maxPendingRecords,
                requestTimeout, rows, driver);
    }

    public StorageConfig withDriver(DriverLimits limits) {
        return new StorageConfig(contactPoints, localDatacenter, keyspace, replication, writeConsistency,
                readConsistency, maxRequestsInFlight, batchSize, maxBatchBytes, batchLinger, maxPendingRecords,
                requestTimeout, readPageSize, limits);
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1: " + value);
        }
    }
}
