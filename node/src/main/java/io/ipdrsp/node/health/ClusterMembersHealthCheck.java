package io.ipdrsp.node.health;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheck;
import io.ipdrsp.dedup.ClusterMember;
import io.ipdrsp.dedup.MembershipGuard;
import io.ipdrsp.node.NodeServices;
import java.util.Set;

/**
 * {@code cluster-members} on /healthcheck, and the gauges {@code ipdr_cluster_unproven_members} and
 * {@code ipdr_cluster_shared_view_trusted}: a Hazelcast member that has not proven it holds the cluster secret is an
 * intruder (docs/operations.md, Security). Not part of /ready: the node keeps storing records, checking each one
 * against Cassandra, and a restart would not remove the intruder.
 */
public final class ClusterMembersHealthCheck extends HealthCheck {
    private final NodeServices services;

    private ClusterMembersHealthCheck(NodeServices services) {
        this.services = services;
    }

    public static ClusterMembersHealthCheck register(NodeServices services, MetricRegistry metrics) {
        ClusterMembersHealthCheck check = new ClusterMembersHealthCheck(services);
        metrics.register("ipdr.cluster.unproven_members", (Gauge<Integer>) () -> check.unproven().size());
        metrics.register("ipdr.cluster.shared_view_trusted", (Gauge<Integer>) () -> {
            ClusterMember c = services.cluster();
            return c == null || c.sharedViewTrusted() ? 1 : 0;
        });
        return check;
    }

    private Set<String> unproven() {
        ClusterMember c = services.cluster();
        MembershipGuard g = c == null ? null : c.membership();
        return g == null ? Set.of() : g.unproven();
    }

    @Override
    protected Result check() {
        Set<String> u = unproven();
        return u.isEmpty() ? Result.healthy()
                : Result.unhealthy("Hazelcast members without the cluster secret: " + u
                        + " (every record is checked against Cassandra until they are gone)");
    }
}
