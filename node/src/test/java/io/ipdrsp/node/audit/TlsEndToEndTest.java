package io.ipdrsp.node.audit;

import static io.ipdrsp.node.cluster.AuditCheck.ranges;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ipdrsp.launcher.Pki;
import io.ipdrsp.launcher.Ports;
import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.security.IpdrTls;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.Ledger;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import io.ipdrsp.simulator.TlsSpec;
import io.netty.handler.ssl.ClientAuth;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IPDR/SP over TLS end to end, in both connection directions, with mutual TLS and certificates from one test CA
 * ({@link Pki}), issue 16: a CMTS dials the node's TLS listen port presenting a client certificate, and the node dials
 * a CMTS's TLS port presenting its own. Both ad-hoc documents end with SESSION_STOP 0 and the audit equals the ledger.
 * Neither side would take a plain or untrusted peer (IpdrTlsTest, the simulator's TlsTest), so records stored here
 * came over TLS.
 */
class TlsEndToEndTest {
    private static final int RECORDS = 2_000;

    @Test
    void bothConnectionDirectionsOverMutualTlsAuditAsTheLedgerSays(@TempDir Path dir) throws Exception {
        Pki pki = Pki.create(dir.resolve("pki"), "ipdr-e2e-ca");
        String ca = pki.caCertificatePem().toString();
        Pki.Issued node = pki.issue("node", Pki.Usage.SERVER_AND_CLIENT, List.of("localhost"), List.of("127.0.0.1"));
        Pki.Issued dialing = pki.client("cmts-tls-in");
        Pki.Issued listening = pki.server("cmts-tls-out", List.of(), List.of("127.0.0.1"));
        int cmtsPort = Ports.freePort("127.0.0.1");
        IpdrTls towardsCmts = new IpdrTls().files(node.certificateChainPem().toString(), node.privateKeyPem().toString(),
                ca);
        List<ExporterConfig> exporters = List.of(
                new ExporterConfig("cmts-tls-in", "127.0.0.8", 4737, Direction.LISTEN).keepAliveSeconds(5),
                new ExporterConfig("cmts-tls-out", "127.0.0.1", cmtsPort, Direction.CONNECT).tls(towardsCmts)
                        .reconnect(200, 1000).keepAliveSeconds(5));
        try (AuditNode a = new AuditNode("audit_e2e_tls", "node-tls", "site-tls", exporters)) {
            a.config.getListen().getTls().files(node.certificateChainPem().toString(),
                    node.privateKeyPem().toString(), ca).clientAuth(ClientAuth.REQUIRE);
            a.start();
            FleetSpec spec = FleetSpec.of(
                    CmtsSpec.of("cmts-tls-in", io.ipdrsp.simulator.Direction.CONNECT,
                                    List.of(CollectorSpec.at("127.0.0.1", a.listenPort(), 1)),
                                    List.of(SessionSpec.adHoc(1, Templates.SAMIS_TYPE_1, RECORDS).withRate(800)
                                            .withAcks(50, 10)))
                            .withListen("127.0.0.8", 0).withKeepAlive(5).withReconnectDelay(Duration.ofMillis(200))
                            .withTls(TlsSpec.client(pki.caCertificatePem())
                                    .withCertificate(dialing.certificateChainPem(), dialing.privateKeyPem())),
                    CmtsSpec.of("cmts-tls-out", io.ipdrsp.simulator.Direction.LISTEN,
                                    List.of(CollectorSpec.at("127.0.0.1", 0, 1)),
                                    List.of(SessionSpec.adHoc(1, Templates.CPE_TYPE, RECORDS).withRate(800)
                                            .withAcks(50, 10)))
                            .withListen("127.0.0.1", cmtsPort).withKeepAlive(5)
                            .withTls(TlsSpec.server(listening.certificateChainPem(), listening.privateKeyPem())
                                    .withTrust(pki.caCertificatePem())));
            Ledger ledger;
            try (Fleet fleet = Fleet.start(spec)) {
                assertThat(fleet.awaitLedger(l -> l.documents().size() == 2 && l.documents().stream()
                        .allMatch(d -> d.stopReason() != null), Duration.ofSeconds(90)))
                        .as("both ad-hoc documents acknowledged over TLS and stopped by their CMTS").isTrue();
                ledger = fleet.ledger();
            }
            for (String cmts : List.of("cmts-tls-in", "cmts-tls-out")) {
                Ledger.Document d = ledger.documents(cmts, 1).get(0);
                JsonNode audited = AuditScenarioTest.doc(AuditScenarioTest.awaitDocuments(a, cmts, 1,
                        x -> x.get("state").asText().equals("FINAL")), d.documentId());
                System.out.printf("TLS %s: ledger sent %d acked %d stop %d | audit %s held %d missing %s duplicates %d%n",
                        cmts, d.sent().count(), d.acked().count(), d.stopReason(), audited.get("verdict").asText(),
                        audited.get("recordsHeld").asLong(), audited.get("missing"), audited.get("duplicates").asLong());
                assertThat(d.stopReason()).isZero();
                assertThat(d.acked().count()).as("%s: every record acknowledged", cmts).isEqualTo(RECORDS);
                assertThat(audited.get("verdict").asText()).isEqualTo("COMPLETE");
                assertThat(audited.get("recordsHeld").asLong()).isEqualTo(d.acked().count());
                assertThat(audited.get("expectedLast").asLong()).isEqualTo(RECORDS - 1);
                assertThat(ranges(audited.get("missing"))).isEmpty();
                assertThat(audited.get("duplicates").asLong()).as("re-sent (none unless an ack was late)")
                        .isEqualTo(d.resentWithDuplicateFlag().count() + d.resentWithoutDuplicateFlag().count());
                assertThat(audited.get("failovers").asInt()).isZero();
                assertThat(audited.get("nodes").get("node-tls").asLong()).isEqualTo(RECORDS);
            }
        }
    }
}
