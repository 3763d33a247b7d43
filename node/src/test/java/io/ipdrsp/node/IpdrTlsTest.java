package io.ipdrsp.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.launcher.Pki;
import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.security.IpdrTls;
import io.ipdrsp.protocol.Connect;
import io.ipdrsp.protocol.ConnectResponse;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.MessageCodec;
import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.ClientAuth;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IPDR/SP over TLS with raw sockets: on the listen port (mutual TLS) a plain client, a client with a certificate from
 * another CA and one without a certificate are refused cleanly while a trusted CMTS gets its CONNECT_RESPONSE; a
 * replaced server certificate is used by the next connection without a restart; and towards a CMTS the node dials,
 * it speaks TLS and refuses a CMTS whose certificate it does not trust.
 */
class IpdrTlsTest {

    @Test
    void theListenPortSpeaksMutualTlsOnlyAndReloadsItsCertificate(@TempDir Path dir) throws Exception {
        Pki pki = Pki.create(dir.resolve("pki"), "ipdr-test-ca");
        Pki.Issued first = pki.server("node", List.of("localhost"), List.of("127.0.0.1"));
        Pki.Issued cmts = pki.client("cmts-tls");
        Pki.Issued stranger = Pki.create(dir.resolve("other-ca"), "some-other-ca").client("cmts-tls");
        Path live = Files.createDirectories(dir.resolve("live"));
        Path cert = Files.copy(first.certificateChainPem(), live.resolve("node.pem"));
        Path key = Files.copy(first.privateKeyPem(), live.resolve("node.key"));
        List<ExporterConfig> exporters = List.of(
                new ExporterConfig("cmts-tls", "127.0.0.6", 4737, Direction.LISTEN).keepAliveSeconds(5));
        try (NodeHarness node = new NodeHarness("ipdr_tls_listen", exporters)) {
            node.config.getListen().getTls().files(cert.toString(), key.toString(), pki.caCertificatePem().toString())
                    .clientAuth(ClientAuth.REQUIRE).reloadSeconds(0);
            node.start();
            int port = node.listenPort();

            try (RawExporter plain = new RawExporter("127.0.0.6", port)) {
                plain.send(new Connect(0x7f000006, 0, 0x02, 5, "plain"));
                assertThat(closedWithin(plain)).as("a plain IPDR/SP client on the TLS port is disconnected").isTrue();
            }
            assertThat(handshake(TestTls.client(pki, stranger), port)).as("a certificate from another CA").isNull();
            assertThat(handshake(TestTls.client(pki, null), port)).as("no client certificate").isNull();

            SSLSocket ok = handshake(TestTls.client(pki, cmts), port);
            assertThat(ok).as("the trusted CMTS's handshake").isNotNull();
            assertThat(serial(ok)).isEqualTo(first.certificate().getSerialNumber());
            try (RawExporter exporter = new RawExporter(ok)) {
                exporter.send(new Connect(0x7f000006, 0, 0x02, 5, "tls-cmts"));
                assertThat(exporter.read()).as("the node's answer over TLS").isInstanceOf(ConnectResponse.class);
            }
            assertThat(node.admin("/ping").statusCode()).isEqualTo(200);

            // renewal: new files in place, the operator's reload task (or the interval) picks them up
            Pki.Issued renewed = pki.server("node-renewed", List.of("localhost"), List.of("127.0.0.1"));
            Files.copy(renewed.privateKeyPem(), key, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(renewed.certificateChainPem(), cert, StandardCopyOption.REPLACE_EXISTING);
            HttpResponse<String> reload = HttpClient.newHttpClient().send(TestUsers.request(URI.create(
                    "http://127.0.0.1:" + node.adminPort() + "/tasks/reload-tls"), "operator")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(reload.statusCode()).isEqualTo(200);
            assertThat(reload.body()).contains("1 TLS context(s) reloaded");
            SSLSocket after = handshake(TestTls.client(pki, cmts), port);
            assertThat(after).isNotNull();
            assertThat(serial(after)).as("the next connection's server certificate")
                    .isEqualTo(renewed.certificate().getSerialNumber());
            after.close();
        }
    }

    @Test
    void theNodeDialsACmtsOverTlsAndRefusesOneItDoesNotTrust(@TempDir Path dir) throws Exception {
        Pki pki = Pki.create(dir.resolve("pki"), "cmts-ca");
        Pki.Issued cmtsCert = pki.server("cmts-a", List.of(), List.of("127.0.0.1"));
        Pki.Issued rogueCert = Pki.create(dir.resolve("rogue"), "rogue-ca").server("cmts-b", List.of(), List.of("127.0.0.1"));
        try (SSLServerSocket trusted = listen(pki, cmtsCert); SSLServerSocket untrusted = listen(pki, rogueCert)) {
            IpdrTls toA = new IpdrTls().files("", "", pki.caCertificatePem().toString());
            IpdrTls toB = new IpdrTls().files("", "", pki.caCertificatePem().toString());
            List<ExporterConfig> exporters = List.of(
                    new ExporterConfig("cmts-a", "127.0.0.1", trusted.getLocalPort(), Direction.CONNECT).tls(toA)
                            .reconnect(200, 1000),
                    new ExporterConfig("cmts-b", "127.0.0.1", untrusted.getLocalPort(), Direction.CONNECT).tls(toB)
                            .reconnect(200, 1000));
            try (NodeHarness node = new NodeHarness("ipdr_tls_connect", exporters).start()) {
                try (SSLSocket a = (SSLSocket) trusted.accept()) {
                    a.setSoTimeout(20_000);
                    a.startHandshake();
                    IpdrMessage first = readMessage(a.getInputStream());
                    assertThat(first).as("the node's first message over TLS").isInstanceOf(Connect.class);
                }
                try (SSLSocket b = (SSLSocket) untrusted.accept()) {
                    b.setSoTimeout(20_000);
                    boolean refused;
                    try {
                        b.startHandshake();
                        refused = b.getInputStream().read() < 0;
                    } catch (IOException handshakeFailed) {
                        refused = true;
                    }
                    assertThat(refused).as("the node aborts the handshake with an untrusted CMTS").isTrue();
                }
                assertThat(node.admin("/ping").statusCode()).isEqualTo(200);
            }
        }
    }

    private static SSLServerSocket listen(Pki pki, Pki.Issued cert) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(TestTls.load(cert.keyStore(), pki.password()), pki.password());
        ctx.init(kmf.getKeyManagers(), null, null);
        SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket();
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        s.setSoTimeout(60_000);
        return s;
    }

    /**
     * Connects from 127.0.0.6 (the configured CMTS) and completes a TLS handshake and one read attempt; null when the
     * node refused (handshake failure, or the connection closed right after it: TLS 1.3 reports a rejected client
     * certificate only on the first read).
     */
    private static SSLSocket handshake(SSLContext ctx, int port) throws Exception {
        SSLSocket s = TestTls.connect(ctx, "127.0.0.6", port);
        s.setSoTimeout(10_000);
        try {
            s.startHandshake();
            s.getOutputStream().write(MessageCodec.toBytes(new io.ipdrsp.protocol.KeepAlive()));
            s.getOutputStream().flush();
            s.setSoTimeout(1500);
            try {
                if (s.getInputStream().read() < 0) {
                    s.close();
                    return null;
                }
            } catch (java.net.SocketTimeoutException silentIsFine) {
                // nothing to read yet: the node kept the connection
            }
            s.setSoTimeout(10_000);
            return s;
        } catch (IOException refused) {
            s.close();
            return null;
        }
    }

    private static BigInteger serial(SSLSocket s) throws Exception {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    private static boolean closedWithin(RawExporter e) {
        try {
            return e.read() == null;
        } catch (Exception closedOrReset) {
            return true;
        }
    }

    private static IpdrMessage readMessage(InputStream in) throws Exception {
        DataInputStream d = new DataInputStream(in);
        byte[] header = new byte[8];
        d.readFully(header);
        int len = ByteBuffer.wrap(header, 4, 4).getInt();
        byte[] frame = new byte[len];
        System.arraycopy(header, 0, frame, 0, 8);
        d.readFully(frame, 8, len - 8);
        return MessageCodec.decode(Unpooled.wrappedBuffer(frame));
    }
}
