package io.ipdrsp.dedup;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's membership in its site's cluster: an embedded Hazelcast member (hot shared state) and a Curator
 * client with an ephemeral registry entry {@code /nodes/<site>/<nodeId>} holding its {@link NodeInfo} (the
 * linearizable part), plus per-exporter {@link ExporterLeadership}.
 *
 * <p>ZooKeeper is not needed for ingest: {@link #join} waits up to its timeout for a first connection and then goes
 * on without it (the registry entry is created as soon as ZooKeeper answers; {@link #zooKeeperConnected()} tells a
 * health check). Leadership, and so the once-per-CMTS work, waits for ZooKeeper.
 */
public final class ClusterMember implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMember.class);
    /** Hazelcast member attributes carrying the registry identity. */
    static final String ATTR_NODE_ID = "ipdr.nodeId";
    static final String ATTR_SITE = "ipdr.site";

    private final HazelcastInstance hazelcast;
    private final CuratorFramework curator;
    private final PersistentNode registration;
    private final CuratorCache nodes;
    private final ExporterLeadership leadership;
    private final StreamRegistry streams;
    private final NodeInfo self;
    /** Null when the cluster has no member secret (no proofs asked for). */
    private final MembershipGuard guard;

    private ClusterMember(HazelcastInstance hazelcast, CuratorFramework curator, PersistentNode registration,
            CuratorCache nodes, ExporterLeadership leadership, StreamRegistry streams, NodeInfo self,
            MembershipGuard guard) {
        this.hazelcast = hazelcast;
        this.curator = curator;
        this.registration = registration;
        this.nodes = nodes;
        this.leadership = leadership;
        this.streams = streams;
        this.self = self;
        this.guard = guard;
    }

    /** As {@link #join(ClusterSettings, NodeInfo, long)} with only a description (host = Hazelcast bind address). */
    public static ClusterMember join(ClusterSettings settings, String site, String nodeId, String description,
                                     long zkTimeoutMillis) throws InterruptedException {
        return join(settings, new NodeInfo(nodeId, site, settings.bindAddress(), -1, -1, description),
                zkTimeoutMillis);
    }

    private static final Object ASYNC_LOCK = new Object();
    private static boolean asyncPooled;

    /**
     * Hazelcast completes its futures' async callbacks on the common ForkJoinPool, but when that pool's parallelism is
     * below 2 (a JVM that sees 2 CPUs or fewer: a small pod, the bench machine) on a new thread per callback — about
     * 0.9 ms of CPU per Hazelcast call instead of 0.04 ms (docs/performance.md "Cluster"). Such JVMs get two pooled
     * daemon threads instead. Hazelcast's setting is JVM-wide and internal API, hence once and guarded.
     */
    static void pooledAsyncCallbacks() {
        synchronized (ASYNC_LOCK) {
            if (asyncPooled || java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() > 1) {
                return;
            }
            java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
            com.hazelcast.internal.util.ConcurrencyUtil.setDefaultAsyncExecutor(
                    java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
                        Thread t = new Thread(r, "ipdr-hz-async-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    }));
            asyncPooled = true;
        }
    }

    /**
     * Starts Hazelcast, connects to ZooKeeper (waiting up to {@code zkTimeoutMillis} for a first connection, then
     * going on without it), registers the node and starts the leadership watcher (no exporters yet: see
     * {@link ExporterLeadership#setExporters}).
     */
    public static ClusterMember join(ClusterSettings settings, NodeInfo self, long zkTimeoutMillis)
            throws InterruptedException {
        return join(settings, self, zkTimeoutMillis, ClusterSecurity.none());
    }

    /**
     * As {@link #join(ClusterSettings, NodeInfo, long)}, with the cluster's secrets: members prove themselves (see
     * {@link MembershipGuard}), ZooKeeper sessions authenticate and the project's znodes get the collectors' ACL.
     */
    public static ClusterMember join(ClusterSettings settings, NodeInfo self, long zkTimeoutMillis,
            ClusterSecurity security) throws InterruptedException {
        pooledAsyncCallbacks();
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(hazelcastConfig(settings, self));
        CuratorFramework curator = null;
        MembershipGuard guard = null;
        try {
            if (security.memberSecret() != null) {
                guard = MembershipGuard.start(hz, security.memberSecret(), 15_000);
            }
            curator = curator(settings, zkTimeoutMillis, security);
            curator.start();
            if (!curator.blockUntilConnected((int) zkTimeoutMillis, TimeUnit.MILLISECONDS)) {
                LOG.warn("ZooKeeper at {} not reachable within {} ms: ingesting without registry and leadership"
                        + " until it is", settings.zooKeeper(), zkTimeoutMillis);
            } else if (security.zooKeeperDigest() != null) {
                ZooKeeperAcls.forDigest(security.zooKeeperDigest()).secureExistingTree(curator);
            }
            PersistentNode node = new PersistentNode(curator, CreateMode.EPHEMERAL, false,
                    "/nodes/" + self.site() + "/" + self.nodeId(), self.encode());
            node.start();
            if (curator.getZookeeperClient().isConnected()) {
                node.waitForInitialCreate(zkTimeoutMillis, TimeUnit.MILLISECONDS);
            }
            CuratorCache nodes = CuratorCache.build(curator, "/nodes");
            nodes.start();
            ExporterLeadership leadership = new ExporterLeadership(curator, self.site(), self.nodeId()).start();
            return new ClusterMember(hz, curator, node, nodes, leadership, new HazelcastStreamRegistry(hz, 120), self,
                    guard);
        } catch (RuntimeException | InterruptedException e) {
            if (curator != null) {
                curator.close();
            }
            if (guard != null) {
                guard.close();
            }
            hz.shutdown();
            throw e;
        } catch (Exception e) {
            curator.close();
            if (guard != null) {
                guard.close();
            }
            hz.shutdown();
            throw new IllegalStateException("cannot register node in ZooKeeper: " + e.getMessage(), e);
        }
    }

    /** The Curator client: with the collectors' digest identity and ACLs, and TLS properties, when configured. */
    private static CuratorFramework curator(ClusterSettings settings, long zkTimeoutMillis, ClusterSecurity security) {
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
                .connectString(settings.zooKeeper())
                .namespace(settings.zkNamespace())
                .retryPolicy(new ExponentialBackoffRetry(200, 10))
                .sessionTimeoutMs(15_000)
                .connectionTimeoutMs((int) Math.min(Integer.MAX_VALUE, zkTimeoutMillis));
        if (security.zooKeeperDigest() != null) {
            b.authorization("digest", ZooKeeperAcls.authBytes(security.zooKeeperDigest()))
                    .aclProvider(ZooKeeperAcls.forDigest(security.zooKeeperDigest()));
        }
        if (!security.zooKeeperClient().isEmpty()) {
            org.apache.zookeeper.client.ZKClientConfig zk = new org.apache.zookeeper.client.ZKClientConfig();
            security.zooKeeperClient().forEach(zk::setProperty);
            b.zkClientConfig(zk);
        }
        return b.build();
    }

    static Config hazelcastConfig(ClusterSettings s, String nodeId) {
        return hazelcastConfig(s, new NodeInfo(nodeId, "default", s.bindAddress(), -1, -1, ""));
    }

    static Config hazelcastConfig(ClusterSettings s, NodeInfo self) {
        Config c = new Config().setClusterName(s.clusterName())
                .setInstanceName("ipdr-" + self.nodeId() + "-" + System.nanoTime());
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.logging.type", "slf4j");
        c.setProperty("hazelcast.shutdownhook.enabled", "false"); // the node stops it in order
        // no Management Center and no JMX reader here (the node exports its own metrics): Hazelcast's collection cycle
        // every 5 s was a fifth of an idle member's CPU, which on shared cores comes out of Cassandra's share
        // (docs/performance.md "Cluster"); its health monitor reads its probes directly and still logs
        c.getMetricsConfig().setEnabled(false);
        healing(c);
        c.getMemberAttributeConfig().setAttribute(ATTR_NODE_ID, self.nodeId());
        c.getMemberAttributeConfig().setAttribute(ATTR_SITE, self.site());
        c.getNetworkConfig().setPort(s.port()).setPortAutoIncrement(true).setPortCount(10);
        c.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(s.bindAddress());
        // the interface list only picks the address Hazelcast announces; without this it still listens on every
        // interface (issue 16: '*:5701' although the bind address was 127.0.0.1)
        c.setProperty("hazelcast.socket.bind.any", "false");
        if (!s.publicAddress().isBlank()) {
            c.getNetworkConfig().setPublicAddress(s.publicAddress().trim());
        }
        JoinConfig j = c.getNetworkConfig().getJoin();
        j.getMulticastConfig().setEnabled(false);
        j.getAutoDetectionConfig().setEnabled(false);
        if (!s.kubernetesServiceDns().isBlank()) {
            // DNS mode: the headless Service lists the ready pods; no RBAC needed (recipes §3)
            j.getTcpIpConfig().setEnabled(false);
            j.getKubernetesConfig().setEnabled(true).setProperty("service-dns", s.kubernetesServiceDns().trim());
        } else {
            j.getTcpIpConfig().setEnabled(true);
        }
        if (!s.kubernetesServiceDns().isBlank()) {
            // members come from DNS
        } else if (s.members().isEmpty()) {
            j.getTcpIpConfig().addMember(s.bindAddress());
        } else {
            s.members().forEach(m -> j.getTcpIpConfig().addMember(m));
        }
        // range sets: changed only by entry processors, so keep them as objects (no (de)serialization per call);
        // merged by union after a split brain; an idle document's entry expires (rebuilt from Cassandra if needed)
        MapConfig ranges = new MapConfig(RecordDeduplicator.RANGES_MAP).setInMemoryFormat(InMemoryFormat.OBJECT)
                .setBackupCount(1).setMaxIdleSeconds((int) TimeUnit.HOURS.toSeconds(6));
        ranges.getMergePolicyConfig().setPolicy(UnionMergePolicy.class.getName());
        c.addMapConfig(ranges);
        c.addMapConfig(new MapConfig(RecordDeduplicator.PRIMARY_MAP).setBackupCount(1)
                .setMaxIdleSeconds((int) TimeUnit.DAYS.toSeconds(2)));
        return c;
    }

    /**
     * Failure detection and split-brain healing in seconds (docs/operations.md "Hazelcast healing"). Hazelcast's
     * defaults — a member silent for 60 s is dropped, the first split-brain merge check 300 s after start and then every
     * 120 s — left members frozen by SIGSTOP/SIGCONT in single-node clusters for ~290 s after the last fault. Here:
     * heartbeats every second, a member silent for 10 s is dropped (under the ZooKeeper session timeout of 15 s, so the
     * registry and the cluster view disagree only briefly), and the merge check runs 5 s after start and every 5 s.
     * Each value can be overridden with the Hazelcast system property of the same name ({@code -Dhazelcast...}).
     */
    static final java.util.Map<String, String> HEALING = java.util.Map.of(
            "hazelcast.heartbeat.interval.seconds", "1",
            "hazelcast.max.no.heartbeat.seconds", "10",
            "hazelcast.merge.first.run.delay.seconds", "5",
            "hazelcast.merge.next.run.delay.seconds", "5");

    private static void healing(Config c) {
        HEALING.forEach((name, value) -> {
            if (System.getProperty(name) == null) { // a config property would hide the system property
                c.setProperty(name, value);
            }
        });
    }

    /**
     * Nodes of this site that the ZooKeeper registry lists as alive but this member's Hazelcast view lacks: non-empty
     * while a split brain has not healed (or a member is being dropped). Non-blocking (the registry is cached).
     */
    public List<String> missingFromHazelcastView() {
        java.util.Set<String> inView = new java.util.HashSet<>();
        hazelcastMembers().forEach(m -> inView.add(m.nodeId()));
        List<String> out = new ArrayList<>();
        for (NodeInfo n : zooKeeperMembers()) {
            if (n.site().equals(self.site()) && !inView.contains(n.nodeId())) {
                out.add(n.nodeId());
            }
        }
        return out;
    }

    public HazelcastInstance hazelcast() {
        return hazelcast;
    }

    public CuratorFramework curator() {
        return curator;
    }

    public StreamRegistry streams() {
        return streams;
    }

    public ExporterLeadership leadership() {
        return leadership;
    }

    public NodeInfo self() {
        return self;
    }

    /**
     * False while a Hazelcast member has not proven it is a collector (see {@link MembershipGuard}); dedup then checks
     * every record against Cassandra. Always true without a member secret.
     */
    public boolean sharedViewTrusted() {
        return guard == null || guard.trusted();
    }

    /** The member checks, or null without a member secret. */
    public MembershipGuard membership() {
        return guard;
    }

    public boolean zooKeeperConnected() {
        return curator.getZookeeperClient().isConnected();
    }

    /** Nodes currently registered at a site (their ids). Synchronous ZooKeeper read: not for event loops. */
    public List<String> registeredNodes(String site) throws Exception {
        return curator.getChildren().forPath("/nodes/" + site);
    }

    /**
     * Every registered node of every site, from a local cache of the ZooKeeper registry (non-blocking; the last known
     * view while ZooKeeper is unreachable). For /api/cluster.
     */
    public List<NodeInfo> zooKeeperMembers() {
        List<NodeInfo> out = new ArrayList<>();
        for (ChildData d : nodes.stream().toList()) {
            String[] p = d.getPath().split("/");
            if (p.length == 4 && p[1].equals("nodes")) { // "", nodes, site, id
                out.add(NodeInfo.decode(p[2], p[3], d.getData()));
            }
        }
        out.sort(Comparator.comparing(NodeInfo::site).thenComparing(NodeInfo::nodeId));
        return out;
    }

    /** A member of this site's Hazelcast cluster. */
    public record HazelcastMember(String nodeId, String site, String address, boolean local) {
    }

    /** The members of this site's Hazelcast cluster as this member sees them. For /api/cluster. */
    public List<HazelcastMember> hazelcastMembers() {
        List<HazelcastMember> out = new ArrayList<>();
        for (Member m : hazelcast.getCluster().getMembers()) {
            out.add(new HazelcastMember(String.valueOf(m.getAttribute(ATTR_NODE_ID)),
                    String.valueOf(m.getAttribute(ATTR_SITE)), m.getAddress().getHost() + ":" + m.getAddress().getPort(),
                    m.localMember()));
        }
        return out;
    }

    @Override
    public void close() {
        if (guard != null) {
            guard.close();
        }
        streams.close();
        boolean connected = zooKeeperConnected();
        if (!connected) {
            // every graceful delete below would retry for minutes against a dead ensemble; closing the session is
            // enough: the server drops our ephemeral znodes when the session expires
            curator.close();
        }
        leadership.close();
        nodes.close();
        try {
            registration.close();
        } catch (java.io.IOException | RuntimeException e) {
            LOG.debug("registry entry not deleted ({}); the session close removes it", e.toString());
        }
        if (connected) {
            curator.close();
        }
        hazelcast.shutdown();
    }
}
