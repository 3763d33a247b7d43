package io.ipdrsp.node.audit;

import static io.ipdrsp.node.cluster.AuditCheck.ranges;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.launcher.TcpProxy;
import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.protocol.doc.IpdrXdrReader;
import io.ipdrsp.protocol.doc.XdrElement;
import io.ipdrsp.protocol.doc.XdrRecord;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Fault;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.Ledger;
import io.ipdrsp.simulator.RangeSet;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.RecordKey;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The audit against the simulator's ledger, end to end over real TCP, real Cassandra, ZooKeeper and Hazelcast: what
 * {@code GET /api/audit} reports per document must equal what the simulated CMTS did.
 */
class AuditScenarioTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode report(AuditNode node, String cmts) throws Exception {
        Instant now = Instant.now();
        return JSON.readTree(node.get("/api/audit?cmts=" + cmts + "&from=" + now.minusSeconds(3600) + "&to="
                + now.plusSeconds(3600)));
    }

    /** The document summaries of the report once {@code done} holds for all of them (polling the REST API). */
    static JsonNode awaitDocuments(AuditNode node, String cmts, int count, Predicate<JsonNode> done)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode docs = null;
        while (System.nanoTime() < deadline) {
            docs = report(node, cmts).get("exporters").get(0).get("documentList");
            boolean all = docs.size() == count;
            for (JsonNode d : docs) {
                all &= done.test(d);
            }
            if (all) {
                return docs;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("audit not settled: " + docs);
    }

    static JsonNode doc(JsonNode docs, String documentId) {
        for (JsonNode d : docs) {
            if (d.get("documentId").asText().equals(documentId)) {
                return d;
            }
        }
        throw new AssertionError("no audit for document " + documentId + " in " + docs);
    }

    @Test
    void failoverDeclaredDropsAndSilentLossAcrossTwoSitesEqualTheLedger() throws Exception {
        String ks = "audit_e2e_sites";
        List<ExporterConfig> exporters = listening("cmts-a");
        // two sites: separate Hazelcast clusters, one Cassandra keyspace, one ZooKeeper (one finalizer per CMTS)
        try (AuditNode a = new AuditNode(ks, "node-a", "site-a", exporters).start();
             AuditNode b = new AuditNode(ks, "node-b", "site-b", exporters).start()) {
            FleetSpec spec = dialing("cmts-a",
                    SessionSpec.adHoc(1, Templates.SAMIS_TYPE_1, 6000).withRate(800).withAcks(50, 2), a, b);
            Ledger ledger;
            try (Fleet fleet = Fleet.start(spec)) {
                assertThat(fleet.awaitAcked(800, Duration.ofSeconds(40))).isTrue();
                // the primary's connection is cut and stays refused for 3 s: the backup (other site) takes over
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.REFUSE_RECONNECTS, "cmts-a").collector(1)
                        .lasting(Duration.ofSeconds(3)));
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.SEVER, "cmts-a").collector(1));
                assertThat(fleet.awaitAcked(1400, Duration.ofSeconds(40))).isTrue();
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.LOSE, "cmts-a").count(25));
                assertThat(fleet.awaitAcked(2400, Duration.ofSeconds(40))).isTrue();
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.DROP, "cmts-a").count(40));
                assertThat(fleet.awaitDrained(Duration.ofSeconds(60))).as("every record acked, dropped or lost")
                        .isTrue();
                // drained is not yet stopped: closing the fleet before the ad-hoc session's own SESSION_STOP would
                // end the document with reason 2 (exporter terminating) instead of 0 (end of data)
                assertThat(fleet.awaitLedger(l -> l.documents("cmts-a", 1).stream()
                        .allMatch(x -> x.stopReason() != null), Duration.ofSeconds(30)))
                        .as("the ad-hoc document was stopped by the exporter").isTrue();
                ledger = fleet.ledger();
            }
            List<Ledger.Document> docs = ledger.documents("cmts-a", 1);
            assertThat(docs).hasSize(1);
            Ledger.Document d = docs.get(0);
            assertThat(d.stopReason()).isEqualTo(0);
            assertThat(d.ackedBy()).hasSize(2);

            JsonNode audited = doc(awaitDocuments(a, "cmts-a", 1, x -> x.get("state").asText().equals("FINAL")),
                    d.documentId());
            System.out.println("audit of the failover document: " + audited);
            System.out.println("ledger: " + ledger.toJson());
            // DSNs lost after the last record anyone saw are invisible to collectors; all others must be found
            long visibleLast = -1;
            for (long[] r : d.acked().ranges()) {
                visibleLast = Math.max(visibleLast, r[1]);
            }
            for (long[] r : d.droppedDeclared().ranges()) {
                visibleLast = Math.max(visibleLast, r[1]);
            }
            RangeSet lost = new RangeSet();
            for (long[] r : d.lostSilently().ranges()) {
                if (r[0] <= visibleLast) {
                    lost.add(r[0], Math.min(r[1], visibleLast));
                }
            }
            assertThat(lost.count()).as("a silent loss inside the document").isEqualTo(25);
            RangeSet missing = d.droppedDeclared().copy();
            missing.addAll(lost);
            assertThat(audited.get("verdict").asText()).isEqualTo("INCOMPLETE");
            assertThat(audited.get("recordsHeld").asLong()).isEqualTo(d.acked().count());
            assertThat(audited.get("expectedLast").asLong()).isEqualTo(visibleLast);
            assertThat(ranges(audited.get("missing"))).isEqualTo(ranges(missing));
            assertThat(ranges(audited.get("unexplained"))).isEqualTo(ranges(lost));
            assertThat(audited.get("declaredDrops").asLong()).isEqualTo(d.declaredDropCount()).isEqualTo(40);
            assertThat(audited.get("declaredMatched").asLong()).isEqualTo(d.droppedDeclared().count());
            assertThat(audited.get("declaredReceived").asLong()).isZero();
            assertThat(audited.get("declaredUnplaced").asLong()).isZero();
            assertThat(audited.get("failovers").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(audited.get("integrityConflicts").asLong()).isZero();
            long perNode = 0;
            for (var it = audited.get("nodes").fields(); it.hasNext(); ) {
                var e = it.next();
                assertThat(e.getKey()).isIn("node-a", "node-b");
                perNode += e.getValue().asLong();
            }
            assertThat(perNode).isEqualTo(d.acked().count());
            // one finalizer for the CMTS across both sites
            long aFinal = a.audit().finalizer().finalized();
            long bFinal = b.audit().finalizer().finalized();
            assertThat(aFinal * bFinal).as("only the leader finalizes: a=%d b=%d", aFinal, bFinal).isZero();
            assertThat(aFinal + bFinal).isEqualTo(1);
            assertThat(audited.get("finalizedBy").asText()).isEqualTo(aFinal == 1 ? "node-a" : "node-b");

            // the drill-down lists both nodes' segments and labels each gap
            String path = "/api/audit/documents/cmts-a/1/" + d.documentId() + "/" + d.exporterBootTime();
            JsonNode drill = JSON.readTree(b.get(path));
            assertThat(drill.get("segments").findValuesAsText("node")).contains("node-a", "node-b");
            long declaredGap = 0;
            long silentGap = 0;
            for (JsonNode g : drill.get("gaps")) {
                if (g.get("declared").asBoolean()) {
                    declaredGap += g.get("count").asLong();
                } else {
                    silentGap += g.get("count").asLong();
                }
            }
            assertThat(declaredGap).isEqualTo(d.droppedDeclared().count());
            assertThat(silentGap).isEqualTo(lost.count());
        }
    }

    @Test
    void rebootAndGracefulStopEndDocumentsThatEqualTheLedger() throws Exception {
        String ks = "audit_e2e_reboot";
        List<ExporterConfig> exporters = listening("cmts-r");
        try (AuditNode a = new AuditNode(ks, "node-r", "site-r", exporters).start()) {
            FleetSpec spec = dialing("cmts-r",
                    SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(400).withAcks(50, 2), a);
            Ledger ledger;
            try (Fleet fleet = Fleet.start(spec)) {
                assertThat(fleet.awaitAcked(1000, Duration.ofSeconds(40))).isTrue();
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.REBOOT, "cmts-r"));
                assertThat(fleet.awaitLedger(l -> l.documents("cmts-r", 1).size() >= 2
                        && l.documents("cmts-r", 1).get(1).acked().count() >= 300, Duration.ofSeconds(40))).isTrue();
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.STOP, "cmts-r"));
                assertThat(fleet.awaitLedger(l -> l.documents("cmts-r", 1).stream()
                        .allMatch(x -> x.stopReason() != null || x.exporterBootTime()
                                != l.documents("cmts-r", 1).get(l.documents("cmts-r", 1).size() - 1)
                                .exporterBootTime()), Duration.ofSeconds(20))).isTrue();
                Thread.sleep(500);
                ledger = fleet.ledger();
            }
            List<Ledger.Document> docs = ledger.documents("cmts-r", 1);
            System.out.println("ledger: " + ledger.toJson());
            JsonNode audited = awaitDocuments(a, "cmts-r", docs.size(), x -> x.get("state").asText().equals("FINAL"));
            System.out.println("audit: " + audited);
            CassandraStorage storage = a.app().services().store().storage();
            for (Ledger.Document d : docs) {
                JsonNode au = doc(audited, d.documentId());
                RecordKey key = new RecordKey("cmts-r", 1, UUID.fromString(d.documentId()), d.exporterBootTime());
                long stored = storage.storedSequences(key).stream().mapToLong(r -> r.count()).sum();
                assertThat(au.get("recordsHeld").asLong()).as("held = stored rows").isEqualTo(stored)
                        .isGreaterThanOrEqualTo(d.acked().count());
                // whatever is missing, the exporter never delivered it (lost on reboot or dropped)
                RangeSet gone = d.droppedDeclared().copy();
                gone.addAll(d.lostSilently());
                for (List<Long> m : ranges(au.get("missing"))) {
                    assertThat(gone.containsAll(m.get(0), m.get(1))).as("missing %s in ledger %s", m, gone).isTrue();
                }
                assertThat(au.get("declaredDrops").asLong()).isEqualTo(d.declaredDropCount());
            }
            assertThat(docs).hasSize(2);
            JsonNode first = doc(audited, docs.get(0).documentId());
            assertThat(first.get("trigger").asText()).contains("rebooted");
            // records sent but not acknowledged before the reboot are lost for the CMTS, yet stored here
            assertThat(first.get("verdict").asText()).isEqualTo("COMPLETE");
            JsonNode last = doc(audited, docs.get(docs.size() - 1).documentId());
            assertThat(last.get("trigger").asText()).startsWith("SESSION_STOP 2");
            assertThat(last.get("verdict").asText()).isEqualTo("COMPLETE");
        }
    }

    /**
     * A late record sent by the exporter: node-l1's Cassandra path stalls while it holds unacknowledged records, its
     * connection is cut, and the exporter drops those records (declaring them) and finishes the document on node-l2,
     * which finalizes it. Then node-l1's stalled writes land: the document is re-opened and re-evaluated, and the
     * records the exporter declared dropped but node-l1 had received show as received, not missing.
     */
    @Test
    void stalledWritesLandingAfterFinalizationReopenTheDocument() throws Exception {
        String ks = "audit_e2e_late";
        List<ExporterConfig> exporters = listening("cmts-l");
        CassandraServer cassandra = CassandraServer.shared();
        try (TcpProxy path = TcpProxy.start("cassandra<-node-l1", cassandra.contactPoint());
             AuditNode a = new AuditNode(ks, "node-l1", "site-l1", exporters)
                     .cassandraAt("127.0.0.1:" + path.port()).finalizing(false).start();
             AuditNode b = new AuditNode(ks, "node-l2", "site-l2", exporters).start()) {
            // a window of 500: node-l1 acks at 3/4 of it durable, so records keep coming after the stall
            FleetSpec spec = dialing("cmts-l",
                    SessionSpec.adHoc(1, Templates.SAMIS_TYPE_1, 5000).withRate(800).withAcks(500, 5), a, b);
            Ledger ledger;
            try (Fleet fleet = Fleet.start(spec)) {
                assertThat(fleet.awaitAcked(800, Duration.ofSeconds(40))).isTrue();
                String l1 = "127.0.0.1:" + a.listenPort();
                long byL1 = ackedBy(fleet.ledger(), "cmts-l", l1);
                assertThat(fleet.awaitLedger(l -> ackedBy(l, "cmts-l", l1) >= byL1 + 200, Duration.ofSeconds(40)))
                        .as("node-l1 is the primary").isTrue();
                path.pause(); // node-l1 keeps receiving but none of its writes reach Cassandra
                Thread.sleep(500);
                // the exporter stops sending, gives up on node-l1 and drops its oldest unacknowledged records
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.DROP, "cmts-l").count(600));
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.REFUSE_RECONNECTS, "cmts-l").collector(1)
                        .lasting(Duration.ofSeconds(60)));
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.SEVER, "cmts-l").collector(1));
                assertThat(fleet.awaitDrained(Duration.ofSeconds(60))).isTrue();
                assertThat(fleet.awaitLedger(l -> l.documents("cmts-l", 1).stream()
                        .allMatch(x -> x.stopReason() != null), Duration.ofSeconds(30))).isTrue();
                ledger = fleet.ledger();
            }
            System.out.println("ledger: " + ledger.toJson());
            Ledger.Document d = ledger.documents("cmts-l", 1).get(0);
            assertThat(d.stopReason()).isZero();
            assertThat(d.declaredDropCount()).isEqualTo(600);
            RangeSet sentThenDropped = intersection(d.sent(), d.droppedDeclared());
            assertThat(sentThenDropped.count()).as("node-l1 had received records the exporter then dropped")
                    .isPositive();

            JsonNode before = doc(awaitDocuments(b, "cmts-l", 1, x -> x.get("state").asText().equals("FINAL")),
                    d.documentId());
            System.out.println("audit before the stalled writes land: " + before);
            // node-l1 may have stored part of what the exporter then dropped before its path stalled; the rest is
            // stuck in flight: what the audit holds now is acked plus that early part, exactly what Cassandra has
            RecordKey key = new RecordKey("cmts-l", 1, UUID.fromString(d.documentId()), d.exporterBootTime());
            CassandraStorage storage = b.app().services().store().storage();
            RangeSet heldBefore = new RangeSet();
            storage.storedSequences(key).forEach(r -> heldBefore.add(r.first(), r.last()));
            RangeSet deliveredOrSent = d.acked().copy();
            deliveredOrSent.addAll(sentThenDropped);
            for (long[] r : heldBefore.ranges()) {
                assertThat(deliveredOrSent.containsAll(r[0], r[1])).as("stored %d..%d", r[0], r[1]).isTrue();
            }
            assertThat(before.get("recordsHeld").asLong()).isEqualTo(heldBefore.count());
            assertThat(before.get("recordsHeld").asLong()).as("some of node-l1's writes are still stuck")
                    .isLessThan(deliveredOrSent.count());
            assertThat(before.get("verdict").asText()).isEqualTo("COMPLETE_WITH_DECLARED_DROPS");
            assertThat(before.get("declaredMatched").asLong() + before.get("declaredReceived").asLong())
                    .isEqualTo(d.droppedDeclared().count());

            path.resume(); // node-l1's stalled writes land after the document was finalized
            JsonNode after = doc(awaitDocuments(b, "cmts-l", 1, x -> x.get("reopenCount").asInt() >= 1
                    && x.get("state").asText().equals("FINAL")), d.documentId());
            System.out.println("audit after: " + after);
            RangeSet expectedMissing = new RangeSet();
            for (long[] r : d.droppedDeclared().ranges()) {
                for (long[] m : d.sent().missingIn(r[0], r[1]).ranges()) {
                    expectedMissing.add(m[0], m[1]);
                }
            }
            assertThat(after.get("recordsHeld").asLong()).isEqualTo(d.acked().count() + sentThenDropped.count());
            assertThat(ranges(after.get("missing"))).isEqualTo(ranges(expectedMissing));
            assertThat(after.get("declaredDrops").asLong()).isEqualTo(600);
            assertThat(after.get("declaredMatched").asLong()).isEqualTo(expectedMissing.count());
            assertThat(after.get("declaredReceived").asLong()).isEqualTo(sentThenDropped.count());
            assertThat(after.get("unexplainedCount").asLong()).isZero();
            assertThat(after.get("verdict").asText()).isEqualTo("COMPLETE_WITH_DECLARED_DROPS");
            assertThat(after.get("nodes").get("node-l1").asLong()).isGreaterThanOrEqualTo(sentThenDropped.count());
            String path0 = "/api/audit/documents/cmts-l/1/" + d.documentId() + "/" + d.exporterBootTime();
            JsonNode history = JSON.readTree(b.get(path0)).get("history");
            assertThat(history.findValuesAsText("event")).containsSubsequence("FINALIZED", "REOPENED", "FINALIZED");
            assertThat(a.audit().finalizer()).as("node-l1 does not finalize").isNull();
        }
    }

    /**
     * A template change mid-document: the exporter stops the document with reason 7 and continues in a new document
     * under a new configId. The stopped one is final once idle while the newer one runs; both equal the ledger, and
     * each exports with its own template.
     */
    @Test
    void aTemplateChangeMidDocumentEndsItAndTheNextUsesTheNewTemplate() throws Exception {
        String ks = "audit_e2e_template";
        List<ExporterConfig> exporters = listening("cmts-t");
        try (AuditNode a = new AuditNode(ks, "node-t", "site-t", exporters).start()) {
            FleetSpec spec = dialing("cmts-t",
                    SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(400).withAcks(50, 2), a);
            Ledger ledger;
            try (Fleet fleet = Fleet.start(spec)) {
                assertThat(fleet.awaitAcked(600, Duration.ofSeconds(40))).isTrue();
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.CHANGE_TEMPLATE, "cmts-t"));
                assertThat(fleet.awaitLedger(l -> l.documents("cmts-t", 1).size() == 2
                        && l.documents("cmts-t", 1).get(1).acked().count() >= 600, Duration.ofSeconds(40))).isTrue();
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.STOP, "cmts-t"));
                assertThat(fleet.awaitLedger(l -> l.documents("cmts-t", 1).stream()
                        .allMatch(x -> x.stopReason() != null), Duration.ofSeconds(30))).isTrue();
                ledger = fleet.ledger();
            }
            System.out.println("ledger: " + ledger.toJson());
            List<Ledger.Document> docs = ledger.documents("cmts-t", 1);
            assertThat(docs).hasSize(2);
            assertThat(docs.get(0).stopReason()).isEqualTo(7);
            assertThat(docs.get(1).configId()).isNotEqualTo(docs.get(0).configId());
            JsonNode audited = awaitDocuments(a, "cmts-t", 2, x -> x.get("state").asText().equals("FINAL"));
            System.out.println("audit: " + audited);
            CassandraStorage storage = a.app().services().store().storage();
            int[] fields = new int[2];
            for (int i = 0; i < 2; i++) {
                Ledger.Document d = docs.get(i);
                JsonNode au = doc(audited, d.documentId());
                RecordKey key = new RecordKey("cmts-t", 1, UUID.fromString(d.documentId()), d.exporterBootTime());
                RangeSet stored = new RangeSet();
                storage.storedSequences(key).forEach(r -> stored.add(r.first(), r.last()));
                assertThat(au.get("verdict").asText()).isEqualTo("COMPLETE");
                assertThat(ranges(au.get("missing"))).isEmpty();
                // every acked record, plus what was sent but not yet acked when the exporter stopped (stored here)
                assertThat(au.get("recordsHeld").asLong()).isEqualTo(stored.count());
                assertThat(ranges(stored)).isEqualTo(ranges(d.sent()));
                assertThat(d.sent().count() - d.acked().count()).isLessThanOrEqualTo(50);
                // the export decodes every record with the document's own template
                byte[] xdr = a.getBytes("/api/documents/cmts-t/1/" + d.documentId() + "/" + d.exporterBootTime()
                        + "/ipdr.xdr");
                try (IpdrXdrReader r = new IpdrXdrReader(new ByteArrayInputStream(xdr))) {
                    r.header();
                    long n = 0;
                    for (XdrElement e = r.next(); e != null; e = r.next()) {
                        if (e instanceof XdrRecord rec) {
                            fields[i] = rec.values().size();
                            n++;
                        }
                    }
                    assertThat(n).isEqualTo(stored.count());
                    assertThat(r.docEnd().count()).isEqualTo((int) n);
                }
            }
            assertThat(doc(audited, docs.get(0).documentId()).get("trigger").asText())
                    .contains("newer document started");
            assertThat(fields[1]).as("fields per record after the change").isEqualTo(fields[0] - 1);
        }
    }

    /** The node side: one CMTS that dials in. */
    static List<ExporterConfig> listening(String cmts) {
        return List.of(new ExporterConfig(cmts, "127.0.0.1", 4737, Direction.LISTEN).keepAliveSeconds(5));
    }

    /** One simulated CMTS dialing {@code nodes} at priorities 1, 2, ... in that order, with one session. */
    static FleetSpec dialing(String cmts, SessionSpec session, AuditNode... nodes) {
        List<CollectorSpec> collectors = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            collectors.add(CollectorSpec.at("127.0.0.1", nodes[i].listenPort(), i + 1));
        }
        return FleetSpec.of(CmtsSpec.of(cmts, io.ipdrsp.simulator.Direction.CONNECT, collectors, List.of(session))
                .withListen("127.0.0.1", 0).withKeepAlive(5).withReconnectDelay(Duration.ofMillis(300)));
    }

    private static long ackedBy(Ledger l, String cmts, String collector) {
        long n = 0;
        for (Ledger.Document d : l.documents(cmts, 1)) {
            RangeSet r = d.ackedBy().get(collector);
            n += r == null ? 0 : r.count();
        }
        return n;
    }

    private static RangeSet intersection(RangeSet x, RangeSet y) {
        RangeSet out = new RangeSet();
        for (long[] r : y.ranges()) {
            RangeSet notInX = x.missingIn(r[0], r[1]);
            for (long dsn = r[0]; dsn <= r[1]; dsn++) {
                if (!notInX.contains(dsn)) {
                    out.add(dsn);
                }
            }
        }
        return out;
    }
}
