package io.ipdrsp.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpsConnectorFactory;
import io.ipdrsp.launcher.Pki;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS on the API and admin connectors (Dropwizard's https connector): with a certificate of the operator's CA, and
 * with a self-signed one the node generates on first start ({@code security.generateCertificate}, what
 * {@code ipdr node --https} uses); authentication is required over HTTPS as over HTTP.
 */
class HttpsTest {

    @Test
    void bothConnectorsServeHttpsWithTheOperatorsCertificateAndStillAskForALogin(@TempDir Path dir) throws Exception {
        Pki pki = Pki.create(dir.resolve("pki"), "ops-ca");
        Pki.Issued cert = pki.server("node", List.of("localhost"), List.of("127.0.0.1"));
        try (NodeHarness node = new NodeHarness("https_ca", List.of())) {
            https(node, cert.keyStore().toString(), new String(pki.password()));
            node.start();
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(pki.trustStore(), pki.password())).build();
            for (String url : List.of("https://127.0.0.1:" + node.apiPort() + "/api/cluster",
                    "https://127.0.0.1:" + node.adminPort() + "/healthcheck")) {
                assertThat(client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).as("anonymous %s", url).isEqualTo(401);
                HttpResponse<String> r = client.send(TestUsers.request(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as("admin %s", url).isIn(200, 500); // /healthcheck: 500 = a check fails
                assertThat(r.sslSession()).isPresent();
            }
            HttpClient untrusting = HttpClient.newHttpClient();
            try {
                untrusting.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.apiPort() + "/api/cluster"))
                        .build(), HttpResponse.BodyHandlers.discarding());
                throw new AssertionError("a client that does not trust the CA connected");
            } catch (SSLHandshakeException expected) {
                // the certificate is the operator's CA's, not one the JDK trusts
            }
        }
    }

    @Test
    void aMissingKeyStoreIsGeneratedSelfSignedOnFirstStart(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("security").resolve("https.p12");
        try (NodeHarness node = new NodeHarness("https_self_signed", List.of())) {
            https(node, store.toString(), "generated-store-password");
            node.config.getSecurity().generateCertificate(true);
            node.start();
            assertThat(store).exists();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, "generated-store-password".toCharArray());
            }
            X509Certificate self = (X509Certificate) ks.getCertificate(ks.aliases().nextElement());
            assertThat(self.getSubjectX500Principal().getName()).contains("ipdr-node self-signed");
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("node", self);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            HttpResponse<String> r = HttpClient.newBuilder().sslContext(ctx).build().send(TestUsers.request(
                    URI.create("https://localhost:" + node.apiPort() + "/api/exporters"), "viewer").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
    }

    private static void https(NodeHarness node, String keyStore, String password) {
        DefaultServerFactory server = (DefaultServerFactory) node.config.getServerFactory();
        server.setApplicationConnectors(List.of(connector(keyStore, password)));
        server.setAdminConnectors(List.of(connector(keyStore, password)));
    }

    private static HttpsConnectorFactory connector(String keyStore, String password) {
        HttpsConnectorFactory h = new HttpsConnectorFactory();
        h.setPort(0);
        h.setBindHost("127.0.0.1");
        h.setKeyStorePath(keyStore);
        h.setKeyStorePassword(password);
        h.setKeyStoreType("PKCS12");
        return h;
    }

    private static SSLContext trusting(Path trustStore, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trustStore)) {
            ks.load(in, password);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
