package io.ipdrsp.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ipdrsp.launcher.Pki;
import io.ipdrsp.protocol.ConnectResponse;
import io.ipdrsp.protocol.SessionStart;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IPDR/SP over TLS in both directions, with certificates made at test time ({@link Pki}). */
class TlsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir
    static Path dir;
    private static Pki ca;
    private static Pki rogueCa;
    private static Pki.Issued cmtsCert;
    private static Pki.Issued collectorCert;
    private static Pki.Issued rogueCert;

    @BeforeAll
    static void certificates() {
        ca = Pki.create(dir.resolve("ca"), "ipdr-test-ca");
        rogueCa = Pki.create(dir.resolve("rogue"), "rogue-ca");
        cmtsCert = ca.issue("cmts", Pki.Usage.SERVER_AND_CLIENT, List.of("localhost"), List.of("127.0.0.1"));
        collectorCert = ca.issue("collector", Pki.Usage.SERVER_AND_CLIENT, List.of("localhost"), List.of("127.0.0.1"));
        rogueCert = rogueCa.issue("rogue", Pki.Usage.SERVER_AND_CLIENT, List.of("localhost"), List.of("127.0.0.1"));
    }

    private static SessionSpec session() {
        return SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(500).withAcks(20, 30);
    }

    private static CmtsSpec listening(TlsSpec tls) {
        return CmtsSpec.of("cmts-tls", Direction.LISTEN, List.of(CollectorSpec.at("127.0.0.1", 0, 1)),
                List.of(session())).withListen("127.0.0.1", 0).withTls(tls);
    }

    private static TlsSpec serverTls() {
        return TlsSpec.server(cmtsCert.certificateChainPem(), cmtsCert.privateKeyPem());
    }

    private static SSLContext trustingCa(Pki.Issued identity, Pki identityPki) throws Exception {
        return TestTls.context(identity, identityPki, ca);
    }

    @Test
    void aCollectorDialsACmtsOverTlsAndCompletesASession() throws Exception {
        try (Fleet fleet = Fleet.start(FleetSpec.of(listening(serverTls())));
                MiniCollector c = MiniCollector.create("c").tls(trustingCa(null, null)).dial("127.0.0.1",
                        "127.0.0.1", fleet.cmts("cmts-tls").listenPort())) {
            assertThat(fleet.awaitAcked(200, WAIT)).isTrue();
            assertThat(c.records).hasSizeGreaterThanOrEqualTo(200);
            assertThat(c.violation).isNull();
        }
    }

    @Test
    void aCmtsDialsACollectorWithMutualTls() throws Exception {
        try (MiniCollector c = MiniCollector.create("c").tls(trustingCa(collectorCert, ca)).listenOn("127.0.0.1", 0)) {
            TlsSpec tls = TlsSpec.client(ca.caCertificatePem()).withCertificate(cmtsCert.certificateChainPem(),
                    cmtsCert.privateKeyPem());
            CmtsSpec spec = CmtsSpec.of("cmts-dials", Direction.CONNECT,
                    List.of(CollectorSpec.at("127.0.0.1", c.port(), 1)), List.of(session())).withTls(tls);
            try (Fleet fleet = Fleet.start(FleetSpec.of(spec))) {
                assertThat(fleet.awaitAcked(200, WAIT)).isTrue();
                assertThat(c.violation).isNull();
            }
        }
    }

    @Test
    void aPlainCollectorIsRefusedAndTheCmtsCarriesOnOverTls() throws Exception {
        try (Fleet fleet = Fleet.start(FleetSpec.of(listening(serverTls())))) {
            int port = fleet.cmts("cmts-tls").listenPort();
            try (MiniCollector plain = MiniCollector.connectTo("plain", "127.0.0.1", "127.0.0.1", port)) {
                assertThat(plain.await(MiniCollector::allClosed, WAIT)).as("connection closed").isTrue();
                assertThat(plain.messages(ConnectResponse.class)).isEmpty();
                assertThat(plain.records).isEmpty();
            }
            try (MiniCollector good = MiniCollector.create("good").tls(trustingCa(null, null)).dial("127.0.0.1",
                    "127.0.0.1", port)) {
                assertThat(fleet.awaitAcked(100, WAIT)).isTrue();
            }
        }
    }

    @Test
    void aCollectorWithAnUntrustedCertificateIsRefusedByAListeningCmts() throws Exception {
        TlsSpec mutual = serverTls().withTrust(ca.caCertificatePem()); // collectors must present a CA certificate
        try (Fleet fleet = Fleet.start(FleetSpec.of(listening(mutual)))) {
            int port = fleet.cmts("cmts-tls").listenPort();
            try (MiniCollector rogue = MiniCollector.create("rogue").tls(TestTls.context(rogueCert, rogueCa, ca))) {
                try {
                    rogue.dial("127.0.0.1", "127.0.0.1", port);
                    assertThat(rogue.await(MiniCollector::allClosed, WAIT)).as("connection closed").isTrue();
                } catch (java.io.IOException refusedInHandshake) {
                    // also a refusal
                }
                assertThat(rogue.messages(ConnectResponse.class)).isEmpty();
            }
            try (MiniCollector good = MiniCollector.create("good").tls(trustingCa(collectorCert, ca)).dial(
                    "127.0.0.1", "127.0.0.1", port)) {
                assertThat(fleet.awaitAcked(100, WAIT)).isTrue();
            }
        }
    }

    @Test
    void aDiallingCmtsRefusesACollectorWhoseCertificateItDoesNotTrust() throws Exception {
        try (MiniCollector rogue = MiniCollector.create("rogue").tls(TestTls.context(rogueCert, rogueCa, ca))
                .listenOn("127.0.0.1", 0)) {
            CmtsSpec spec = CmtsSpec.of("cmts-dials", Direction.CONNECT,
                    List.of(CollectorSpec.at("127.0.0.1", rogue.port(), 1)), List.of(session()))
                    .withTls(TlsSpec.client(ca.caCertificatePem()).withCertificate(cmtsCert.certificateChainPem(),
                            cmtsCert.privateKeyPem())).withReconnectDelay(Duration.ofMillis(200));
            try (Fleet fleet = Fleet.start(FleetSpec.of(spec))) {
                assertThat(rogue.await(c -> c.connections() >= 2, WAIT)).as("handshakes tried and refused")
                        .isTrue();
                assertThat(rogue.received).isEmpty();
                assertThat(rogue.messages(SessionStart.class)).isEmpty();
                assertThat(fleet.ledger().totalSent()).isZero();
            }
        }
    }

    @Test
    void aMissingCertificateFileStopsTheFleetWithTheKeyAndFileNamed() {
        Path missing = dir.resolve("nope.pem");
        CmtsSpec spec = listening(TlsSpec.server(missing, cmtsCert.privateKeyPem()));
        assertThatThrownBy(() -> Fleet.start(FleetSpec.of(spec))).hasMessageContaining("tls.certificate")
                .hasMessageContaining(missing.toString());
    }
}
