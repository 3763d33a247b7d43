package io.ipdrsp.node.security;

import io.ipdrsp.dedup.ClusterSecurity;
import io.ipdrsp.node.config.ClusterConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The cluster's secrets for {@link io.ipdrsp.dedup.ClusterMember}: the member-proof key ({@code cluster.secret}), the
 * collectors' ZooKeeper identity ({@code cluster.zooKeeperDigest}, "user:password"), ZooKeeper TLS. With
 * {@code security.generateCredentials} a missing secret is generated in {@code security.credentialsDir}, which every
 * node of a one-machine cluster shares (the embedded default, the demo).
 */
public final class ClusterSecrets {
    static final String ZOOKEEPER_USER = "ipdr-collector";

    private ClusterSecrets() {
    }

    public static ClusterSecurity of(ClusterConfig cluster, SecurityConfig security) {
        Path dir = Path.of(security.getCredentialsDir()).toAbsolutePath();
        byte[] memberSecret = null;
        if (cluster.getSecret().isSet()) {
            memberSecret = cluster.getSecret().read("cluster.secret").getBytes(StandardCharsets.UTF_8);
        } else if (security.isGenerateCredentials()) {
            memberSecret = GeneratedCredentials.loadOrCreateSecret(dir.resolve("cluster.secret"))
                    .getBytes(StandardCharsets.UTF_8);
        }
        String digest = null;
        if (cluster.getZooKeeperDigest().isSet()) {
            digest = cluster.getZooKeeperDigest().read("cluster.zooKeeperDigest");
            if (digest.indexOf(':') <= 0) {
                throw new IllegalStateException("cluster.zooKeeperDigest must hold user:password");
            }
        } else if (security.isGenerateCredentials()) {
            digest = ZOOKEEPER_USER + ":" + GeneratedCredentials.loadOrCreateSecret(dir.resolve("zookeeper.secret"));
        }
        return new ClusterSecurity(memberSecret, digest, cluster.getZooKeeperTls().zooKeeperProperties("cluster.zooKeeperTls"));
    }
}
