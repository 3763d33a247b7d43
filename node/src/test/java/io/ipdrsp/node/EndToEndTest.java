package io.ipdrsp.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.config.SessionSelector;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.Ledger;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Both connection directions, several CMTSes, multi-session, all three session types, over real TCP. */
class EndToEndTest {

    @Test
    void everyAcknowledgedRecordIsStoredExactlyOnceInBothDirections() throws Exception {
        int cmtsPort = NodeHarness.freePort();
        List<ExporterConfig> exporters = List.of(
                new ExporterConfig("cmts-out", "127.0.0.1", cmtsPort, Direction.CONNECT)
                        .sessions(SessionSelector.id(1), SessionSelector.name("adhoc")).keepAliveSeconds(5),
                new ExporterConfig("cmts-in", "127.0.0.2", 4737, Direction.LISTEN).keepAliveSeconds(5));
        try (NodeHarness node = new NodeHarness("e2e_both", exporters).start()) {
            FleetSpec spec = FleetSpec.of(
                    CmtsSpec.of("cmts-out", io.ipdrsp.simulator.Direction.LISTEN,
                            List.of(CollectorSpec.at("127.0.0.1", 0, 1)),
                            List.of(SessionSpec.timeInterval(1, Templates.SAMIS_TYPE_1, Duration.ofSeconds(1))
                                            .withRate(300).withAcks(40, 2),
                                    SessionSpec.adHoc(2, Templates.CPE_TYPE, 250).withName("adhoc").withAcks(25, 1),
                                    SessionSpec.event(3, Templates.CMTS_CM_REG_STATUS_TYPE)))
                            .withListen("127.0.0.1", cmtsPort).withKeepAlive(5),
                    CmtsSpec.of("cmts-in", io.ipdrsp.simulator.Direction.CONNECT,
                            List.of(CollectorSpec.at("127.0.0.1", node.listenPort(), 1)),
                            List.of(SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(400).withAcks(64, 2),
                                    SessionSpec.event(5, Templates.CPE_TYPE).withRate(100).withAcks(10, 1)))
                            .withListen("127.0.0.2", 0).withKeepAlive(5).withReconnectDelay(Duration.ofMillis(200)));
            Ledger ledger;
            try (Fleet fleet = Fleet.start(spec)) {
                assertThat(fleet.awaitAcked(2500, Duration.ofSeconds(40))).as("records acknowledged").isTrue();
                Thread.sleep(1500);
                ledger = fleet.ledger();

                String json = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.apiPort() + "/api/exporters")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(json).contains("\"cmts-out\"", "\"cmts-in\"", "\"CONNECTED\"", "\"primary\"");
                String docs = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.apiPort() + "/api/documents")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(docs).contains("cmts-out", "cmts-in");
                String prom = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.adminPort() + "/prometheus")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(prom).contains("ipdr_records_stored", "ipdr_records_write_latency");
            }
            ledger = verifyLedgerAgainstStorage(node, ledger);
            assertThat(ledger.documents()).extracting(Ledger.Document::cmts).contains("cmts-out", "cmts-in");
            assertThat(ledger.documents()).extracting(Ledger.Document::sessionId).contains(1, 2, 3, 5);
            assertThat(ledger.documents(("cmts-out"), 1)).as("time-interval documents").hasSizeGreaterThan(1);
            assertThat(ledger.documents("cmts-out", 3)).as("session 3 was not configured: nobody acks it")
                    .allSatisfy(d -> assertThat(d.acked().isEmpty()).isTrue());
        }
    }

    /** Every DSN the ledger says was acknowledged is stored, once; nothing is stored that was never sent. */
    static Ledger verifyLedgerAgainstStorage(NodeHarness node, Ledger ledger) {
        long acked = 0;
        for (Ledger.Document d : ledger.documents()) {
            Map<Long, byte[]> stored = node.records(d.cmts(), d.sessionId(), UUID.fromString(d.documentId()),
                    d.exporterBootTime());
            java.util.List<Long> missing = new java.util.ArrayList<>();
            for (long[] r : d.acked().ranges()) {
                for (long dsn = r[0]; dsn <= r[1]; dsn++) {
                    if (!stored.containsKey(dsn)) {
                        missing.add(dsn);
                    }
                    acked++;
                }
            }
            assertThat(missing).as("%s/%d doc %s: acked %s, stored %d rows, acked but not stored",
                    d.cmts(), d.sessionId(), d.documentId(), d.acked(), stored.size()).isEmpty();
            for (long dsn : stored.keySet()) {
                assertThat(d.sent().contains(dsn)).as("stored DSN %d was sent", dsn).isTrue();
            }
        }
        assertThat(acked).isGreaterThan(0);
        return ledger;
    }
}
