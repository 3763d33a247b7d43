package io.ipdrsp.dedup;

import static io.ipdrsp.dedup.HazelcastTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.ipdrsp.launcher.ZooKeeperServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.Test;

/** Issue 16 on the cluster side: Hazelcast binds one interface, rogue members are detected, znodes are collectors-only. */
class ClusterSecurityTest {
    private static final byte[] SECRET = "a cluster secret from a Kubernetes Secret".getBytes(StandardCharsets.UTF_8);

    private static ClusterSettings settings(String cluster, int port, List<String> members, String zk) {
        return new ClusterSettings(cluster, "127.0.0.1", port, members, zk, "ipdr-sec");
    }

    @Test
    void hazelcastListensOnlyOnItsBindAddress() throws Exception {
        try (ZooKeeperServer zk = ZooKeeperServer.startEmbedded(Files.createTempDirectory("zk-bind-"), 0);
             ClusterMember m = ClusterMember.join(settings("bind-" + System.nanoTime(), 15_901, List.of(),
                     zk.connectString()), "s", "a", "a", 10_000)) {
            int port = m.hazelcast().getCluster().getLocalMember().getAddress().getPort();
            assertThat(connects("127.0.0.1", port)).as("the bind address 127.0.0.1:%d", port).isTrue();
            // 127.0.0.2 is this machine too (the whole 127/8 is loopback): a socket bound to every interface answers
            assertThat(connects("127.0.0.2", port)).as("another local address, 127.0.0.2:%d", port).isFalse();
        }
    }

    private static boolean connects(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    @Test
    void aMemberWithoutTheSecretIsDetectedAndDistrustedUntilItLeaves() throws Exception {
        String cluster = "rogue-" + System.nanoTime();
        List<String> members = List.of("127.0.0.1:15911", "127.0.0.1:15912");
        ClusterSecurity secure = new ClusterSecurity(SECRET, null, Map.of());
        try (ZooKeeperServer zk = ZooKeeperServer.startEmbedded(Files.createTempDirectory("zk-rogue-"), 0);
             ClusterMember a = ClusterMember.join(settings(cluster, 15_911, members, zk.connectString()),
                     new NodeInfo("a", "s", "127.0.0.1", -1, -1, "a"), 10_000, secure);
             ClusterMember b = ClusterMember.join(settings(cluster, 15_912, members, zk.connectString()),
                     new NodeInfo("b", "s", "127.0.0.1", -1, -1, "b"), 10_000, secure)) {
            await("two proven members", 30_000, () -> a.hazelcast().getCluster().getMembers().size() == 2
                    && a.sharedViewTrusted() && b.sharedViewTrusted());
            assertThat(a.membership().unproven()).isEmpty();

            // a process that knows the cluster name and a member's address, but not the secret: Hazelcast lets it in
            Config rogueConfig = new Config().setClusterName(cluster).setInstanceName("rogue-" + System.nanoTime());
            rogueConfig.setProperty("hazelcast.phone.home.enabled", "false");
            rogueConfig.getMemberAttributeConfig().setAttribute(ClusterMember.ATTR_NODE_ID, "a");
            rogueConfig.getNetworkConfig().setPort(15_913).setPortAutoIncrement(false);
            rogueConfig.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
            rogueConfig.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
            rogueConfig.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(members);
            HazelcastInstance rogue = Hazelcast.newHazelcastInstance(rogueConfig);
            try {
                UUID rogueId = rogue.getCluster().getLocalMember().getUuid();
                assertThat(a.hazelcast().getCluster().getMembers()).hasSize(3);
                // it replays a collector's published proof as its own: the proof names the collector's UUID
                UUID aId = a.hazelcast().getCluster().getLocalMember().getUuid();
                var proofs = rogue.<UUID, String>getReplicatedMap(MembershipGuard.PROOFS);
                await("the rogue sees the collectors' proofs", 20_000, () -> proofs.get(aId) != null);
                proofs.put(rogueId, proofs.get(aId));
                await("both collectors stop trusting the shared view", 10_000,
                        () -> !a.sharedViewTrusted() && !b.sharedViewTrusted());
                await("the alarm on both collectors", 40_000, () -> a.membership().unproven().stream()
                        .anyMatch(u -> u.startsWith(rogueId.toString()))
                        && b.membership().unproven().stream().anyMatch(u -> u.startsWith(rogueId.toString())));
                assertThat(a.membership().alarms()).isEqualTo(1);
                assertThat(a.sharedViewTrusted()).as("still distrusted while it is there").isFalse();
            } finally {
                rogue.shutdown();
            }
            await("trusted again once the rogue is gone", 30_000, () -> a.sharedViewTrusted() && b.sharedViewTrusted()
                    && a.membership().unproven().isEmpty() && b.membership().unproven().isEmpty());
        }
    }

    @Test
    void onlyCollectorsMayChangeTheProjectsZnodes() throws Exception {
        Path dir = Files.createTempDirectory("zk-acl-");
        String digest = "ipdr-collector:zk-password-from-a-secret";
        try (ZooKeeperServer zk = ZooKeeperServer.startEmbedded(dir, 0);
             CuratorFramework anonymous = CuratorFrameworkFactory.newClient(zk.connectString(), new RetryOneTime(100))) {
            anonymous.start();
            // left over by a node that ran without authentication: open to the world
            anonymous.create().creatingParentsIfNeeded().forPath("/ipdr-sec/fencing/old-cmts", "old".getBytes());
            try (ClusterMember m = ClusterMember.join(settings("acl-" + System.nanoTime(), 15_921, List.of(),
                    zk.connectString()), new NodeInfo("a", "s", "127.0.0.1", -1, -1, "a"), 10_000,
                    new ClusterSecurity(null, digest, Map.of()))) {
                m.leadership().setExporters(List.of("cmts-1"));
                await("leadership of cmts-1 with a fencing token", 30_000, () -> m.leadership().isLeader("cmts-1"));
                String fence = "/ipdr-sec/fencing/cmts-1";
                String leaders = "/ipdr-sec/leaders/cmts-1";
                CuratorFramework collector = CuratorFrameworkFactory.builder().connectString(zk.connectString())
                        .retryPolicy(new RetryOneTime(100)).authorization("digest", digest.getBytes()).build();
                collector.start();
                assertThatThrownBy(() -> anonymous.getChildren().forPath(leaders)).as("list the leader's latch")
                        .isInstanceOf(KeeperException.NoAuthException.class);
                String latch = leaders + "/" + collector.getChildren().forPath(leaders).get(0);

                for (String path : List.of(fence, "/ipdr-sec/fencing/old-cmts", latch, "/ipdr-sec/nodes/s/a")) {
                    assertThatThrownBy(() -> anonymous.setData().forPath(path, "x".getBytes())).as("set %s", path)
                            .isInstanceOf(KeeperException.NoAuthException.class);
                    assertThatThrownBy(() -> anonymous.getData().forPath(path)).as("read %s", path)
                            .isInstanceOf(KeeperException.NoAuthException.class);
                }
                assertThatThrownBy(() -> anonymous.delete().forPath(latch)).as("delete the leader's latch node")
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> anonymous.create().forPath(leaders + "/latch-rogue")).as("queue for leadership")
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> anonymous.create().forPath("/ipdr-sec/fencing/new")).as("create a fence")
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThat(m.leadership().isLeader("cmts-1")).as("still the leader").isTrue();

                assertThat(new String(collector.getData().forPath(fence))).as("a collector reads it").isEqualTo("a");
                collector.close();
            }
        }
    }
}
