package io.ipdrsp.dedup;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;

/**
 * This node's membership in its site's cluster: an embedded Hazelcast member (hot shared state) and a Curator
 * client with an ephemeral registry entry {@code /nodes/<site>/<nodeId>} (the linearizable part). The registry
 * entry carries the node's description so that operators and, later, leadership can see who is alive.
 */
public final class ClusterMember implements AutoCloseable {
    private final HazelcastInstance hazelcast;
    private final CuratorFramework curator;
    private final PersistentNode registration;
    private final StreamRegistry streams;

    private ClusterMember(HazelcastInstance hazelcast, CuratorFramework curator, PersistentNode registration,
                          StreamRegistry streams) {
        this.hazelcast = hazelcast;
        this.curator = curator;
        this.registration = registration;
        this.streams = streams;
    }

    /**
     * Starts Hazelcast, connects to ZooKeeper (waiting up to {@code zkTimeoutMillis}) and registers the node.
     *
     * @throws IllegalStateException if ZooKeeper cannot be reached in time (the node must not run unregistered)
     */
    public static ClusterMember join(ClusterSettings settings, String site, String nodeId, String description,
                                     long zkTimeoutMillis) throws InterruptedException {
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(hazelcastConfig(settings, nodeId));
        CuratorFramework curator = null;
        try {
            curator = CuratorFrameworkFactory.builder()
                    .connectString(settings.zooKeeper())
                    .namespace(settings.zkNamespace())
                    .retryPolicy(new ExponentialBackoffRetry(200, 10))
                    .sessionTimeoutMs(15_000)
                    .connectionTimeoutMs((int) Math.min(Integer.MAX_VALUE, zkTimeoutMillis))
                    .build();
            curator.start();
            if (!curator.blockUntilConnected((int) zkTimeoutMillis, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("ZooKeeper at " + settings.zooKeeper() + " not reachable within "
                        + zkTimeoutMillis + " ms");
            }
            PersistentNode node = new PersistentNode(curator, CreateMode.EPHEMERAL, false,
                    "/nodes/" + site + "/" + nodeId, description.getBytes(StandardCharsets.UTF_8));
            node.start();
            node.waitForInitialCreate(zkTimeoutMillis, TimeUnit.MILLISECONDS);
            return new ClusterMember(hz, curator, node, new HazelcastStreamRegistry(hz, 120));
        } catch (RuntimeException | InterruptedException e) {
            if (curator != null) {
                curator.close();
            }
            hz.shutdown();
            throw e;
        } catch (Exception e) {
            curator.close();
            hz.shutdown();
            throw new IllegalStateException("cannot register node in ZooKeeper: " + e.getMessage(), e);
        }
    }

    static Config hazelcastConfig(ClusterSettings s, String nodeId) {
        Config c = new Config().setClusterName(s.clusterName()).setInstanceName("ipdr-" + nodeId + "-" + System.nanoTime());
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.logging.type", "slf4j");
        c.setProperty("hazelcast.shutdownhook.enabled", "false"); // the node stops it in order
        c.getNetworkConfig().setPort(s.port()).setPortAutoIncrement(true).setPortCount(10);
        c.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(s.bindAddress());
        JoinConfig j = c.getNetworkConfig().getJoin();
        j.getMulticastConfig().setEnabled(false);
        j.getAutoDetectionConfig().setEnabled(false);
        j.getTcpIpConfig().setEnabled(true);
        if (s.members().isEmpty()) {
            j.getTcpIpConfig().addMember(s.bindAddress());
        } else {
            s.members().forEach(m -> j.getTcpIpConfig().addMember(m));
        }
        return c;
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

    /** Nodes currently registered at a site (their ids). */
    public java.util.List<String> registeredNodes(String site) throws Exception {
        return curator.getChildren().forPath("/nodes/" + site);
    }

    @Override
    public void close() {
        streams.close();
        try {
            registration.close();
        } catch (java.io.IOException ignored) {
            // the session close below removes the ephemeral node anyway
        }
        curator.close();
        hazelcast.shutdown();
    }
}
