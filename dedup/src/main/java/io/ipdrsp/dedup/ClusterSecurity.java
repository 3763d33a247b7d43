package io.ipdrsp.dedup;

import java.util.Arrays;
import java.util.Map;

/**
 * What the collectors of a cluster share that nobody else has (docs/operations.md, "Security").
 *
 * @param memberSecret    key of the proof every Hazelcast member publishes ({@link MembershipGuard}); null: no proof is
 *                        asked for (a member alone on loopback, tests)
 * @param zooKeeperDigest "user:password" of the collectors' ZooKeeper digest identity: every session authenticates
 *                        with it and every znode of the project is created with an ACL that only it may use; null:
 *                        open ACLs (an embedded ZooKeeper nobody else reaches)
 * @param zooKeeperClient ZooKeeper client properties ({@code zookeeper.client.secure}, {@code zookeeper.ssl.*}) for TLS
 *                        to an external ensemble; empty: plain TCP
 */
public record ClusterSecurity(byte[] memberSecret, String zooKeeperDigest, Map<String, String> zooKeeperClient) {
    public ClusterSecurity {
        memberSecret = memberSecret == null ? null : memberSecret.clone();
        zooKeeperClient = Map.copyOf(zooKeeperClient);
    }

    /** No proof, open ACLs, plain TCP. */
    public static ClusterSecurity none() {
        return new ClusterSecurity(null, null, Map.of());
    }

    @Override
    public byte[] memberSecret() {
        return memberSecret == null ? null : memberSecret.clone();
    }

    @Override
    public String toString() {
        return "ClusterSecurity[memberProof=" + (memberSecret != null) + ", zooKeeperDigest="
                + (zooKeeperDigest != null) + ", zooKeeperClient=" + zooKeeperClient.keySet() + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterSecurity c && Arrays.equals(memberSecret, c.memberSecret)
                && java.util.Objects.equals(zooKeeperDigest, c.zooKeeperDigest)
                && zooKeeperClient.equals(c.zooKeeperClient);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(memberSecret) * 31 + java.util.Objects.hash(zooKeeperDigest, zooKeeperClient);
    }
}
