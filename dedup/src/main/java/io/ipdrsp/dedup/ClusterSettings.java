package io.ipdrsp.dedup;

import java.util.List;
import java.util.Objects;

/**
 * How a node joins its site's cluster.
 *
 * @param clusterName   Hazelcast cluster name (one per site); nodes with another name never merge
 * @param bindAddress   the interface Hazelcast binds to
 * @param port          first Hazelcast port to try (auto-incremented up to 10 ports)
 * @param members       TCP-IP join list, "host:port" each; empty = this member alone
 * @param zooKeeper     ZooKeeper connect string ("host:port,host:port")
 * @param zkNamespace   Curator namespace: every znode of the project lives below it
 */
public record ClusterSettings(String clusterName, String bindAddress, int port, List<String> members,
                              String zooKeeper, String zkNamespace) {
    public ClusterSettings {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(bindAddress, "bindAddress");
        members = List.copyOf(members);
        Objects.requireNonNull(zooKeeper, "zooKeeper");
        Objects.requireNonNull(zkNamespace, "zkNamespace");
    }
}
