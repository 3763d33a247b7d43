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
 * @param publicAddress the address other members use to reach this one ("host" or "host:port") when it differs from
 *                      the bind address (NAT, a proxy, a Kubernetes Service); "" = none (Hazelcast then still honours
 *                      {@code -Dhazelcast.local.publicAddress})
 * @param kubernetesServiceDns headless Service DNS name for Hazelcast's Kubernetes DNS discovery; "" = TCP-IP join
 *                      with {@code members}
 */
public record ClusterSettings(String clusterName, String bindAddress, int port, List<String> members,
                              String zooKeeper, String zkNamespace, String publicAddress,
                              String kubernetesServiceDns) {
    public ClusterSettings {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(bindAddress, "bindAddress");
        members = List.copyOf(members);
        Objects.requireNonNull(zooKeeper, "zooKeeper");
        Objects.requireNonNull(zkNamespace, "zkNamespace");
        Objects.requireNonNull(publicAddress, "publicAddress");
        Objects.requireNonNull(kubernetesServiceDns, "kubernetesServiceDns");
    }

    /** TCP-IP join without a public address. */
    public ClusterSettings(String clusterName, String bindAddress, int port, List<String> members, String zooKeeper,
                           String zkNamespace) {
        this(clusterName, bindAddress, port, members, zooKeeper, zkNamespace, "", "");
    }
}
