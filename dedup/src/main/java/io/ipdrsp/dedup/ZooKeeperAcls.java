package io.ipdrsp.dedup;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ZooKeeper access for the collectors only: every Curator session authenticates with the collectors' digest identity,
 * and every znode of the project (registry, candidates, leaders, fencing) carries an ACL that grants everything to
 * that identity and nothing to anybody else, so no other client can read them, fake a leader or bump a fencing token.
 */
final class ZooKeeperAcls implements ACLProvider {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperAcls.class);
    private final List<ACL> acl;

    private ZooKeeperAcls(List<ACL> acl) {
        this.acl = acl;
    }

    /** @param digest "user:password" */
    static ZooKeeperAcls forDigest(String digest) {
        if (digest.indexOf(':') <= 0) {
            throw new IllegalArgumentException("the ZooKeeper digest must be user:password");
        }
        try {
            // not List.of: ZooKeeper asks the list contains(null), which immutable lists answer with an NPE
            return new ZooKeeperAcls(java.util.Collections.singletonList(new ACL(ZooDefs.Perms.ALL,
                    new Id("digest", DigestAuthenticationProvider.generateDigest(digest)))));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA1 is part of every JDK", e);
        }
    }

    static byte[] authBytes(String digest) {
        return digest.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public List<ACL> getDefaultAcl() {
        return acl;
    }

    @Override
    public List<ACL> getAclForPath(String path) {
        return acl;
    }

    /**
     * Puts the collectors' ACL on the namespace node and everything below it that still has another one (a tree left
     * by a node without authentication, or a namespace node somebody created first). Only possible where the old ACL
     * grants ADMIN to this session; a node it cannot change is logged.
     */
    void secureExistingTree(CuratorFramework namespaced) throws Exception {
        CuratorFramework root = namespaced.usingNamespace(null);
        String top = "/" + namespaced.getNamespace();
        if (root.checkExists().forPath(top) != null) {
            secure(root, top);
        }
    }

    private void secure(CuratorFramework root, String path) throws Exception {
        try {
            if (!root.getACL().forPath(path).equals(acl)) {
                root.setACL().withACL(acl).forPath(path);
                LOG.info("ZooKeeper {}: ACL restricted to the collectors", path);
            }
            for (String child : root.getChildren().forPath(path)) {
                secure(root, path + "/" + child);
            }
        } catch (KeeperException.NoAuthException e) {
            LOG.error("ZooKeeper {} has an ACL this node may not change: delete it as a ZooKeeper admin so that the"
                    + " collectors recreate it with their ACL", path);
        } catch (KeeperException.NoNodeException gone) {
            // deleted meanwhile
        }
    }
}
