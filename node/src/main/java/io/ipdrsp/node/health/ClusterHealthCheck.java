package io.ipdrsp.node.health;

import com.codahale.metrics.health.HealthCheck;
import io.ipdrsp.dedup.ClusterMember;
import io.ipdrsp.node.NodeServices;
import java.time.Duration;
import java.util.List;

/**
 * Healthy while this node's Hazelcast cluster view holds every node of its site that the ZooKeeper registry lists as
 * alive. Otherwise <b>degraded</b> (unhealthy on {@code /healthcheck}; {@code /ready} ignores it: the node still
 * stores and acknowledges records): a split brain that has not healed, or a member being dropped. A difference must
 * last {@link #PERSIST} before it is reported, so that a node joining or leaving (Hazelcast and ZooKeeper learn of it
 * a moment apart) does not flap the check. With ZooKeeper unreachable the node cannot tell, and says so.
 */
public final class ClusterHealthCheck extends HealthCheck {
    static final Duration PERSIST = Duration.ofSeconds(5);

    private final NodeServices services;
    private long differentSinceNanos = -1;

    public ClusterHealthCheck(NodeServices services) {
        this.services = services;
    }

    @Override
    protected synchronized Result check() {
        ClusterMember c = services.cluster();
        if (c == null) {
            return Result.unhealthy("cluster membership not started");
        }
        if (!c.zooKeeperConnected()) {
            return Result.unhealthy("degraded: ZooKeeper not connected, the cluster view cannot be checked");
        }
        List<String> missing = c.missingFromHazelcastView();
        long now = System.nanoTime();
        if (missing.isEmpty()) {
            differentSinceNanos = -1;
            return Result.healthy(c.hazelcastMembers().size() + " Hazelcast member(s), every registered node of site "
                    + c.self().site() + " in view");
        }
        if (differentSinceNanos < 0) {
            differentSinceNanos = now;
        }
        if (now - differentSinceNanos < PERSIST.toNanos()) {
            return Result.healthy("Hazelcast view lacks " + missing + " for less than " + PERSIST.toSeconds() + " s");
        }
        return Result.unhealthy("degraded: the Hazelcast view lacks " + String.join(", ", missing)
                + ", alive in ZooKeeper for " + (now - differentSinceNanos) / 1_000_000_000L + " s (split brain not"
                + " healed yet, or a member being dropped)");
    }
}
