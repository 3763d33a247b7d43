package io.ipdrsp.dedup;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Real Hazelcast members in this JVM, configured exactly like a node's (ClusterMember.hazelcastConfig). */
final class HazelcastTestSupport {
    private HazelcastTestSupport() {
    }

    static Config config(String cluster, String nodeId, int port, List<String> members) {
        ClusterSettings s = new ClusterSettings(cluster, "127.0.0.1", port, members, "unused:1", "unused");
        Config c = ClusterMember.hazelcastConfig(s, new NodeInfo(nodeId, "site1", "127.0.0.1", -1, -1, ""));
        c.getNetworkConfig().setPortAutoIncrement(false);
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        c.setProperty("hazelcast.merge.first.run.delay.seconds", "1");
        c.setProperty("hazelcast.merge.next.run.delay.seconds", "1");
        return c;
    }

    static HazelcastInstance member(String cluster, String nodeId, int port, List<String> members) {
        return Hazelcast.newHazelcastInstance(config(cluster, nodeId, port, members));
    }

    /** A TCP port free right now on loopback (tests never use fixed ports: engineers share the machine). */
    static int freePort() {
        return io.ipdrsp.launcher.Ports.freePort("127.0.0.1");
    }

    static void await(String what, long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
