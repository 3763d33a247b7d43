package io.ipdrsp.node.audit;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.testing.DropwizardTestSupport;
import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.launcher.TcpProxy;
import io.ipdrsp.node.NodeApplication;
import io.ipdrsp.node.NodeConfiguration;
import io.ipdrsp.node.TestUsers;
import io.ipdrsp.node.api.AuditServices;
import io.ipdrsp.node.config.ExporterConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.TestingServer;

/**
 * A real node for the audit scenarios (the style of the node tests' NodeHarness): Dropwizard on free ports, the shared
 * Cassandra process, one in-JVM ZooKeeper for all nodes, and a Hazelcast cluster per site. Nodes of one test share a
 * keyspace; nodes of different sites share only Cassandra and ZooKeeper, as two sites would.
 */
final class AuditNode implements AutoCloseable {
    private static final AtomicInteger HZ_PORT = new AtomicInteger(17_000 + (int) (ProcessHandle.current().pid() % 200) * 10);
    private static TestingServer zk;

    final NodeConfiguration config;
    private DropwizardTestSupport<NodeConfiguration> support;

    AuditNode(String keyspace, String nodeId, String site, List<ExporterConfig> exporters) throws Exception {
        CassandraServer cassandra = CassandraServer.shared();
        config = new NodeConfiguration().exporters(exporters);
        config.getNode().id(nodeId).site(site);
        config.getListen().address("127.0.0.1").port(0).allow("127.0.0.1");
        config.getStorage().contactPoints(cassandra.contactPoint().getHostString() + ":" + cassandra.nativePort())
                .keyspace(keyspace).consistency("LOCAL_ONE").stopFlowAfterSeconds(30);
        config.getCluster().clusterName("it-" + keyspace + "-" + site + "-" + System.nanoTime())
                .hazelcastPort(HZ_PORT.getAndAdd(10)).hazelcastAddress("127.0.0.1").zooKeeper(zooKeeper());
        config.getAudit().intervalSeconds(1).graceSeconds(1).idleTimeoutSeconds(3).recheckAfterSeconds(4);
        DefaultServerFactory server = (DefaultServerFactory) config.getServerFactory();
        for (HttpConnectorFactory c : List.of((HttpConnectorFactory) server.getApplicationConnectors().get(0),
                (HttpConnectorFactory) server.getAdminConnectors().get(0))) {
            c.setPort(0);
            c.setBindHost("127.0.0.1");
        }
        TestUsers.configure(config.getSecurity());
        TestUsers.configure(config.getCluster());
    }

    /** Reach Cassandra at {@code hostPort} instead (e.g. through a {@code TcpProxy} that can stall the path). */
    AuditNode cassandraAt(String hostPort) {
        config.getStorage().contactPoints(hostPort);
        return this;
    }

    /** A node that never finalizes (and so never contends for a CMTS's leadership). */
    AuditNode finalizing(boolean on) {
        config.getAudit().finalize(on);
        return this;
    }

    static synchronized String zooKeeper() throws Exception {
        if (zk == null) {
            zk = new TestingServer(true);
        }
        return zk.getConnectString();
    }

    AuditNode start() throws Exception {
        support = new DropwizardTestSupport<>(NodeApplication.class, config);
        support.before();
        return this;
    }

    String id() {
        return config.getNode().getId();
    }

    NodeApplication app() {
        return (NodeApplication) support.getApplication();
    }

    int listenPort() {
        return app().services().listenPort();
    }

    String apiBase() {
        return "http://127.0.0.1:" + support.getLocalPort();
    }

    AuditServices audit() {
        return app().auditServices();
    }

    String get(String pathAndQuery) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(TestUsers.request(
                URI.create(apiBase() + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + pathAndQuery + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    byte[] getBytes(String pathAndQuery) throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(TestUsers.request(
                URI.create(apiBase() + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + pathAndQuery + " -> " + r.statusCode());
        }
        return r.body();
    }

    @Override
    public void close() {
        if (support != null) {
            support.after();
            support = null;
        }
    }
}
