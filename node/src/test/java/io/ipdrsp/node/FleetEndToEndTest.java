package io.ipdrsp.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.Ledger;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.RecordKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet on one node without a YAML line per CMTS (issue 19): 200 CMTSes admitted only by address range
 * ({@code listen.allow: [127.0.0.0/8]}), each from its own address; six behind one source address, told apart by their
 * CONNECT; three listed under {@code exporters}; five the node dials from an inventory file, two of them added to the
 * file while the node runs. Every CMTS exports a SAMIS time-interval session whose boundaries fall on the wall clock
 * (all start a new document at once), every third a CPE event session too. Then: every document the fleet sent
 * records of is finalized and COMPLETE with exactly the records sent, every acknowledged record is stored once with
 * the bytes sent, and the CMTSes admitted by range are audited and led like the listed ones.
 */
class FleetEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final int BY_RANGE = 200;
    private static final int BEHIND_ONE_ADDRESS = 6;
    private static final int LISTED = 3;
    private static final int INVENTORY = 5;

    @TempDir
    Path dir;

    @Test
    void aFleetAdmittedByRangeIsCollectedAuditedAndFinalizedLikeListedCmtses() throws Exception {
        List<ExporterConfig> listed = new ArrayList<>();
        for (int k = 1; k <= LISTED; k++) {
            listed.add(new ExporterConfig("listed-" + k, "127.20.0." + k, 4737, Direction.LISTEN).keepAliveSeconds(10));
        }
        List<CmtsSpec> cmtses = new ArrayList<>();
        List<String> inventory = new ArrayList<>();
        for (int k = 1; k <= INVENTORY; k++) { // CMTSes the node dials: they listen
            int port = NodeHarness.freePort();
            inventory.add("inv-" + k + ",127.23.0." + k + "," + port);
            cmtses.add(cmts("inv-" + k, io.ipdrsp.simulator.Direction.LISTEN, 0, k).withListen("127.23.0." + k, port));
        }
        Path inventoryFile = dir.resolve("cmts.csv");
        Files.writeString(inventoryFile, String.join("\n", inventory.subList(0, 3)) + "\n");

        try (NodeHarness node = new NodeHarness("it_fleet", listed)) {
            node.config.getListen().allow("127.0.0.0/8");
            node.config.getFleet().inventoryFile(inventoryFile.toString()).inventoryReloadSeconds(1)
                    .keepAliveSeconds(10);
            node.config.getAudit().intervalSeconds(1).graceSeconds(1).idleTimeoutSeconds(120).recheckAfterSeconds(4);
            node.start();
            int port = node.listenPort();
            for (int k = 1; k <= LISTED; k++) {
                cmtses.add(cmts("listed-" + k, io.ipdrsp.simulator.Direction.CONNECT, port, 100 + k)
                        .withListen("127.20.0." + k, 0));
            }
            for (int k = 1; k <= BY_RANGE; k++) {
                String address = "127.21." + (k / 200) + "." + (1 + k % 200);
                cmts(cmtses, "cmts-" + address, port, 200 + k, address, null);
            }
            for (int k = 1; k <= BEHIND_ONE_ADDRESS; k++) { // one NAT address, each CMTS says its own
                cmts(cmtses, "cmts-10.99.0." + k, port, 500 + k, "127.22.0.1", "10.99.0." + k);
            }
            Ledger ledger;
            try (Fleet fleet = Fleet.start(new FleetSpec(cmtses, Map.of(), List.of(), null, null, 2)
                    .withRecordDigests(true))) {
                Set<String> sessions = sessions(cmtses);
                NodeHarness.await("the fleet but two inventory CMTSes streaming", Duration.ofSeconds(90),
                        () -> streaming(fleet).size() >= sessions.size() - 3);
                Files.writeString(inventoryFile, String.join("\n", inventory) + "\n"); // two more, no restart
                NodeHarness.await("every session streaming", Duration.ofSeconds(60),
                        () -> streaming(fleet).containsAll(sessions));
                // every SAMIS session has ended a document at an aligned boundary and started the next
                NodeHarness.await("a boundary on every SAMIS session", INTERVAL.multipliedBy(4),
                        () -> fleet.ledger().documents().stream().filter(d -> d.sessionId() == 1
                                && d.stopReason() != null && d.stopReason() == 6 && !d.acked().isEmpty())
                                .map(Ledger.Document::cmts).distinct().count() == cmtses.size());
                assertThat(fleet.ackTimeouts()).as("ack timeouts").isZero();
                checkNamesAndLeadership(node, cmtses);
                ledger = fleet.ledger();
            } // SESSION_STOP 2 on every session: each open document ends
            EndToEndTest.verifyLedgerAgainstStorage(node, ledger);
            checkEveryDocumentFinal(node, ledger);
            JsonNode audit = JSON.readTree(node.api("/api/audit?cmts=cmts-10.99.0.4&from=-1h").body());
            assertThat(audit.path("exporters").path(0).path("documents").asInt())
                    .as("/api/audit answers for a CMTS admitted by range").isPositive();
        }
    }

    private static CmtsSpec cmts(String name, io.ipdrsp.simulator.Direction direction, int port, int k) {
        List<SessionSpec> sessions = new ArrayList<>(List.of(SessionSpec.timeInterval(1, Templates.SAMIS_TYPE_1,
                INTERVAL).withRate(2).withAcks(20, 10).withAlignedBoundaries(true)));
        if (k % 3 == 0) {
            sessions.add(SessionSpec.event(2, Templates.CPE_TYPE).withRate(1).withAcks(20, 10));
        }
        return CmtsSpec.of(name, direction, List.of(CollectorSpec.at("127.0.0.1", port, 1)), sessions)
                .withMac(0x001dcf400000L + k).withKeepAlive(10).withReconnectDelay(Duration.ofMillis(500));
    }

    private static void cmts(List<CmtsSpec> out, String name, int port, int k, String from, String says) {
        CmtsSpec c = cmts(name, io.ipdrsp.simulator.Direction.CONNECT, port, k).withListen(from, 0);
        out.add(says == null ? c : c.withInitiatorAddress(says));
    }

    private static Set<String> sessions(List<CmtsSpec> cmtses) {
        Set<String> out = new TreeSet<>();
        cmtses.forEach(c -> c.sessions().forEach(s -> out.add(c.name() + "/" + s.sessionId())));
        return out;
    }

    private static Set<String> streaming(Fleet fleet) {
        return fleet.ledger().documents().stream().filter(d -> !d.acked().isEmpty())
                .map(d -> d.cmts() + "/" + d.sessionId()).collect(Collectors.toSet());
    }

    /** Every document the fleet sent records of: FINAL, COMPLETE, holding exactly the records sent. */
    private static void checkEveryDocumentFinal(NodeHarness node, Ledger ledger) throws InterruptedException {
        List<Ledger.Document> docs = ledger.documents().stream().filter(d -> !d.sent().isEmpty()).toList();
        Set<String> exporters = docs.stream().map(Ledger.Document::cmts).collect(Collectors.toSet());
        Map<RecordKey, AuditRow> rows = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        List<Ledger.Document> open = docs;
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            for (String e : exporters) {
                node.storage().audit().auditByDay(e, Instant.now().minusSeconds(3600), Instant.now().plusSeconds(60))
                        .forEach(r -> rows.put(r.key(), r));
            }
            open = docs.stream().filter(d -> rows.get(key(d)) == null || !"FINAL".equals(rows.get(key(d)).state()))
                    .toList();
        }
        assertThat(open).as("documents not finalized within 120 s").isEmpty();
        assertThat(docs).as("%d documents of %d CMTSes", docs.size(), exporters.size()).allSatisfy(d -> {
            AuditRow r = rows.get(key(d));
            assertThat(r.verdict()).as("verdict of %s", key(d)).isEqualTo("COMPLETE");
            assertThat(r.recordsHeld()).as("records held of %s", key(d)).isEqualTo(d.sent().count());
        });
        System.out.printf("%d documents of %d CMTSes finalized COMPLETE, %d records held = sent%n", docs.size(),
                exporters.size(), docs.stream().mapToLong(d -> d.sent().count()).sum());
    }

    private static RecordKey key(Ledger.Document d) {
        return new RecordKey(d.cmts(), d.sessionId(), UUID.fromString(d.documentId()), d.exporterBootTime());
    }

    /** The node knows each CMTS under the name the test expects, and leads all of them (a single finalizing node). */
    private static void checkNamesAndLeadership(NodeHarness node, List<CmtsSpec> cmtses) throws Exception {
        Set<String> expected = cmtses.stream().map(CmtsSpec::name).collect(Collectors.toCollection(TreeSet::new));
        Set<String> known = new TreeSet<>(node.services().directory().all());
        assertThat(known).as("listed, inventory and admitted CMTSes, nothing else").isEqualTo(expected);
        assertThat(node.services().exporters()).extracting(e -> e.name()).containsAll(expected);
        assertThat(known).as("six CMTSes behind 127.22.0.1 stay six").contains("cmts-10.99.0.1", "cmts-10.99.0.6");
        NodeHarness.await("leadership of every CMTS", Duration.ofSeconds(60),
                () -> node.services().cluster().leadership().leaderships().containsAll(expected));
    }
}
