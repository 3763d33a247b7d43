package io.ipdrsp.node;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.lifecycle.Managed;
import io.ipdrsp.dedup.ClusterMember;
import io.ipdrsp.dedup.ClusterSettings;
import io.ipdrsp.dedup.StreamRegistry;
import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.launcher.ZooKeeperServer;
import io.ipdrsp.node.config.ClusterConfig;
import io.ipdrsp.node.config.StorageSettings;
import io.ipdrsp.node.session.DocumentIndex;
import io.ipdrsp.node.session.ExporterState;
import io.ipdrsp.node.session.NodeContext;
import io.ipdrsp.node.session.RecordPathMetrics;
import io.ipdrsp.node.session.PausedConnections;
import io.ipdrsp.node.store.NodeStorage;
import io.ipdrsp.node.transport.NodeTransport;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the node runs besides Jetty, started and stopped in dependency order: local Cassandra and ZooKeeper
 * (only when none is configured), the record store, the cluster membership (Hazelcast + Curator) and the IPDR/SP
 * transport. Stopping it stops exactly what it started, so no process is left behind.
 */
public final class NodeServices implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(NodeServices.class);

    private final NodeConfiguration config;
    private final RecordPathMetrics metrics;
    private final DocumentIndex documents = new DocumentIndex();
    private CassandraServer cassandra;
    private ZooKeeperServer zooKeeper;
    private NodeStorage store;
    private ClusterMember cluster;
    private NodeTransport transport;
    private volatile int listenPort = -1;

    public NodeServices(NodeConfiguration config, MetricRegistry registry) {
        this.config = config;
        this.metrics = new RecordPathMetrics(registry);
    }

    @Override
    public void start() throws Exception {
        try {
            startAll();
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    private void startAll() throws Exception {
        StorageSettings st = config.getStorage();
        List<InetSocketAddress> contact = new ArrayList<>();
        if (st.getContactPoints().isEmpty()) {
            Path dir = Path.of(st.getEmbeddedDataDir()).toAbsolutePath();
            LOG.info("no storage.contactPoints: starting a local Cassandra with its data in {}", dir);
            cassandra = CassandraServer.builder(dir).durable(true).start();
            contact.add(cassandra.contactPoint());
        } else {
            for (String hp : st.getContactPoints()) {
                int colon = hp.lastIndexOf(':');
                contact.add(InetSocketAddress.createUnresolved(hp.substring(0, colon).trim(),
                        Integer.parseInt(hp.substring(colon + 1).trim())));
            }
        }
        store = NodeStorage.open(contact, st, config.getNode().getId());
        ClusterConfig cc = config.getCluster();
        String zk = cc.getZooKeeper();
        if (zk.isBlank()) {
            Path dir = Path.of(cc.getEmbeddedZooKeeperDir()).toAbsolutePath();
            zooKeeper = ZooKeeperServer.startEmbedded(dir, 0);
            zk = zooKeeper.connectString();
            LOG.info("no cluster.zooKeeper: embedded ZooKeeper at {} (data {})", zk, dir);
        }
        cluster = ClusterMember.join(new ClusterSettings(cc.getClusterName(), cc.getHazelcastAddress(),
                cc.getHazelcastPort(), cc.getMembers(), zk, cc.getZkNamespace()), config.getNode().getSite(),
                config.getNode().getId(), "node " + config.getNode().getId(), 20_000);
        NodeContext ctx = new NodeContext(config.getNode(), st, store, cluster.streams(), documents, metrics,
                new PausedConnections(store.writer()), System::nanoTime);
        transport = new NodeTransport(ctx, config.getListen(), config.getExporters(),
                Math.max(2, Runtime.getRuntime().availableProcessors()));
        listenPort = transport.start();
    }

    @Override
    public void stop() {
        if (transport != null) {
            transport.close();
            transport = null;
        }
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
        if (store != null) {
            store.close();
            store = null;
        }
        if (zooKeeper != null) {
            zooKeeper.stop();
            zooKeeper = null;
        }
        if (cassandra != null) {
            cassandra.stop();
            cassandra = null;
        }
    }

    /** The IPDR/SP port CMTSes dial, or -1. */
    public int listenPort() {
        return listenPort;
    }

    public Collection<ExporterState> exporters() {
        NodeTransport t = transport;
        return t == null ? List.of() : t.exporters();
    }

    public DocumentIndex documents() {
        return documents;
    }

    /** The storage module's handle and the record writer (null before start). */
    public NodeStorage store() {
        return store;
    }

    public StreamRegistry streams() {
        ClusterMember c = cluster;
        return c == null ? null : c.streams();
    }

    public ClusterMember cluster() {
        return cluster;
    }

    public RecordPathMetrics metrics() {
        return metrics;
    }

    public NodeConfiguration config() {
        return config;
    }
}
