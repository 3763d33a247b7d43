package io.ipdrsp.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.ipdrsp.node.config.ClusterConfig;
import io.ipdrsp.node.config.ConsistentNodeConfig;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.config.ListenConfig;
import io.ipdrsp.node.config.NodeIdentity;
import io.ipdrsp.node.config.StorageSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's YAML. Every key has a default so that the node starts without a file (embedded default: local
 * Cassandra, embedded ZooKeeper and Hazelcast, listening for CMTSes on 4737 from loopback).
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
