package io.ipdrsp.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.ipdrsp.node.config.ClusterConfig;
import io.ipdrsp.node.config.ConsistentNodeConfig;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.config.ListenConfig;
import io.ipdrsp.node.config.NodeIdentity;
import io.ipdrsp.node.config.StorageSettings;
import io.ipdrsp.node.security.SecurityConfig;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's YAML. Almost every key has a default; the bind addresses and the security section have none that a
 * configuration file could rely on (NodeConfigChecks names what is missing). Without a file the node runs
 * {@link #embeddedDefault()}: local Cassandra, embedded ZooKeeper and Hazelcast, every port on loopback, generated
 * credentials.
 */
@ConsistentNodeConfig
public class NodeConfiguration extends Configuration {
    @Valid
    @NotNull(message = "is required: a node section with id and site")
    @JsonProperty
    private NodeIdentity node = new NodeIdentity();

    @Valid
    @NotNull(message = "must be a list of CMTSes (may be [])")
    @JsonProperty
    private List<ExporterConfig> exporters = new ArrayList<>();

    @Valid
    @NotNull(message = "is required: a listen section with address, port and allow")
    @JsonProperty
    private ListenConfig listen = new ListenConfig();

    @Valid
    @NotNull(message = "is required: a storage section (contactPoints: [] runs a local Cassandra)")
    @JsonProperty
    private StorageSettings storage = new StorageSettings();

    @Valid
    @NotNull(message = "is required: a cluster section (an empty one means embedded Hazelcast and ZooKeeper)")
    @JsonProperty
    private ClusterConfig cluster = new ClusterConfig();

    @Valid
    @NotNull(message = "must be an audit section (may be empty: defaults)")
    @JsonProperty
    private io.ipdrsp.node.config.AuditConfig audit = new io.ipdrsp.node.config.AuditConfig();

    public io.ipdrsp.node.config.AuditConfig getAudit() {
        return audit;
    }

    @Valid
    @NotNull(message = "must be an export section (may be empty: defaults)")
    @JsonProperty
    private io.ipdrsp.node.config.ExportConfig export = new io.ipdrsp.node.config.ExportConfig();

    public io.ipdrsp.node.config.ExportConfig getExport() {
        return export;
    }

    @Valid
    @NotNull(message = "must be a fleet section (may be empty: defaults)")
    @JsonProperty
    private io.ipdrsp.node.config.FleetConfig fleet = new io.ipdrsp.node.config.FleetConfig();

    /** CMTSes without a line under exporters: admitted by listen.allow, or listed in an inventory file. */
    public io.ipdrsp.node.config.FleetConfig getFleet() {
        return fleet;
    }

    @Valid
    @NotNull(message = "must be a security section: users, generateCredentials or insecure (docs/operations.md)")
    @JsonProperty
    private SecurityConfig security = new SecurityConfig();

    public SecurityConfig getSecurity() {
        return security;
    }

    /**
     * What {@code ipdr node} runs without a file: every listener on loopback only, and credentials generated on first
     * start (HTTP Basic even there: other local users and browsers' cross-site requests are callers too).
     */
    public static NodeConfiguration embeddedDefault() {
        NodeConfiguration c = new NodeConfiguration();
        c.listen.address("127.0.0.1");
        c.cluster.hazelcastAddress("127.0.0.1");
        if (c.getServerFactory() instanceof DefaultServerFactory d) {
            d.getApplicationConnectors().forEach(f -> ((HttpConnectorFactory) f).setBindHost("127.0.0.1"));
            d.getAdminConnectors().forEach(f -> ((HttpConnectorFactory) f).setBindHost("127.0.0.1"));
        }
        c.security.generateCredentials(true, "var/security");
        return c;
    }

    /**
     * The embedded default with both connectors on HTTPS (ports 8443 and 8444), their certificate self-signed on first
     * start into {@code var/security/https.p12}, whose password is generated next to it.
     */
    public static NodeConfiguration embeddedDefaultHttps() {
        NodeConfiguration c = embeddedDefault();
        String password = io.ipdrsp.node.security.GeneratedCredentials.loadOrCreateSecret(
                java.nio.file.Path.of("var", "security", "https.password"));
        if (c.getServerFactory() instanceof DefaultServerFactory d) {
            d.setApplicationConnectors(java.util.List.of(https(8443, password)));
            d.setAdminConnectors(java.util.List.of(https(8444, password)));
        }
        c.security.generateCertificate(true);
        return c;
    }

    private static io.dropwizard.jetty.HttpsConnectorFactory https(int port, String password) {
        io.dropwizard.jetty.HttpsConnectorFactory h = new io.dropwizard.jetty.HttpsConnectorFactory();
        h.setPort(port);
        h.setBindHost("127.0.0.1");
        h.setKeyStorePath("var/security/https.p12");
        h.setKeyStorePassword(password);
        h.setKeyStoreType("PKCS12");
        return h;
    }

    public NodeIdentity getNode() {
        return node;
    }

    public List<ExporterConfig> getExporters() {
        return exporters;
    }

    public ListenConfig getListen() {
        return listen;
    }

    public StorageSettings getStorage() {
        return storage;
    }

    public ClusterConfig getCluster() {
        return cluster;
    }

    public NodeConfiguration exporters(List<ExporterConfig> e) {
        exporters = new ArrayList<>(e);
        return this;
    }
}
