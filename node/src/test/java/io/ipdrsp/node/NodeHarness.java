package io.ipdrsp.node;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.testing.DropwizardTestSupport;
import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.launcher.Ports;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.StoredRecord;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.curator.test.TestingServer;

/**
 * A real node for tests: Dropwizard on free ports, the shared Cassandra process, an in-JVM ZooKeeper and a
 * Hazelcast member of a cluster of its own. One keyspace per harness instance.
 */
final class NodeHarness implements AutoCloseable {
    private static final AtomicInteger HZ_PORT = new AtomicInteger(16_000 + (int) (ProcessHandle.current().pid() % 200) * 10);
    private static TestingServer zk;

    final NodeConfiguration config;
    final String keyspace;
    private DropwizardTestSupport<NodeConfiguration> support;

    NodeHarness(String keyspace, List<ExporterConfig> exporters) throws Exception {
        this(keyspace, exporters, CassandraServer.shared());
    }

    NodeHarness(String keyspace, List<ExporterConfig> exporters, CassandraServer cassandra) throws Exception {
        this.keyspace = keyspace;
        this.config = new NodeConfiguration().exporters(exporters);
        config.getNode().id("node-" + keyspace).site("test");
        config.getListen().address("127.0.0.1").port(0).allow("127.0.0.1");
        config.getStorage().contactPoints(cassandra.contactPoint().getHostString() + ":" + cassandra.nativePort())
                .keyspace(keyspace).consistency("LOCAL_ONE").stopFlowAfterSeconds(30);
        config.getCluster().clusterName("it-" + keyspace + "-" + System.nanoTime()).hazelcastPort(HZ_PORT.getAndAdd(10))
                .hazelcastAddress("127.0.0.1").zooKeeper(zooKeeper());
        loopbackConnectors(config);
        TestUsers.configure(config.getSecurity());
        TestUsers.configure(config.getCluster());
    }

    /** Both HTTP connectors on loopback and free ports. */
    static void loopbackConnectors(NodeConfiguration config) {
        DefaultServerFactory server = (DefaultServerFactory) config.getServerFactory();
        for (HttpConnectorFactory c : List.of((HttpConnectorFactory) server.getApplicationConnectors().get(0),
                (HttpConnectorFactory) server.getAdminConnectors().get(0))) {
            c.setPort(0);
            c.setBindHost("127.0.0.1");
        }
    }

    static synchronized String zooKeeper() throws Exception {
        if (zk == null) {
            zk = new TestingServer(true);
        }
        return zk.getConnectString();
    }

    /** Finalizes documents within seconds (1 s passes and grace), so that a test sees their verdicts. */
    NodeHarness fastAudit() {
        config.getAudit().intervalSeconds(1).graceSeconds(1).idleTimeoutSeconds(3).recheckAfterSeconds(60);
        return this;
    }

    /**
     * One simulated CMTS from 127.0.0.1 dialing this started node (configured here as {@code listen}), with one event
     * session of {@code records} records at {@code rate} per second, acked every 50 records or second.
     */
    io.ipdrsp.simulator.FleetSpec dialingCmts(String cmts, double rate, long records) {
        return io.ipdrsp.simulator.FleetSpec.of(io.ipdrsp.simulator.CmtsSpec.of(cmts,
                io.ipdrsp.simulator.Direction.CONNECT,
                List.of(io.ipdrsp.simulator.CollectorSpec.at("127.0.0.1", listenPort(), 1)),
                List.of(io.ipdrsp.simulator.SessionSpec.event(1, io.ipdrsp.simulator.Templates.SAMIS_TYPE_1)
                        .withRate(rate).withAcks(50, 1).withRecords(records)))
                .withListen("127.0.0.1", 0).withKeepAlive(5).withReconnectDelay(Duration.ofMillis(200)));
    }

    NodeHarness start() throws Exception {
        support = new DropwizardTestSupport<>(NodeApplication.class, config);
        support.before();
        return this;
    }

    void stop() {
        if (support != null) {
            support.after();
            support = null;
        }
    }

    /** The running application's Dropwizard environment (resources, servlets, tasks). */
    io.dropwizard.core.setup.Environment environment() {
        return support.getEnvironment();
    }

    NodeServices services() {
        return ((NodeApplication) support.getApplication()).services();
    }

    int listenPort() {
        return services().listenPort();
    }

    int apiPort() {
        return support.getLocalPort();
    }

    int adminPort() {
        return support.getAdminPort();
    }

    /** GET on the admin port as {@code admin}: status code and body. */
    java.net.http.HttpResponse<String> admin(String path) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(TestUsers.request(
                        java.net.URI.create("http://127.0.0.1:" + adminPort() + path))
                        .timeout(Duration.ofSeconds(20)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** GET on the API port as {@code admin}: status code and body. */
    java.net.http.HttpResponse<String> api(String path) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(TestUsers.request(
                        java.net.URI.create("http://127.0.0.1:" + apiPort() + path)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    CassandraStorage storage() {
        return services().store().storage();
    }

    /** Stored records of one document (read back through the storage module): DSN → record bytes. */
    Map<Long, ByteBuffer> records(String exporter, int sessionId, UUID documentId, long bootTime) {
        Map<Long, ByteBuffer> out = new HashMap<>();
        try (var rows = storage().streamRecords(new RecordKey(exporter, sessionId, documentId, bootTime))) {
            rows.forEach((StoredRecord r) -> {
                if (out.put(r.seq(), r.data()) != null) {
                    throw new AssertionError("two rows for DSN " + r.seq());
                }
            });
        }
        return out;
    }

    /**
     * Every stored record version of this harness's keyspace (identical re-sends are one row; the pre-version
     * {@code records} table is counted too, empty unless written before migration 5).
     */
    long countRows() {
        long rows = 0;
        for (String table : new String[] {"record_versions", "records"}) {
            rows += storage().session().execute("SELECT count(*) FROM " + keyspace + "." + table).one().getLong(0);
        }
        return rows;
    }

    static int freePort() {
        return Ports.freePort("127.0.0.1");
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
