package io.ipdrsp.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.List;

/** {@code storage:} — the Cassandra cluster and the record path's bounds. */
public final class StorageSettings {
    /** "host:port" each; empty = start a local Cassandra server process under {@link #embeddedDataDir}. */
    @NotNull(message = "must be a list of host:port, or [] to run a local Cassandra")
    @JsonProperty
    private List<String> contactPoints = new ArrayList<>();

    @NotBlank(message = "is required: the Cassandra data center this node writes to (datacenter1 for a local server)")
    @JsonProperty
    private String localDatacenter = "datacenter1";

    @NotBlank(message = "is required: the keyspace name, e.g. ipdr")
    @Pattern(regexp = "[a-z][a-z0-9_]{0,47}", message = "must be a Cassandra identifier: lower case letters, digits, '_'")
    @JsonProperty
    private String keyspace = "ipdr";

    @Min(value = 1, message = "must be at least 1")
    @JsonProperty
    private int replicationFactor = 1;

    /**
     * Data center → replication factor: NetworkTopologyStrategy for a new keyspace (multi-site). Empty = SimpleStrategy
     * with {@link #replicationFactor}. An existing keyspace keeps its replication.
     */
    @NotNull(message = "must be a map of data center: replication factor, or {}")
    @JsonProperty
    private java.util.Map<String, Integer> replication = new java.util.LinkedHashMap<>();

    /** Consistency of record writes; a DATA_ACK only covers writes that succeeded at this level. */
    @Pattern(regexp = "ONE|TWO|THREE|QUORUM|ALL|LOCAL_ONE|LOCAL_QUORUM|EACH_QUORUM",
            message = "must be one of ONE, TWO, THREE, QUORUM, ALL, LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM")
    @JsonProperty
    private String consistency = "LOCAL_QUORUM";

    /**
     * Records received on one connection and not yet stored; at the bound the node stops reading that connection
     * (TCP back-pressure), so one busy CMTS cannot take the whole node-wide budget.
     */
    @Min(value = 1, message = "must be at least 1")
    @Max(value = 1_000_000, message = "must be at most 1000000")
    @JsonProperty
    private int maxInFlightPerConnection = 16_384;

    /**
     * Node-wide bound on records received and not yet stored (the record writer's {@code maxPendingRecords}): above
     * it every connection stops reading until half of them are stored.
     */
    @Min(value = 1, message = "must be at least 1")
    @JsonProperty
    private int maxInFlight = 50_000;

    /** Records per UNLOGGED batch (one Cassandra partition per batch). */
    @Min(value = 1, message = "must be at least 1")
    @Max(value = 1000, message = "must be at most 1000")
    @JsonProperty
    private int batchSize = 100;

    /** Batches (write requests) in flight to Cassandra at once. */
    @Min(value = 1, message = "must be at least 1")
    @Max(value = 1024, message = "must be at most 1024")
    @JsonProperty
    private int maxRequestsInFlight = 32;

    /** How long a partly filled batch waits for more records (the end of each socket read sends it anyway). */
    @Min(value = 0, message = "must be at least 0")
    @Max(value = 1000, message = "must be at most 1000")
    @JsonProperty
    private int batchLingerMillis = 2;

    /** Per Cassandra request (batch, metadata write). */
    @Min(value = 100, message = "must be at least 100")
    @JsonProperty
    private int requestTimeoutMillis = 5000;

    /** After this long without any successful write while records wait, the node sends FLOW_STOP. */
    @Min(value = 1, message = "must be at least 1 second")
    @JsonProperty
    private int stopFlowAfterSeconds = 30;

    /**
     * Driver connections to each Cassandra node of the local data center; with {@link #maxRequestsPerConnection} the
     * requests the pool can carry at once, which must cover {@link #maxConcurrentRequests} (docs/storage.md "Driver").
     */
    @Min(value = 1, message = "must be at least 1")
    @Max(value = 64, message = "must be at most 64")
    @JsonProperty
    private int connectionsPerHost = 2;

    /** The same for Cassandra nodes of remote data centers (used only when the local one is unreachable). */
    @Min(value = 1, message = "must be at least 1")
    @Max(value = 64, message = "must be at most 64")
    @JsonProperty
    private int connectionsPerRemoteHost = 1;

    /** Concurrent requests on one driver connection (protocol V4 allows 32768). */
    @Min(value = 1, message = "must be at least 1")
    @Max(value = 32_768, message = "must be at most 32768 (protocol V4 stream ids)")
    @JsonProperty
    private int maxRequestsPerConnection = 2048;

    /**
     * Requests of this node in flight to Cassandra at once (the driver's concurrency-limiting throttler): beyond this
     * they wait in the throttler's queue instead of failing, so thousands of sessions starting together are slowed,
     * not refused. The request timeout includes the wait.
     */
    @Min(value = 1, message = "must be at least 1")
    @JsonProperty
    private int maxConcurrentRequests = 1024;

