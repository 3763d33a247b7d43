package io.ipdrsp.node;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.lifecycle.Managed;
import io.ipdrsp.dedup.ClusterMember;
import io.ipdrsp.dedup.ClusterSettings;
import io.ipdrsp.dedup.DeduplicatingSink;
import io.ipdrsp.dedup.DedupSettings;
import io.ipdrsp.dedup.NodeInfo;
import io.ipdrsp.dedup.RecordDeduplicator;
import io.ipdrsp.dedup.StreamRegistry;
import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.launcher.ZooKeeperServer;
import io.ipdrsp.node.config.ClusterConfig;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.config.ExporterNaming;
import io.ipdrsp.node.config.FleetConfig;
import io.ipdrsp.node.config.StorageSettings;
import io.ipdrsp.node.fleet.ExporterDirectory;
import io.ipdrsp.node.fleet.InventoryWatcher;
import io.ipdrsp.node.security.ClusterSecrets;
import io.ipdrsp.node.session.DocumentIndex;
import io.ipdrsp.node.session.ExporterState;
import io.ipdrsp.node.session.RecordPathMetrics;
import io.ipdrsp.node.session.SessionLayer;
import io.ipdrsp.node.store.NodeStorage;
import io.ipdrsp.node.transport.NodeTransport;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
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
    private RecordDeduplicator dedup;
    private SessionLayer sessions;
    private NodeTransport transport;
    private InventoryWatcher inventory;
    private final ExporterDirectory directory;
    private volatile io.ipdrsp.node.security.TlsReloader tls;
    private volatile int listenPort = -1;

    public NodeServices(NodeConfiguration config, MetricRegistry registry) {
        this.config = config;
        this.metrics = new RecordPathMetrics(registry);
        this.directory = new ExporterDirectory(config.getExporters().stream().map(ExporterConfig::getName).toList());
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
            cassandra = CassandraServer.builder(dir).durable(true).nativePort(st.getEmbeddedNativePort()).start();
            contact.add(cassandra.contactPoint());
            LOG.info("local Cassandra: CQL at {}:{} (storage.embeddedNativePort)",
                    cassandra.contactPoint().getHostString(), cassandra.nativePort());
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
            zooKeeper = ZooKeeperServer.startEmbedded(dir, cc.getEmbeddedZooKeeperPort());
            zk = zooKeeper.connectString();
            LOG.info("no cluster.zooKeeper: embedded ZooKeeper at {} (data {}, cluster.embeddedZooKeeperPort)", zk, dir);
        }
        String publicAddress = cc.getPublicAddress().trim();
        String host = publicAddress.isEmpty() ? System.getProperty("hazelcast.local.publicAddress", "") : publicAddress;
        host = host.isBlank() ? cc.getHazelcastAddress() : hostOf(host.trim());
        NodeInfo self = new NodeInfo(config.getNode().getId(), config.getNode().getSite(), host, apiPort(),
                config.getListen().isEnabled() ? config.getListen().getPort() : -1, "node " + config.getNode().getId());
        cluster = ClusterMember.join(new ClusterSettings(cc.getClusterName(), cc.getHazelcastAddress(),
                cc.getHazelcastPort(), cc.getMembers(), zk, cc.getZkNamespace(), publicAddress,
                cc.kubernetesServiceDns()), self, 20_000, ClusterSecrets.of(cc, config.getSecurity()));
        // the once-per-CMTS work (finalization, spooling) is led per configured exporter; a node that does not
        // finalize must not contend, or it could win a CMTS's leadership and nobody would finalize its documents
        if (config.getAudit().isFinalize()) {
            // every CMTS this node collects: listed, from the inventory, admitted by range (as they connect)
            directory.leadBy(cluster.leadership()::setExporters);
        }
        // a conflict's alarm is recorded once by a lightweight transaction: SERIAL when a CMTS's collectors span sites
        dedup = RecordDeduplicator.start(config.getNode().getId(), cluster.hazelcast(), store.storage(),
                store.writer(), DedupSettings.defaults().withSerialConsistency(
                        config.getAudit().toSettings().serialConsistency()));
        metrics.bind(dedup.metrics());
        dedup.setSharedViewTrusted(cluster::sharedViewTrusted); // a member without the cluster secret: check every record
        sessions = SessionLayer.start(config.getNode(), st, new DeduplicatingSink(dedup, store.writer()), store,
                cluster.streams(), documents, metrics);
        tls = io.ipdrsp.node.security.TlsReloader.start(config.getListen(), config.getExporters());
        transport = new NodeTransport(sessions.context(), config.getListen(), config.getFleet(), directory,
                config.getExporters(), Math.max(2, Runtime.getRuntime().availableProcessors()));
        FleetConfig fleet = config.getFleet();
        if (!fleet.getInventoryFile().isBlank()) {
            inventory = new InventoryWatcher(Path.of(fleet.getInventoryFile().trim()),
                    ExporterNaming.parse(fleet.getNameTemplate()), fleet.getKeepAliveSeconds(),
                    directory.configured(), transport::inventory)
                    .start(Duration.ofSeconds(fleet.getInventoryReloadSeconds()));
        }
        listenPort = transport.start();
    }

    @Override
    public void stop() {
        if (inventory != null) {
            inventory.close();
            inventory = null;
        }
        directory.close();
        if (transport != null) {
            transport.close();
            transport = null;
        }
        if (tls != null) {
            tls.close();
            tls = null;
        }
        if (sessions != null) {
            sessions.close(); // the segment ends of the connections just closed, while storage is still open
            sessions = null;
        }
        if (dedup != null) {
            dedup.close(); // publishes the last durable ranges while Hazelcast is still up
            dedup = null;
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

    /** The IPDR/SP TLS contexts (null before start). */
    public io.ipdrsp.node.security.TlsReloader tls() {
        return tls;
    }

    /** Every CMTS this node collects: listed, from the inventory, admitted by range. */
    public ExporterDirectory directory() {
        return directory;
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

    /** The duplicate guard of the record path (null before start). */
    public RecordDeduplicator dedup() {
        return dedup;
    }

    /** "host:port", "[v6]:port" or "host" → host. */
    static String hostOf(String address) {
        if (address.startsWith("[")) {
            int end = address.indexOf(']');
            return end > 0 ? address.substring(1, end) : address;
        }
        int colon = address.lastIndexOf(':');
        return colon > 0 && address.indexOf(':') == colon ? address.substring(0, colon) : address;
    }

    /** The configured HTTP API port (registry entry; -1 when not a fixed HTTP port). */
    private int apiPort() {
        try {
            if (config.getServerFactory() instanceof io.dropwizard.core.server.DefaultServerFactory d) {
                for (io.dropwizard.jetty.ConnectorFactory c : d.getApplicationConnectors()) {
                    if (c instanceof io.dropwizard.jetty.HttpConnectorFactory h) {
                        return h.getPort();
                    }
                }
            } else if (config.getServerFactory() instanceof io.dropwizard.core.server.SimpleServerFactory s
                    && s.getConnector() instanceof io.dropwizard.jetty.HttpConnectorFactory h) {
                return h.getPort();
            }
        } catch (RuntimeException e) {
            LOG.debug("API port unknown: {}", e.toString());
        }
        return -1;
    }

    public RecordPathMetrics metrics() {
        return metrics;
    }

    public NodeConfiguration config() {
        return config;
    }
}
