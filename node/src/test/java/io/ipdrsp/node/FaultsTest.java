package io.ipdrsp.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.Ledger;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node or Cassandra dies mid-stream: no acknowledged record is lost, none is stored twice. */
class FaultsTest {

    @Test
    void nodeRestartMidStreamLosesNothing() throws Exception {
        int cmtsPort = NodeHarness.freePort();
        List<ExporterConfig> exporters = List.of(
                new ExporterConfig("dialled", "127.0.0.1", cmtsPort, Direction.CONNECT).keepAliveSeconds(5)
                        .reconnect(100, 500),
                new ExporterConfig("dialling", "127.0.0.5", 4737, Direction.LISTEN).keepAliveSeconds(5));
        try (NodeHarness node = new NodeHarness("restart", exporters).start()) {
            int listenPort = node.listenPort();
            node.config.getListen().port(listenPort); // the CMTS dials the same port after the restart
            FleetSpec spec = FleetSpec.of(
                    CmtsSpec.of("dialled", io.ipdrsp.simulator.Direction.LISTEN,
                                    List.of(CollectorSpec.at("127.0.0.1", 0, 1)),
                                    List.of(SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(400).withAcks(100, 3)))
                            .withListen("127.0.0.1", cmtsPort).withKeepAlive(5),
                    CmtsSpec.of("dialling", io.ipdrsp.simulator.Direction.CONNECT,
                                    List.of(CollectorSpec.at("127.0.0.1", listenPort, 1)),
                                    List.of(SessionSpec.event(2, Templates.CPE_TYPE).withRate(400).withAcks(100, 3)))
                            .withListen("127.0.0.5", 0).withKeepAlive(5).withReconnectDelay(Duration.ofMillis(200)))
                    .withRecordDigests(true);
            Ledger ledger;
            try (Fleet fleet = Fleet.start(spec)) {
                assertThat(fleet.awaitAcked(800, Duration.ofSeconds(30))).isTrue();
                node.stop();
                long ackedWhileDown = fleet.ledger().totalAcked();
                Thread.sleep(500);
                assertThat(fleet.ledger().totalAcked()).as("no acks while the node is down").isEqualTo(ackedWhileDown);
                node.start();
                assertThat(fleet.awaitAcked(ackedWhileDown + 800, Duration.ofSeconds(40))).as("flow resumed").isTrue();
                Thread.sleep(1000);
                ledger = fleet.ledger();
            }
            EndToEndTest.verifyLedgerAgainstStorage(node, ledger);
            EndToEndTest.verifyMetadata(node, ledger);
            // A graceful stop acknowledges what is durable before it closes, so the CMTS may resume at the next DSN
            // without re-sending anything; whatever it does re-send (writes still in flight at the stop) is counted
            // by the node that receives it: every re-send with the D flag, and at most every re-send without it.
            long resentD = ledger.documents().stream().mapToLong(d -> d.resentWithDuplicateFlag().count()).sum();
            long resentNoD = ledger.documents().stream().mapToLong(d -> d.resentWithoutDuplicateFlag().count()).sum();
            long duplicates = node.services().exporters().stream().mapToLong(e -> e.view().duplicates()).sum();
            System.out.printf("restart: re-sent %d with D, %d without; the restarted node counted %d duplicates%n",
                    resentD, resentNoD, duplicates);
            assertThat(duplicates).as("re-sends counted as duplicates by the restarted node")
                    .isBetween(resentD, resentD + resentNoD);
        }
    }

    /**
     * The fault: the Cassandra process is KILLED (SIGKILL) mid-stream and restarted. Uses its own durable
     * server (group commit log: a write is acknowledged only after its fsync), because the shared throwaway test
     * server loses acknowledged writes — even the schema — on SIGKILL. While Cassandra is down no DATA_ACK may
     * arrive; after the restart the flow resumes and every acknowledged record is stored, byte for byte.
     */
    @Test
    void cassandraKilledMidStreamNeverAcksUnstoredRecordsAndRecovers() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "cassandra-kill-");
        try (CassandraServer cassandra = CassandraServer.builder(dir).durable(true).heap("-Xms128m -Xmx512m")
                .start();
             NodeHarness node = new NodeHarness("cass_kill", List.of(
                new ExporterConfig("c1", "127.0.0.6", 4737, Direction.LISTEN).keepAliveSeconds(5)),
                cassandra).start()) {
            // Cassandra 5.0 keeps a new keyspace's schema only in its commit log until a flush, and skips the
            // table's mutations on replay after SIGKILL; a graceful restart flushes the schema first (docs/storage.md).
            cassandra.restart();
            FleetSpec spec = FleetSpec.of(CmtsSpec.of("c1", io.ipdrsp.simulator.Direction.CONNECT,
                            List.of(CollectorSpec.at("127.0.0.1", node.listenPort(), 1)),
                            List.of(SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(300).withAcks(50, 30)))
                    .withListen("127.0.0.6", 0).withKeepAlive(5).withReconnectDelay(Duration.ofMillis(200)))
                    .withRecordDigests(true);
            Ledger ledger;
            try (Fleet fleet = Fleet.start(spec)) {
                assertThat(fleet.awaitAcked(300, Duration.ofSeconds(30))).isTrue();
                cassandra.kill();
                // acks already on their way (writes Cassandra confirmed before it died) may still arrive
                Thread.sleep(1000);
                long acked = fleet.ledger().totalAcked();
                Thread.sleep(2000);
                assertThat(fleet.ledger().totalAcked()).as("no DATA_ACK while Cassandra is dead").isEqualTo(acked);
                var notReady = node.admin("/ready");
                assertThat(notReady.statusCode()).as(notReady.body()).isEqualTo(503);
                assertThat(notReady.body()).contains("cassandra: FAILING");
                // an auditor's read while Cassandra is down: 503 saying so, to be retried, not a 500
                var audit = node.api("/api/audit?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z");
                assertThat(audit.statusCode()).as(audit.body()).isEqualTo(503);
                assertThat(audit.body()).contains("Cassandra cannot serve this read now");
                assertThat(audit.headers().firstValue("Retry-After")).hasValue("5");
                cassandra.restart();
                assertThat(fleet.awaitAcked(acked + 300, Duration.ofSeconds(90))).as("recovered").isTrue();
                assertThat(node.admin("/ready").statusCode()).as("ready again").isEqualTo(200);
                Thread.sleep(1000);
                ledger = fleet.ledger();
            }
            EndToEndTest.verifyLedgerAgainstStorage(node, ledger);
        }
    }
}