    /** Requests waiting for the throttler; beyond this a request fails at once (and is retried by its caller). */
    @Min(value = 0, message = "must be at least 0")
    @JsonProperty
    private int maxQueuedRequests = 20_000;
    /** Login for Cassandra's PasswordAuthenticator; "" = none (a cluster with AllowAllAuthenticator). */
    @NotNull(message = "must be a Cassandra role name, or \"\" for none")
    @JsonProperty
    private String username = "";

    /** The role's password, from a Secret: {file: PATH} or {env: NAME}. */
    @jakarta.validation.Valid
    @NotNull(message = "must be {file: PATH} or {env: NAME}")
    @JsonProperty
    private io.ipdrsp.node.security.SecretRef password = new io.ipdrsp.node.security.SecretRef();

    /** TLS to Cassandra (client_encryption_options on the servers). */
    @jakarta.validation.Valid
    @NotNull(message = "must be {enabled: true|false, trustStore: ..., ...}")
    @JsonProperty
    private io.ipdrsp.node.security.ClientTlsConfig tls = new io.ipdrsp.node.security.ClientTlsConfig();

    public String getUsername() {
        return username;
    }

    public io.ipdrsp.node.security.SecretRef getPassword() {
        return password;
    }

    public io.ipdrsp.node.security.ClientTlsConfig getTls() {
        return tls;
    }

    public StorageSettings login(String user, io.ipdrsp.node.security.SecretRef secret) {
        username = user;
        password = secret;
        return this;
    }

    /**
     * CQL port of the local Cassandra (contactPoints: []); its storage (gossip) port is this - 2000. 0 = free ports
     * picked at each start (what the embedded default does).
     */
    @Min(value = 0, message = "must be 0 (free ports) or 3025..65535: the local Cassandra's CQL port (its storage port"
            + " is this - 2000)")
    @Max(value = 65535, message = "must be 0 (free ports) or 3025..65535")  // 1..3024: NodeConfigChecks
    @JsonProperty
    private int embeddedNativePort = 0;

    public int getEmbeddedNativePort() {
        return embeddedNativePort;
    }


    @NotBlank(message = "is required: directory of the local Cassandra's data (relative to the working directory)")
    @JsonProperty
    private String embeddedDataDir = "var/cassandra";

    public List<String> getContactPoints() {
        return contactPoints;
    }

    public String getLocalDatacenter() {
        return localDatacenter;
    }

    public String getKeyspace() {
        return keyspace;
    }

    public int getReplicationFactor() {
        return replicationFactor;
    }

    public java.util.Map<String, Integer> getReplication() {
        return replication;
    }

    public String getConsistency() {
        return consistency;
    }

    public int getMaxInFlightPerConnection() {
        return maxInFlightPerConnection;
    }

    public int getMaxInFlight() {
        return maxInFlight;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public int getMaxRequestsInFlight() {
        return maxRequestsInFlight;
    }

    public int getBatchLingerMillis() {
        return batchLingerMillis;
    }

    public int getRequestTimeoutMillis() {
        return requestTimeoutMillis;
    }

    public int getStopFlowAfterSeconds() {
        return stopFlowAfterSeconds;
    }

    public String getEmbeddedDataDir() {
        return embeddedDataDir;
    }

    public int getConnectionsPerHost() {
        return connectionsPerHost;
    }

    public int getConnectionsPerRemoteHost() {
        return connectionsPerRemoteHost;
    }

    public int getMaxRequestsPerConnection() {
        return maxRequestsPerConnection;
    }

    public int getMaxConcurrentRequests() {
        return maxConcurrentRequests;
    }

    public int getMaxQueuedRequests() {
        return maxQueuedRequests;
    }

    /** The driver's pool and throttler as storage takes them. */
    public io.ipdrsp.storage.DriverLimits driverLimits() {
        return new io.ipdrsp.storage.DriverLimits(connectionsPerHost, connectionsPerRemoteHost,
                maxRequestsPerConnection, maxConcurrentRequests, maxQueuedRequests);
    }

    public StorageSettings contactPoints(String... cp) {
        contactPoints = new ArrayList<>(List.of(cp));
        return this;
    }

    public StorageSettings localDatacenter(String dc) {
        localDatacenter = dc;
        return this;
    }

    public StorageSettings keyspace(String ks) {
        keyspace = ks;
        return this;
    }

    public StorageSettings consistency(String c) {
        consistency = c;
        return this;
    }

    public StorageSettings maxInFlightPerConnection(int n) {
        maxInFlightPerConnection = n;
        return this;
    }

    public StorageSettings maxInFlight(int n) {
        maxInFlight = n;
        return this;
    }

    public StorageSettings batching(int size, int requestsInFlight, int lingerMillis) {
        batchSize = size;
        maxRequestsInFlight = requestsInFlight;
        batchLingerMillis = lingerMillis;
        return this;
    }

    public StorageSettings replicationFactor(int rf) {
        replicationFactor = rf;
        return this;
    }

    public StorageSettings stopFlowAfterSeconds(int s) {
        stopFlowAfterSeconds = s;
        return this;
    }

    public StorageSettings embeddedDataDir(String d) {
        embeddedDataDir = d;
        return this;
    }
}
