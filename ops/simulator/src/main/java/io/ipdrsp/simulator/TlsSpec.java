package io.ipdrsp.simulator;

import java.nio.file.Path;
import java.util.List;

/**
 * IPDR/SP over TLS for one CMTS (SP 2.1 §7 leaves security to the transport). PEM files, read with Netty's
 * {@code SslContextBuilder} on the JDK provider.
 *
 * <ul>
 * <li>A CMTS that listens is the TLS server: {@code certificate} and {@code key} are required; with {@code trust}
 *     every collector must present a client certificate signed by it (mutual TLS), without it none is asked
 *     for.</li>
 * <li>A CMTS that connects is the TLS client: {@code trust} verifies the collector's certificate (null = the
 *     JDK's default trust store), and the host name or IP the CMTS dials must match it unless
 *     {@code verifyHostname} is false; {@code certificate} and {@code key}, when given, are presented to a
 *     collector that asks (mutual TLS).</li>
 * </ul>
 *
 * @param certificate    PEM certificate chain (leaf first)
 * @param key            PEM PKCS#8 private key of the leaf (unencrypted)
 * @param trust          PEM CA certificate(s) that peers' certificates must chain to
 * @param protocols      enabled protocols; null or empty = TLSv1.3 and TLSv1.2
 * @param ciphers        enabled cipher suites; null or empty = the JDK's defaults for those protocols
 * @param verifyHostname connect direction: check the collector's certificate against the address dialled
 */
public record TlsSpec(Path certificate, Path key, Path trust, List<String> protocols, List<String> ciphers,
        boolean verifyHostname) {
    /** TLS 1.3 and 1.2 only: nothing older is offered or accepted. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public TlsSpec {
        protocols = protocols == null || protocols.isEmpty() ? DEFAULT_PROTOCOLS : List.copyOf(protocols);
        ciphers = ciphers == null ? List.of() : List.copyOf(ciphers);
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("tls: certificate and key go together (give both or neither)");
        }
        for (String p : protocols) {
            if (!p.matches("TLSv1\\.[23]")) {
                throw new IllegalArgumentException("tls: protocol " + p + " is not allowed (TLSv1.3, TLSv1.2)");
            }
        }
    }

    /** A CMTS that listens with this certificate; collectors are not asked for one. */
    public static TlsSpec server(Path certificate, Path key) {
        return new TlsSpec(certificate, key, null, null, null, true);
    }

    /** A CMTS that dials collectors whose certificates chain to {@code trust}. */
    public static TlsSpec client(Path trust) {
        return new TlsSpec(null, null, trust, null, null, true);
    }

    /** Mutual TLS: peers must chain to {@code trust} (a listening CMTS then asks collectors for a certificate). */
    public TlsSpec withTrust(Path caCertificates) {
        return new TlsSpec(certificate, key, caCertificates, protocols, ciphers, verifyHostname);
    }

    /** Presents this certificate (a dialling CMTS: to collectors that ask for one). */
    public TlsSpec withCertificate(Path chain, Path privateKey) {
        return new TlsSpec(chain, privateKey, trust, protocols, ciphers, verifyHostname);
    }

    public TlsSpec withProtocols(List<String> p) {
        return new TlsSpec(certificate, key, trust, p, ciphers, verifyHostname);
    }

    public TlsSpec withCiphers(List<String> c) {
        return new TlsSpec(certificate, key, trust, protocols, c, verifyHostname);
    }

    public TlsSpec withVerifyHostname(boolean on) {
        return new TlsSpec(certificate, key, trust, protocols, ciphers, on);
    }
}
