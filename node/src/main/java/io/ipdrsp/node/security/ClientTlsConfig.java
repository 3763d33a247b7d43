package io.ipdrsp.node.security;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS from the node to a server it uses: {@code storage.tls} (Cassandra's client encryption) and
 * {@code cluster.zooKeeperTls} (ZooKeeper's secure client port). A trust store with the CA of the servers'
 * certificates, optionally a key store with this node's client certificate (servers that require one); JKS or
 * PKCS#12 files, passwords from Secrets.
 */
public final class ClientTlsConfig {
    @JsonProperty
    private boolean enabled;

    @NotNull
    @JsonProperty
    private String trustStore = "";

    @Valid
    @NotNull
    @JsonProperty
    private SecretRef trustStorePassword = new SecretRef();

    /** "" = no client certificate. */
    @NotNull
    @JsonProperty
    private String keyStore = "";

    @Valid
    @NotNull
    @JsonProperty
    private SecretRef keyStorePassword = new SecretRef();

    /** The server's certificate must name the host the node connects to. */
    @JsonProperty
    private boolean hostnameVerification = true;

    public boolean isEnabled() {
        return enabled;
    }

    public String getTrustStore() {
        return trustStore;
    }

    public boolean isHostnameVerification() {
        return hostnameVerification;
    }

    public ClientTlsConfig trust(String store, SecretRef password) {
        enabled = true;
        trustStore = store;
        trustStorePassword = password;
        return this;
    }

    /** ZooKeeper's client properties ({@code zookeeper.ssl.*}); empty when disabled. Reads the store passwords. */
    public Map<String, String> zooKeeperProperties(String key) {
        Map<String, String> p = new LinkedHashMap<>();
        if (!enabled) {
            return p;
        }
        p.put("zookeeper.client.secure", "true");
        p.put("zookeeper.clientCnxnSocket", "org.apache.zookeeper.ClientCnxnSocketNetty");
        p.put("zookeeper.ssl.hostnameVerification", Boolean.toString(hostnameVerification));
        p.put("zookeeper.ssl.trustStore.location", trustStore);
        if (trustStorePassword.isSet()) {
            p.put("zookeeper.ssl.trustStore.password", trustStorePassword.read(key + ".trustStorePassword"));
        }
        if (!keyStore.isBlank()) {
            p.put("zookeeper.ssl.keyStore.location", keyStore);
            p.put("zookeeper.ssl.keyStore.password", keyStorePassword.read(key + ".keyStorePassword"));
        }
        return p;
    }

    /** An SSLContext from the stores, or null when disabled. @throws IllegalStateException naming the key */
    public SSLContext sslContext(String key) {
        if (!enabled) {
            return null;
        }
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(load(key + ".trustStore", trustStore, trustStorePassword, key + ".trustStorePassword"));
            KeyManagerFactory kmf = null;
            if (!keyStore.isBlank()) {
                char[] pw = keyStorePassword.isSet() ? keyStorePassword.read(key + ".keyStorePassword").toCharArray()
                        : new char[0];
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(load(key + ".keyStore", keyStore, keyStorePassword, key + ".keyStorePassword"), pw);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(key + ": " + e.getMessage(), e);
        }
    }

    /** A JKS or PKCS#12 key store file (the JDK tells them apart). */
    static KeyStore load(String key, String file, SecretRef password, String passwordKey) {
        char[] pw = password.isSet() ? password.read(passwordKey).toCharArray() : null;
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            KeyStore ks = KeyStore.getInstance(file.endsWith(".jks") ? "JKS" : "PKCS12");
            ks.load(in, pw);
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(key + " " + file + " cannot be loaded (" + e.getMessage()
                    + "): check the path and its password", e);
        }
    }
}
