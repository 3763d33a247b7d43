package io.ipdrsp.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ipdrsp.dedup.ExporterLeadership;
import io.ipdrsp.launcher.NodeConfig;
import io.ipdrsp.node.AckTally;
import io.ipdrsp.node.cluster.ClusterFixture.CmtsPlan;
import io.ipdrsp.simulator.DocumentIdKind;
import io.ipdrsp.simulator.FailoverMode;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.Ledger;
import io.ipdrsp.simulator.Quirks;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import io.ipdrsp.storage.Receipt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14's acceptance, end to end on one cluster of three nodes (real Cassandra, ZooKeeper, Hazelcast): nine CMTSes,
 * one per failover mode (vendor, reference — with the reference exporter's re-send quirks —, legacy) × documentId kind
 * (time-prefixed, all-zero, random), both connection directions, stream at once through the same nodes while the
 * primary is killed (-9) and restarted and the next primary is frozen (SIGSTOP/SIGCONT): every document is handed over
 * at least twice. Then per CMTS: one audit row for its one document, held = what the CMTS delivered, duplicates
 * removed = receipts − versions as the ledger's sends explain them, failovers = the ledger's hand-offs that moved the
 * data, verdict COMPLETE; DATA_ACK counts and the tail's ack within the ack policy's bounds. One CMTS is not in node-2's
 * exporter list (and hashing over all nodes would give it to node-2): it is finalized all the same, by a node that has
 * it. A second, smaller run: a CMTS whose buffer overflows while no collector takes its records ends
 * COMPLETE_WITH_DECLARED_DROPS with exactly the missing ranges its ledger says were dropped and never sent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExporterMatrixTest {
    private static final int RATE = 60;
    /** 90 s of records at {@link #RATE}: they outlast the faults (a node restart included), so hand-offs move data. */
    private static final int RECORDS = 5_400;
    private static final int ACK_WINDOW = 50;
    private static final int ACK_SECONDS = 3;
    private static final SessionSpec SESSION = SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(RATE)
            .withAcks(ACK_WINDOW, ACK_SECONDS).withRecords(RECORDS);
    private static final String DROPS = "cmts-drops";
    /** The vendor × random CMTS, absent from node-2's list; named so that hashing over all nodes would pick node-2. */
    private static final String LACKING = IntStream.range(0, 1000).mapToObj(i -> "cmts-vendor-random-" + i)
            .filter(n -> ExporterLeadership.owner(n, List.of("node-1", "node-2", "node-3")).equals("node-2"))
            .findFirst().orElseThrow();
    private static final List<String> MATRIX = new ArrayList<>();

    @RegisterExtension
    static final ClusterFixture cluster = new ClusterFixture("cl_matrix", plans())
            .nodeSetting("audit", NodeConfig.map("intervalSeconds", 1, "graceSeconds", 2))
            .watchAcks();

    private static List<CmtsPlan> plans() {
        List<CmtsPlan> plans = new ArrayList<>();
        for (FailoverMode mode : FailoverMode.values()) {
            for (DocumentIdKind kind : DocumentIdKind.values()) {
                boolean lacking = mode == FailoverMode.VENDOR && kind == DocumentIdKind.RANDOM;
                String name = lacking ? LACKING : "cmts-" + mode + "-" + kind;
                // the reference exporter's re-sends: no D flag on the last one, firstRecordSequenceNumber past them
                Quirks quirks = mode == FailoverMode.REFERENCE ? new Quirks(true, true, false, false) : Quirks.NONE;
                plans.add(new CmtsPlan(name, plans.size() % 2 == 0, lacking ? new int[] {1, 0, 2} : new int[] {1, 2, 3},
                        List.of(SESSION), s -> s.withFailover(mode).withDocumentIds(kind).withQuirks(quirks)));
                MATRIX.add(name);
            }
        }
        plans.add(new CmtsPlan(DROPS, true, new int[] {1, 2, 3}, List.of(SessionSpec.event(1, Templates.SAMIS_TYPE_1)
                .withRate(100).withAcks(ACK_WINDOW, ACK_SECONDS).withRecords(1_500)), s -> s.withBufferCapacity(300)));
        return plans;
    }

    @Test
    @Order(1)
    void everyFailoverModeAndDocumentIdKindSurvivesKillAndSigstopAsOneCompleteDocument() throws Exception {
        Fleet fleet = cluster.startFleet(MATRIX.toArray(String[]::new));
        // steady state first: nine documents opening at once on three nodes contend for their start claims (LWT),
        // and a stretch killed before its progress row lands is placed by where it started (audit.md, limitations)
        awaitEach("records acknowledged by node-1", m -> cluster.ackedBy(m, 1, "node-1") >= 600);

        Map<String, Long> before = acked();
        cluster.node(1).kill9();
        awaitEach("a takeover after kill -9 node-1", m -> !"node-1".equals(fleet.cmts(m).primaryCollector(1))
                && acked(m) > before.get(m) + 60);
        Thread restart = new Thread(() -> restart(1), "restart-node-1"); // meanwhile, the next fault
        restart.start();

        // the next primary freezes (a GC pause, a hung VM) for as long as its CMTSes need to hand the session on
        List<String> onNode2 = MATRIX.stream().filter(m -> "node-2".equals(fleet.cmts(m).primaryCollector(1))).toList();
        assertThat(onNode2).as("node-2 took over every CMTS it collects").hasSize(MATRIX.size() - 1);
        cluster.node(2).sigstop();
        awaitEach("a hand-off after SIGSTOP node-2", m -> !"node-2".equals(fleet.cmts(m).primaryCollector(1)));
        cluster.node(2).sigcont();

        restart.join(180_000);
        assertThat(cluster.node(1).isAlive()).as("node-1 restarted").isTrue();
        Map<String, Long> backAt = ackedByNode1();
        awaitEach("fail-back to the restarted node-1", m -> cluster.ackedBy(m, 1, "node-1") > backAt.get(m));
        awaitEach("every record generated and acknowledged", m -> {
            Ledger.Document d = fleet.ledger().documents(m, 1).get(0);
            return d.generated().count() == RECORDS && d.acked().equals(d.generated());
        });

        for (String m : MATRIX) { // the tail went to the node the CMTS streams to now: its own slowest writes
            NodeProcess tailNode = cluster.node(Integer.parseInt(fleet.cmts(m).primaryCollector(1).substring(5)));
            long writeMillis = AckTally.slowestWriteMillis(tailNode.prometheusText());
            cluster.ackTally(m).check(m, 1, ACK_WINDOW, 1000, writeMillis);
        }
        Ledger ledger = fleet.ledger();
        LedgerCheck.Result r = cluster.finishAndCheck(false);
        assertThat(r.documents()).as("one document per CMTS").isEqualTo(MATRIX.size());

        Map<LedgerCheck.DocKey, Map<Long, List<Receipt>>> receipts = new LedgerCheck(cluster.infra.cql,
                cluster.keyspace).receipts();
        for (String m : MATRIX) {
            Ledger.Document d = ledger.documents(m, 1).get(0);
            JsonNode rows = AuditCheck.awaitFinal(cluster.node(3), m, 1, Duration.ofSeconds(60));
            JsonNode row = AuditCheck.row(rows, d);
            AuditCheck.Expected e = AuditCheck.expected(d, receipts.getOrDefault(key(d), Map.of()));
            assertThat(e.dataHandOffs()).as("%s: the data moved to another node at least twice (%s)", m, e)
                    .isGreaterThanOrEqualTo(2);
            AuditCheck.matches(row, d, e, "COMPLETE");
            assertThat(row.path("finalizedBy").asText()).as("%s: finalized by a node that collects it", m)
                    .isIn(m.equals(LACKING) ? List.of("node-1", "node-3") : List.of("node-1", "node-2", "node-3"));
        }
    }

    @Test
    @Order(2)
    void aBufferThatOverflowsWhileNoCollectorTakesRecordsIsCompleteWithTheDeclaredDrops() throws Exception {
        Fleet fleet = cluster.startFleet(DROPS);
        assertThat(fleet.awaitAcked(300, Duration.ofSeconds(60))).as("%s flows", DROPS).isTrue();
        for (int n = 1; n <= ClusterFixture.NODES; n++) {
            cluster.cmtsProxy(DROPS, n).refuse(); // no collector takes its records: the buffer (300) overflows
        }
        assertThat(fleet.awaitLedger(l -> l.documents(DROPS, 1).get(0).droppedDeclared().count() >= 200,
                Duration.ofSeconds(60))).as("the CMTS dropped records").isTrue();
        for (int n = 1; n <= ClusterFixture.NODES; n++) {
            cluster.cmtsProxy(DROPS, n).resume();
        }
        assertThat(fleet.awaitLedger(l -> l.documents(DROPS, 1).get(0).generated().count() == 1_500,
                Duration.ofSeconds(60))).isTrue();
        Ledger ledger = fleet.ledger();
        cluster.finishAndCheck(false); // node-1's counters of the first run died with it (kill -9)

        Ledger.Document d = ledger.documents(DROPS, 1).get(0);
        assertThat(d.declaredDropCount()).as("declared in a SESSION_START").isEqualTo(d.droppedDeclared().count());
        JsonNode row = AuditCheck.row(AuditCheck.awaitFinal(cluster.node(1), DROPS, 1, Duration.ofSeconds(60)), d);
        AuditCheck.Expected e = AuditCheck.expected(d, new LedgerCheck(cluster.infra.cql, cluster.keyspace).receipts()
                .getOrDefault(key(d), Map.of()));
        assertThat(e.missing().count()).as("dropped and never sent").isPositive();
        AuditCheck.matches(row, d, e, "COMPLETE_WITH_DECLARED_DROPS");
    }

    private static LedgerCheck.DocKey key(Ledger.Document d) {
        return new LedgerCheck.DocKey(d.cmts(), d.sessionId(), UUID.fromString(d.documentId()), d.exporterBootTime());
    }

    /** Records acknowledged per CMTS of the matrix, by any node. */
    private static Map<String, Long> acked() {
        Map<String, Long> out = new java.util.HashMap<>();
        MATRIX.forEach(m -> out.put(m, acked(m)));
        return out;
    }

    private static long acked(String cmts) {
        return cluster.fleet().ledger().documents(cmts, 1).stream().mapToLong(d -> d.acked().count()).sum();
    }

    private static Map<String, Long> ackedByNode1() {
        Map<String, Long> out = new java.util.HashMap<>();
        MATRIX.forEach(m -> out.put(m, cluster.ackedBy(m, 1, "node-1")));
        return out;
    }

    /** Waits until {@code done} holds for every CMTS of the matrix (the roles are asked only on failure). */
    private static void awaitEach(String what, java.util.function.Predicate<String> done) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + Duration.ofSeconds(90).toNanos();
        for (String m : MATRIX) {
            while (!done.test(m)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(m + ": timed out waiting for " + what + " (roles " + cluster.roles(m, 1)
                            + ", the CMTS's data goes to " + cluster.fleet().cmts(m).primaryCollector(1) + ")");
                }
                Thread.sleep(50);
            }
        }
        System.out.printf("MATRIX %s: %d ms%n", what, (System.nanoTime() - t0) / 1_000_000);
    }

    private static void restart(int n) {
        try {
            cluster.node(n).restart();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
