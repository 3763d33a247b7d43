package io.ipdrsp.node.security;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IPDR/SP over TLS (SP 2.1 §7 leaves security to the transport): {@code listen.tls} for the port CMTSes dial, and
 * {@code exporters[i].tls} for a CMTS the node dials. PEM files: the node's certificate chain and PKCS#8 key, the CA
 * certificates it trusts for the peer. The context is rebuilt when a file changes ({@link #reloadIfChanged}, every
 * {@code reloadSeconds} and on the admin task {@code reload-tls}); connections opened after that use the new one,
 * open connections keep theirs. A reload that fails keeps the previous context and says why.
 */
public final class IpdrTls {
    private static final Logger LOG = LoggerFactory.getLogger(IpdrTls.class);

    @JsonProperty
    private boolean enabled;

    /** PEM certificate chain of this node (required for listen.tls; for exporters[i].tls only with mutual TLS). */
    @NotNull
    @JsonProperty
    private String certificate = "";

    /** PEM PKCS#8 private key of {@code certificate}. */
    @NotNull
    @JsonProperty
    private String privateKey = "";

    /** Password of an encrypted private key; omitted for an unencrypted one. */
    @Valid
    @NotNull
    @JsonProperty
    private SecretRef privateKeyPassword = new SecretRef();

    /** PEM CA certificates that sign the peers' certificates (CMTS client certificates, or the CMTS's server one). */
    @NotNull
    @JsonProperty
    private String trustedCertificates = "";

    /** listen.tls: none, optional or require a client certificate signed by trustedCertificates (mutual TLS). */
    @NotNull
    @JsonProperty
    private ClientAuth clientAuth = ClientAuth.NONE;

    /** exporters[i].tls: the CMTS's certificate must name the address dialled. */
    @JsonProperty
    private boolean hostnameVerification = true;

    @NotNull
    @JsonProperty
    private List<String> protocols = new ArrayList<>(List.of("TLSv1.3", "TLSv1.2"));

    /** Empty: the JDK's defaults for those protocols (forward-secret AEAD suites first). */
    @NotNull
    @JsonProperty
    private List<String> ciphers = new ArrayList<>();

    @Min(value = 0, message = "must be 0 (only on the reload-tls task) or more seconds")
    @JsonProperty
    private int reloadSeconds = 60;

    private volatile SslContext context;
    private volatile long stamp;
    private boolean server;
    private String key = "tls";

    public boolean isEnabled() {
        return enabled;
    }

    public String getCertificate() {
        return certificate;
    }

    public String getPrivateKey() {
        return privateKey;
    }

    public String getTrustedCertificates() {
        return trustedCertificates;
    }

    public ClientAuth getClientAuth() {
        return clientAuth;
    }

    public int getReloadSeconds() {
        return reloadSeconds;
    }

    /** For tests and programmatic configuration. */
    public IpdrTls files(String certificatePem, String privateKeyPem, String trustedPem) {
        enabled = true;
        certificate = certificatePem;
        privateKey = privateKeyPem;
        trustedCertificates = trustedPem;
        return this;
    }

    public IpdrTls clientAuth(ClientAuth auth) {
        clientAuth = auth;
        return this;
    }

    public IpdrTls reloadSeconds(int s) {
        reloadSeconds = s;
        return this;
    }

    /**
     * Builds the first context (at start: a bad file stops the node, naming the key).
     *
     * @param asServer listen.tls (true) or exporters[i].tls (false)
     * @param yamlKey  the key for messages, e.g. "listen.tls"
     */
    public synchronized void load(boolean asServer, String yamlKey) {
        server = asServer;
        key = yamlKey;
        try {
            stamp = stamp();
            context = build();
        } catch (SSLException | RuntimeException e) {
            throw new IllegalStateException(key + ": " + e.getMessage(), e);
        }
    }

    /** Rebuilds the context when a file changed since the last build. Returns true when it did. */
    public synchronized boolean reloadIfChanged() {
        if (!enabled || context == null) {
            return false;
        }
        long now = stamp();
        if (now == stamp) {
            return false;
        }
        try {
            context = build();
            stamp = now;
            LOG.info("{}: certificates reloaded; new connections use them", key);
            return true;
        } catch (SSLException | RuntimeException e) {
            stamp = now; // do not retry a broken set every interval; the next change is tried again
            LOG.error("{}: certificates not reloaded, the previous ones stay in use: {}", key, e.getMessage());
            return false;
        }
    }

    /** Puts TLS first in a new connection's pipeline when enabled (see {@link #newHandler}); nothing otherwise. */
    public void addTo(Channel ch, String peerHost, int peerPort) {
        if (enabled) {
            ch.pipeline().addLast("tls", newHandler(peerHost, peerPort));
        }
    }

    /**
     * The handler that puts TLS under the IPDR/SP pipeline of a new connection: the SslHandler and a guard that
     * closes the connection when the handshake fails (a plain client, an untrusted certificate).
     *
     * @param peerHost the address dialled (hostname verification), or null for an accepted connection
     */
    public ChannelHandler newHandler(String peerHost, int peerPort) {
        SslContext ctx = context;
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                SslHandler ssl = peerHost == null ? ctx.newHandler(ch.alloc()) : ctx.newHandler(ch.alloc(), peerHost, peerPort);
                if (peerHost != null && hostnameVerification) {
                    SSLEngine engine = ssl.engine();
                    SSLParameters p = engine.getSSLParameters();
                    p.setEndpointIdentificationAlgorithm("HTTPS");
                    engine.setSSLParameters(p);
                }
                ch.pipeline().addFirst("tls-guard", new TlsHandshakeGuard(key));
                ch.pipeline().addFirst("tls-engine", ssl);
            }
        };
    }

    private SslContext build() throws SSLException {
        SslContextBuilder b;
        if (server) {
            b = SslContextBuilder.forServer(file(certificate, "certificate"), file(privateKey, "privateKey"), password())
                    .clientAuth(clientAuth);
            if (!trustedCertificates.isBlank()) {
                b.trustManager(file(trustedCertificates, "trustedCertificates"));
            }
        } else {
            b = SslContextBuilder.forClient().trustManager(file(trustedCertificates, "trustedCertificates"));
            if (!certificate.isBlank()) {
                b.keyManager(file(certificate, "certificate"), file(privateKey, "privateKey"), password());
            }
        }
        b.protocols(protocols.toArray(String[]::new));
        if (!ciphers.isEmpty()) {
            b.ciphers(ciphers);
        }
        return b.build();
    }

    private String password() {
        return privateKeyPassword.isSet() ? privateKeyPassword.read(key + ".privateKeyPassword") : null;
    }

    private File file(String path, String field) {
        File f = new File(path);
        if (!f.canRead()) {
            throw new IllegalStateException(key + "." + field + " " + path + " cannot be read");
        }
        return f;
    }

    /** Sum of the files' modification times and sizes: changes when any of them is replaced. */
    private long stamp() {
        long s = 0;
        for (String p : List.of(certificate, privateKey, trustedCertificates)) {
            if (!p.isBlank()) {
                try {
                    Path f = Path.of(p);
                    s = s * 31 + Files.getLastModifiedTime(f).toMillis() * 17 + Files.size(f);
                } catch (java.io.IOException e) {
                    s = s * 31 + 1; // missing now: the reload says which file
                }
            }
        }
        return s;
    }
}
