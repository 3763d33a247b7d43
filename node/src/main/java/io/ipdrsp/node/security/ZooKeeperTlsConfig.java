package io.ipdrsp.node.security;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code cluster.zooKeeperTls:} — TLS to an external ZooKeeper ensemble (its {@code secureClientPort}). The
 * ZooKeeper client's own properties ({@code zookeeper.ssl.*}) are set from these keys; stores are JKS or PKCS#12 files.
 */
public final class ZooKeeperTlsConfig {
    @JsonProperty
    private boolean enabled;

    /** The CA(s) that signed the ensemble's certificates. */
    @NotNull
    @JsonProperty
    private String trustStore = "";

    @Valid
    @NotNull
    @JsonProperty
    private SecretRef trustStorePassword = new SecretRef();

    /** This node's client certificate, for ensembles that require one ({@code ssl.clientAuth=need}); "" = none. */
    @NotNull
    @JsonProperty
    private String keyStore = "";

    @Valid
    @NotNull
    @JsonProperty
    private SecretRef keyStorePassword = new SecretRef();

    @JsonProperty
    private boolean hostnameVerification = true;

    public boolean isEnabled() {
        return enabled;
    }

    public String getTrustStore() {
        return trustStore;
    }

    /** The ZooKeeper client properties; empty when disabled. Reads the store passwords. */
    public Map<String, String> clientProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        if (!enabled) {
            return p;
        }
        p.put("zookeeper.client.secure", "true");
        p.put("zookeeper.clientCnxnSocket", "org.apache.zookeeper.ClientCnxnSocketNetty");
        p.put("zookeeper.ssl.hostnameVerification", Boolean.toString(hostnameVerification));
        p.put("zookeeper.ssl.trustStore.location", trustStore);
        if (trustStorePassword.isSet()) {
            p.put("zookeeper.ssl.trustStore.password", trustStorePassword.read("cluster.zooKeeperTls.trustStorePassword"));
        }
        if (!keyStore.isBlank()) {
            p.put("zookeeper.ssl.keyStore.location", keyStore);
            p.put("zookeeper.ssl.keyStore.password", keyStorePassword.read("cluster.zooKeeperTls.keyStorePassword"));
        }
        return p;
    }
}
