package io.ipdrsp.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.launcher.Pki;
import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.protocol.Data;
import io.ipdrsp.protocol.DataAck;
import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import io.ipdrsp.simulator.TlsSpec;
import io.netty.handler.ssl.ClientAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed and hostile input on one connection gets ERROR and a closed connection, while a well-behaved CMTS on
 * the same node keeps being acknowledged — on a plain listen port and on one that speaks IPDR/SP over mutual TLS (the
 * hostile bytes then arrive inside an authenticated TLS stream, issue 16).
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"plain", "tls"})
class HostileInputTest {
    /** "plain" or "tls": the listen port the hostile and the good CMTS use (JUnit injects the class's argument). */
    @Parameter
    String transport;
    static NodeHarness node;
    static Fleet fleet;
    /** The raw exporter's TLS client context, null on the plain port. */
    static SSLContext rawTls;

    @BeforeParameterizedClassInvocation
    static void start(String transport) throws Exception {
        node = new NodeHarness(transport.equals("tls") ? "hostile_tls" : "hostile", List.of(
                new ExporterConfig("raw", "127.0.0.3", 4737, Direction.LISTEN).keepAliveSeconds(5),
                new ExporterConfig("good", "127.0.0.4", 4737, Direction.LISTEN).keepAliveSeconds(5)));
        TlsSpec goodTls = null;
        rawTls = null;
        if (transport.equals("tls")) { // mutual TLS: both CMTSes present a certificate of the node's CA
            Pki pki = Pki.create(Files.createTempDirectory(Files.createDirectories(Path.of("target")), "hostile-pki"),
                    "hostile-ca");
            Pki.Issued server = pki.server("node", List.of("localhost"), List.of("127.0.0.1"));
            node.config.getListen().getTls().files(server.certificateChainPem().toString(),
                    server.privateKeyPem().toString(), pki.caCertificatePem().toString()).clientAuth(ClientAuth.REQUIRE);
            Pki.Issued goodCert = pki.client("good");
            goodTls = TlsSpec.client(pki.caCertificatePem())
                    .withCertificate(goodCert.certificateChainPem(), goodCert.privateKeyPem());
            rawTls = TestTls.client(pki, pki.client("raw"));
        }
        node.start();
        fleet = Fleet.start(FleetSpec.of(CmtsSpec.of("good", io.ipdrsp.simulator.Direction.CONNECT,
                        List.of(CollectorSpec.at("127.0.0.1", node.listenPort(), 1)),
                        List.of(SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(200).withAcks(20, 1)))
                .withListen("127.0.0.4", 0).withKeepAlive(5).withTls(goodTls)));
        assertThat(fleet.awaitAcked(50, Duration.ofSeconds(30))).isTrue();
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
        if (node != null) {
            node.close();
        }
    }

    /** A hand-driven exporter from {@code source}, over TLS on the TLS port. */
    private static RawExporter raw(String source) throws Exception {
        return RawExporter.open(source, node.listenPort(), rawTls);
    }

    /** The good CMTS gets more acks after each hostile exchange. */
    private static void goodCmtsStillFlows() throws InterruptedException {
        long before = fleet.ledger().totalAcked();
        assertThat(fleet.awaitAcked(before + 40, Duration.ofSeconds(20))).as("good CMTS still acknowledged").isTrue();
    }

    @Test
    void aCmtsThatIsNotConnectedFailsTheHealthCheckButNotReadiness() throws Exception {
        NodeHarness.await("the raw CMTS disconnected", Duration.ofSeconds(20),
                () -> node.services().exporters().stream().anyMatch(e -> e.name().equals("raw")
                        && e.link() != io.ipdrsp.node.session.ExporterState.Link.CONNECTED));
        var health = node.admin("/healthcheck");
        assertThat(health.statusCode()).isEqualTo(500);
        assertThat(health.body()).contains("not connected: raw");
        var ready = node.admin("/ready");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).startsWith("ready").contains("cassandra: ok");
    }

    @Test
    void garbageGetsDecodeErrorAndClose() throws Exception {
        byte[] garbage = new byte[4096];
        new Random(1).nextBytes(garbage);
        garbage[0] = (byte) 0xFF;
        try (RawExporter raw = raw("127.0.0.3")) {
            raw.sendRaw(garbage);
            ErrorMessage e = raw.expectErrorAndClose();
            assertThat(e.errorCode()).isEqualTo(3);
        }
        goodCmtsStillFlows();
    }

    @Test
    void wrongVersionGetsDecodeErrorAndClose() throws Exception {
        try (RawExporter raw = raw("127.0.0.3")) {
            raw.sendRaw(new byte[] {1, 5, 0, 0, 0, 0, 0, 8});
            assertThat(raw.expectErrorAndClose().errorCode()).isEqualTo(3);
        }
        goodCmtsStillFlows();
    }

    @Test
    void oversizedLengthIsRefusedBeforeBuffering() throws Exception {
        try (RawExporter raw = raw("127.0.0.3")) {
            raw.sendRaw(new byte[] {2, 0x20, 1, 0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0});
            assertThat(raw.expectErrorAndClose().errorCode()).isEqualTo(3);
        }
        goodCmtsStillFlows();
    }

    @Test
    void dataWithUnknownTemplateGetsDecodeError() throws Exception {
        try (RawExporter raw = raw("127.0.0.3")) {
            raw.openSession();
            raw.send(Data.of(1, 99, 1, 0, 0, RawExporter.record(1, "x")));
            assertThat(raw.expectErrorAndClose().errorCode()).isEqualTo(3);
        }
        goodCmtsStillFlows();
    }

    @Test
    void recordThatDoesNotMatchItsTemplateGetsDecodeError() throws Exception {
        try (RawExporter raw = raw("127.0.0.3")) {
            raw.openSession();
            byte[] bad = RawExporter.record(1, "label");
            bad[7] = 100; // string length beyond the record
            raw.send(Data.of(1, 7, 1, 0, 0, bad));
            assertThat(raw.expectErrorAndClose().errorCode()).isEqualTo(3);
        }
        goodCmtsStillFlows();
    }

    @Test
    void outOfOrderDsnGetsErrorAndOnlyStoredRecordsAreAcked() throws Exception {
        try (RawExporter raw = raw("127.0.0.3")) {
            raw.openSession();
            for (int dsn = 0; dsn < 10; dsn++) {
                raw.send(Data.of(1, 7, 1, 0, dsn, RawExporter.record(dsn, "r" + dsn)));
            }
            DataAck ack = raw.expect(DataAck.class);
            assertThat(ack.sequenceNum()).isBetween(0L, 9L);
            raw.send(Data.of(1, 7, 1, 0, 3, RawExporter.record(3, "again")));
            assertThat(raw.expectErrorAndClose().errorCode()).isEqualTo(2);
        }
        goodCmtsStillFlows();
    }

    @Test
    void dataBeforeTheHandshakeIsInvalidForState() throws Exception {
        try (RawExporter raw = raw("127.0.0.3")) {
            raw.send(Data.of(1, 7, 1, 0, 0, RawExporter.record(1, "x")));
            assertThat(raw.expectErrorAndClose().errorCode()).isEqualTo(2);
        }
        goodCmtsStillFlows();
    }

    @Test
    void unconfiguredAddressIsRefused() throws Exception {
        try (RawExporter raw = raw("127.0.0.9")) {
            assertThat(raw.expectErrorAndClose().description()).contains("not configured");
        }
        goodCmtsStillFlows();
    }
}
