package io.ipdrsp.node.security;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.core.server.SimpleServerFactory;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.ipdrsp.node.NodeConfiguration;
import io.ipdrsp.node.config.NodeConfigChecks.Problem;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The configuration checks of issue 16: every listener's bind address is named (binding every interface is a
 * decision, not a default), and the HTTP connectors are authenticated unless {@code security.insecure} says
 * otherwise. The embedded default satisfies both by itself (loopback, generated credentials).
 */
public final class SecurityChecks {
    private static final String EXAMPLE = ", e.g. 0.0.0.0 (every interface) or 10.0.0.11";

    private SecurityChecks() {
    }

    public static void check(NodeConfiguration c, List<Problem> out) {
        if (c.getListen().isEnabled() && c.getListen().getAddress().isBlank()) {
            out.add(new Problem("listen.address", "is required: the local address CMTSes connect to" + EXAMPLE));
        }
        bindHosts(c.getServerFactory(), out);
        SecurityConfig s = c.getSecurity();
        if (s == null) {
            return;
        }
        if (!s.isInsecure() && s.getUsers().isEmpty() && !s.isGenerateCredentials()) {
            out.add(new Problem("security.users", "is required: list who may call the API and admin ports "
                    + "(docs/operations.md, Security), or set security.generateCredentials: true, or "
                    + "security.insecure: true to run without authentication"));
        }
        if (s.isInsecure() && (!s.getUsers().isEmpty() || s.isGenerateCredentials())) {
            out.add(new Problem("security.insecure", "is true but users are configured: remove security.insecure "
                    + "(or the users)"));
        }
        clusterSecrets(c, s, out);
        ipdrTls(c, out);
        var st = c.getStorage();
        if (!st.getUsername().isBlank() && !st.getPassword().isValid()) {
            out.add(new Problem("storage.password", "is required with storage.username: {file: PATH} or {env: NAME}"));
        }
        if (st.getTls().isEnabled() && st.getTls().getTrustStore().isBlank()) {
            out.add(new Problem("storage.tls.trustStore", "is required when storage.tls.enabled is true: the store "
                    + "with the CA of the Cassandra nodes' certificates"));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < s.getUsers().size(); i++) {
            UserConfig u = s.getUsers().get(i);
            String at = "security.users[" + i + "]";
            if (u == null || u.getName() == null) {
                continue; // bean validation reports it
            }
            if (!names.add(u.getName())) {
                out.add(new Problem(at + ".name", "'" + u.getName() + "' is listed twice: give every user one entry"));
            }
            boolean hash = u.getPasswordHash() != null && !u.getPasswordHash().isBlank();
            boolean ref = u.getPassword() != null && u.getPassword().isSet();
            if (hash == ref) {
                out.add(new Problem(at + ".passwordHash", "give exactly one of passwordHash (ipdr node hash-password)"
                        + " and password: {file: ...} or {env: ...}"));
            } else if (hash) {
                try {
                    PasswordHash.parse(u.getPasswordHash());
                } catch (IllegalArgumentException e) {
                    out.add(new Problem(at + ".passwordHash", e.getMessage()));
                }
            } else if (!u.getPassword().isValid()) {
                out.add(new Problem(at + ".password", "must be {file: PATH} or {env: NAME}, not both"));
            }
        }
    }

    private static void clusterSecrets(NodeConfiguration c, SecurityConfig s, List<Problem> out) {
        var cluster = c.getCluster();
        if (!cluster.getSecret().isSet() && !s.isGenerateCredentials()) {
            out.add(new Problem("cluster.secret", "is required: {file: PATH} or {env: NAME} of a secret shared by the "
                    + "collectors of the site (any process that knows the cluster name can join Hazelcast; the secret "
                    + "tells collectors from intruders), or security.generateCredentials: true"));
        } else if (cluster.getSecret().isSet() && !cluster.getSecret().isValid()) {
            out.add(new Problem("cluster.secret", "must be {file: PATH} or {env: NAME}, not both"));
        }
        if (!cluster.getZooKeeperDigest().isSet() && !s.isGenerateCredentials()) {
            out.add(new Problem("cluster.zooKeeperDigest", "is required: {file: PATH} or {env: NAME} holding "
                    + "user:password of the collectors' ZooKeeper identity (only it may change the project's "
                    + "znodes), or security.generateCredentials: true"));
        } else if (cluster.getZooKeeperDigest().isSet() && !cluster.getZooKeeperDigest().isValid()) {
            out.add(new Problem("cluster.zooKeeperDigest", "must be {file: PATH} or {env: NAME}, not both"));
        }
        if (cluster.getZooKeeperTls().isEnabled() && cluster.getZooKeeperTls().getTrustStore().isBlank()) {
            out.add(new Problem("cluster.zooKeeperTls.trustStore", "is required when cluster.zooKeeperTls.enabled "
                    + "is true: the store with the CA of the ensemble's certificates"));
        }
    }

    private static void ipdrTls(NodeConfiguration c, List<Problem> out) {
        IpdrTls l = c.getListen().getTls();
        if (l != null && l.isEnabled()) {
            if (l.getCertificate().isBlank() || l.getPrivateKey().isBlank()) {
                out.add(new Problem("listen.tls.certificate", "and listen.tls.privateKey are required when "
                        + "listen.tls.enabled is true: the node's PEM certificate chain and PKCS#8 key"));
            }
            if (l.getClientAuth() != io.netty.handler.ssl.ClientAuth.NONE && l.getTrustedCertificates().isBlank()) {
                out.add(new Problem("listen.tls.trustedCertificates", "is required with clientAuth "
                        + l.getClientAuth() + ": the PEM CA certificates that sign the CMTSes' client certificates"));
            }
        }
        for (int i = 0; i < c.getExporters().size(); i++) {
            var e = c.getExporters().get(i);
            if (e == null || e.getTls() == null || !e.getTls().isEnabled()) {
                continue;
            }
            if (e.getDirection() == io.ipdrsp.node.config.Direction.LISTEN) {
                out.add(new Problem("exporters[" + i + "].tls", "applies to direction 'connect' only: a CMTS that "
                        + "dials in uses listen.tls"));
            } else if (e.getTls().getTrustedCertificates().isBlank()) {
                out.add(new Problem("exporters[" + i + "].tls.trustedCertificates", "is required: the PEM CA "
                        + "certificates that sign the CMTS's certificate"));
            }
        }
    }

    private static void bindHosts(ServerFactory server, List<Problem> out) {
        if (server instanceof DefaultServerFactory d) {
            connectors("server.applicationConnectors", d.getApplicationConnectors(), "the API", out);
            connectors("server.adminConnectors", d.getAdminConnectors(), "the admin port", out);
        } else if (server instanceof SimpleServerFactory s && s.getConnector() instanceof HttpConnectorFactory h
                && blank(h.getBindHost())) {
            out.add(new Problem("server.connector.bindHost", "is required: the address the API and admin paths "
                    + "listen on" + EXAMPLE));
        }
    }

    private static void connectors(String key, List<ConnectorFactory> list, String what, List<Problem> out) {
        for (int i = 0; list != null && i < list.size(); i++) {
            if (list.get(i) instanceof HttpConnectorFactory h && blank(h.getBindHost())) {
                out.add(new Problem(key + "[" + i + "].bindHost", "is required: the address " + what + " listens on"
                        + EXAMPLE));
            }
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
