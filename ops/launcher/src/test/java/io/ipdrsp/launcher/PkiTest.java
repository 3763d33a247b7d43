package io.ipdrsp.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiTest {

    @Test
    void pemFilesHoldTheChainAndAMatchingPkcs8Key(@TempDir Path dir) throws Exception {
        Pki pki = Pki.create(dir, "test-ca");
        Pki.Issued server = pki.server("node-1", List.of("localhost"), List.of("127.0.0.1", "::1"));

        List<X509Certificate> chain = readChain(server.certificateChainPem());
        assertThat(chain).hasSize(2);
        assertThat(chain.get(0)).isEqualTo(server.certificate());
        assertThat(chain.get(1)).isEqualTo(pki.caCertificate()).isEqualTo(readChain(pki.caCertificatePem()).get(0));
        chain.get(0).verify(pki.caCertificate().getPublicKey()); // signed by the CA
        assertThat(chain.get(0).getSubjectX500Principal().getName()).startsWith("CN=node-1");
        assertThat(chain.get(0).getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList())
                .containsExactlyInAnyOrder("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(chain.get(0).getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1"); // serverAuth
        assertThat(chain.get(0).getBasicConstraints()).isEqualTo(-1);
        assertThat(pki.caCertificate().getBasicConstraints()).isZero();

        String pem = Files.readString(server.privateKeyPem());
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder()
                .decode(pem.replaceAll("-----[A-Z ]+-----", ""))));
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(key);
        s.update(new byte[] {1, 2, 3});
        byte[] sig = s.sign();
        s.initVerify(server.certificate());
        s.update(new byte[] {1, 2, 3});
        assertThat(s.verify(sig)).as("the key file belongs to the certificate").isTrue();
    }

    @Test
    void keystoresCarryMutualTlsBetweenJdkPeers(@TempDir Path dir) throws Exception {
        Pki pki = Pki.create(dir, "test-ca");
        Pki.Issued server = pki.server("server", List.of("localhost"), List.of("127.0.0.1"));
        Pki.Issued client = pki.client("client");
        assertThat(client.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2"); // clientAuth

        SSLContext serverCtx = context(pki, server.keyStore(), pki.trustStore());
        SSLContext clientCtx = context(pki, client.keyStore(), pki.trustStore());
        assertThat(handshake(serverCtx, clientCtx)).isEqualTo("CN=client,O=ipdr-collector test PKI");

        // a client certificate from another CA is refused by the server
        Pki other = Pki.create(dir.resolve("other"), "other-ca");
        Pki.Issued stranger = other.client("stranger");
        SSLContext strangerCtx = context(other, stranger.keyStore(), pki.trustStore());
        assertThatThrownBy(() -> handshake(serverCtx, strangerCtx)).hasCauseInstanceOf(SSLException.class);
    }

    @Test
    void refusesNamesThatCannotBeFileNamesAndHostNamesAsIpSans(@TempDir Path dir) {
        Pki pki = Pki.create(dir, "test-ca");
        assertThatThrownBy(() -> pki.client("../escape")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pki.server("s", List.of(), List.of("localhost")))
                .hasMessageContaining("not an IP address literal: localhost");
    }

    private static List<X509Certificate> readChain(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(c -> (X509Certificate) c).toList();
        }
    }

    private static SSLContext context(Pki pki, Path keyStore, Path trustStore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, pki.password());
        }
        KeyStore ts = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trustStore)) {
            ts.load(in, pki.password());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pki.password());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /**
     * One TLS 1.3 round trip on loopback with client authentication required; returns the client's subject as the
     * server saw it, or throws what the server failed with (an IllegalStateException whose cause is the server's
     * SSLException when it refused the client).
     */
    private static String handshake(SSLContext serverCtx, SSLContext clientCtx) throws Exception {
        try (SSLServerSocket ss = (SSLServerSocket) serverCtx.getServerSocketFactory().createServerSocket()) {
            ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            ss.setNeedClientAuth(true);
            CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    s.setSoTimeout(20_000);
                    InputStream in = s.getInputStream();
                    int b = in.read();
                    s.getOutputStream().write(b + 1);
                    s.getOutputStream().flush();
                    return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal()
                            .getName();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket c = (SSLSocket) clientCtx.getSocketFactory().createSocket()) {
                c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort()), 5000);
                c.setSoTimeout(20_000);
                c.setEnabledProtocols(new String[] {"TLSv1.3"});
                OutputStream out = c.getOutputStream();
                out.write(41);
                out.flush();
                assertThat(c.getInputStream().read()).isEqualTo(42);
            } catch (java.io.IOException e) {
                // refused: in TLS 1.3 the server checks the client's certificate after the client's side of the
                // handshake is done, so the client sees an alert (SSLException) or, when the server closed first, a
                // broken pipe; what the server saw says why (below)
            }
            try {
                return peer.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause().getCause());
            }
        }
    }
}
