package io.ipdrsp.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;

/** {@code cluster:} — Hazelcast (embedded member) and ZooKeeper. */
public final class ClusterConfig {
    @NotBlank(message = "is required: one Hazelcast cluster name per site, e.g. ipdr-dc1")
    @JsonProperty
    private String clusterName = "ipdr-local";

    /** No default in a configuration file: the cluster interface must be named (the embedded default: loopback). */
    @NotBlank(message = "is required: the interface Hazelcast binds to (and only that one), e.g. 10.0.0.11 or the pod IP")
    @JsonProperty
    private String hazelcastAddress = "";

    @Min(value = 1, message = "must be a TCP port 1..65535 (Hazelcast default 5701)")
    @Max(value = 65535, message = "must be a TCP port 1..65535 (Hazelcast default 5701)")
    @JsonProperty
    private int hazelcastPort = 5701;

    /**
     * The address other members reach this one at ("host" or "host:port"), when it is not the bind address (NAT,
     * a proxy, a per-pod Service). "" = the bind address; {@code -Dhazelcast.local.publicAddress} also works.
     */
    @NotNull(message = "must be host or host:port other Hazelcast members reach this node at, or \"\" (the bind address)")
    @JsonProperty
    private String publicAddress = "";

    /** Hazelcast discovery through a Kubernetes headless Service instead of the {@code members} list. */
    @jakarta.validation.Valid
    @NotNull(message = "must be an object {enabled: true|false, serviceDns: <headless service DNS name>}")
    @JsonProperty
    private Kubernetes kubernetes = new Kubernetes();

    /** {@code cluster.kubernetes:} — Hazelcast's Kubernetes DNS discovery (no RBAC needed). */
    public static final class Kubernetes {
        @JsonProperty
        private boolean enabled;

        /** e.g. ipdr-collector-hz.ipdr.svc.cluster.local (a headless Service: clusterIP None). */
        @NotNull(message = "must be the headless Service's DNS name, e.g. <svc>.<namespace>.svc.cluster.local")
        @JsonProperty
        private String serviceDns = "";

        public boolean isEnabled() {
            return enabled;
        }

        public String getServiceDns() {
            return serviceDns;
        }

        public Kubernetes enabled(boolean e, String dns) {
            enabled = e;
            serviceDns = dns;
            return this;
        }
    }

    /** Other members, "host:port" each (TCP-IP join); empty = a cluster of one. */
    @NotNull(message = "must be a list of host:port, or [] for a single member")
    @JsonProperty
    private List<String> members = new ArrayList<>();

    /** ZooKeeper connect string; empty = start an embedded ZooKeeper (single node only). */
    @NotNull(message = "must be a connect string host:port[,host:port], or \"\" for an embedded ZooKeeper")
    @JsonProperty
    private String zooKeeper = "";

    /**
     * Key of the proof every Hazelcast member gives that it is a collector (a Secret's file or variable; the same on
     * every node of the site). Required unless security.generateCredentials generates one.
     */
    @jakarta.validation.Valid
    @NotNull(message = "must be {file: PATH} or {env: NAME}")
    @JsonProperty
    private io.ipdrsp.node.security.SecretRef secret = new io.ipdrsp.node.security.SecretRef();

    /**
     * "user:password" of the collectors' ZooKeeper digest identity (a Secret's file or variable; the same on every
     * node of every site sharing the ensemble). Required unless security.generateCredentials generates one.
     */
    @jakarta.validation.Valid
    @NotNull(message = "must be {file: PATH} or {env: NAME}")
    @JsonProperty
    private io.ipdrsp.node.security.SecretRef zooKeeperDigest = new io.ipdrsp.node.security.SecretRef();

    @jakarta.validation.Valid
    @NotNull(message = "must be {enabled: true|false, trustStore: ..., ...}")
    @JsonProperty
    private io.ipdrsp.node.security.ClientTlsConfig zooKeeperTls = new io.ipdrsp.node.security.ClientTlsConfig();

    public io.ipdrsp.node.security.SecretRef getSecret() {
        return secret;
    }

    public io.ipdrsp.node.security.SecretRef getZooKeeperDigest() {
        return zooKeeperDigest;
    }

    public io.ipdrsp.node.security.ClientTlsConfig getZooKeeperTls() {
        return zooKeeperTls;
    }

    public ClusterConfig secrets(io.ipdrsp.node.security.SecretRef memberSecret,
            io.ipdrsp.node.security.SecretRef zooKeeperDigest) {
        this.secret = memberSecret;
        this.zooKeeperDigest = zooKeeperDigest;
        return this;
    }

    @NotBlank(message = "is required: the Curator namespace, e.g. ipdr")
    @JsonProperty
    private String zkNamespace = "ipdr";

    @NotBlank(message = "is required: directory of the embedded ZooKeeper's data")
    @JsonProperty
    private String embeddedZooKeeperDir = "var/zookeeper";

    /** Client port of the embedded ZooKeeper (zooKeeper: ""), on 127.0.0.1; 0 = a free port at each start. */
    @Min(value = 0, message = "must be 0 (a free port) or a TCP port 1..65535 for the embedded ZooKeeper")
    @Max(value = 65535, message = "must be 0 (a free port) or a TCP port 1..65535 for the embedded ZooKeeper")
    @JsonProperty
    private int embeddedZooKeeperPort = 0;

    public int getEmbeddedZooKeeperPort() {
        return embeddedZooKeeperPort;
    }

    public ClusterConfig embeddedZooKeeperPort(int p) {
        embeddedZooKeeperPort = p;
        return this;
    }

    public String getClusterName() {
        return clusterName;
    }

    public String getHazelcastAddress() {
        return hazelcastAddress;
    }

    public int getHazelcastPort() {
        return hazelcastPort;
    }

    public List<String> getMembers() {
        return members;
    }

    public String getPublicAddress() {
        return publicAddress;
    }

    public Kubernetes getKubernetes() {
        return kubernetes;
    }

    /** The service DNS name when Kubernetes discovery is enabled, else "". */
    public String kubernetesServiceDns() {
        return kubernetes.isEnabled() ? kubernetes.getServiceDns().trim() : "";
    }

    public ClusterConfig publicAddress(String a) {
        publicAddress = a;
        return this;
    }

    public String getZooKeeper() {
        return zooKeeper;
    }

    public String getZkNamespace() {
        return zkNamespace;
    }

    public String getEmbeddedZooKeeperDir() {
        return embeddedZooKeeperDir;
    }

    public ClusterConfig clusterName(String n) {
        clusterName = n;
        return this;
    }

    public ClusterConfig hazelcastAddress(String a) {
        hazelcastAddress = a;
        return this;
    }

    public ClusterConfig hazelcastPort(int p) {
        hazelcastPort = p;
        return this;
    }

    public ClusterConfig zooKeeper(String z) {
        zooKeeper = z;
        return this;
    }

    public ClusterConfig embeddedZooKeeperDir(String d) {
        embeddedZooKeeperDir = d;
        return this;
    }
}
