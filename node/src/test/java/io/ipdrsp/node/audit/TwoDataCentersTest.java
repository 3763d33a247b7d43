package io.ipdrsp.node.audit;

import static io.ipdrsp.node.audit.AuditScenarioTest.dialing;
import static io.ipdrsp.node.audit.AuditScenarioTest.listening;
import static io.ipdrsp.node.cluster.AuditCheck.ranges;
import static io.ipdrsp.node.audit.AuditScenarioTest.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.simulator.Fault;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.Ledger;
import io.ipdrsp.simulator.RangeSet;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import io.ipdrsp.storage.RecordKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two sites over two real Cassandra data centers: one Cassandra process per DC (dc-a on 127.0.0.1, dc-b on 127.0.0.2,
 * GossipingPropertyFileSnitch, NetworkTopologyStrategy {dc-a: 1, dc-b: 1}), one collector site per DC (its own
 * Hazelcast cluster, storage.localDatacenter, LOCAL_QUORUM; one ZooKeeper ensemble for both, as docs/deployment.md
 * prescribes), and a CMTS that lists site A's node first and site B's second.
 */
class TwoDataCentersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** docs/audit.md, several sites: grace above the cross-site replication delay (seconds here, on loopback). */
    private static final long GRACE_SECONDS = 6;
    private static final String KEYSPACE = "two_dc";

    @Test
    void aCmtsFailingOverBetweenSitesIsAuditedAsTheLedgerInBothDataCentersAndADcOutageStopsNeitherSite(
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        String cluster = "two-dc-" + ProcessHandle.current().pid();
        long t0 = System.nanoTime();
        try (CassandraServer dcA = CassandraServer.builder(dir.resolve("dc-a")).heap("-Xms128m -Xmx512m")
                     .clusterName(cluster).datacenter("dc-a").listenAddress("127.0.0.1")
                     .seeds("127.0.0.1,127.0.0.2").initialToken(0).start();
             CassandraServer dcB = CassandraServer.builder(dir.resolve("dc-b")).heap("-Xms128m -Xmx512m")
                     .clusterName(cluster).datacenter("dc-b").listenAddress("127.0.0.2")
                     .seeds("127.0.0.1,127.0.0.2").initialToken(Long.MIN_VALUE / 2).nativePort(dcA.nativePort())
                     .start()) {
            awaitPeers(dcA, "dc-b");
            awaitPeers(dcB, "dc-a");
            System.out.printf("two data centers up in %d ms: %s, %s%n", (System.nanoTime() - t0) / 1_000_000, dcA,
                    dcB);
            List<ExporterConfig> exporters = listening("cmts-geo");
            try (AuditNode a = site(new AuditNode(KEYSPACE, "node-a", "site-a", exporters), dcA).start();
                 AuditNode b = site(new AuditNode(KEYSPACE, "node-b", "site-b", exporters), dcB).start()) {
                failoverMidDocumentEqualsTheLedgerInBothSites(a, b);
                aDcOutageStopsNeitherCollectionNorTheOtherSite(a, b, dcB);
            }
        }
    }

    /** The CMTS streams to site A, is cut off from it mid-document and finishes the document on site B. */
    private static void failoverMidDocumentEqualsTheLedgerInBothSites(AuditNode a, AuditNode b) throws Exception {
        Ledger.Document d;
        try (Fleet fleet = Fleet.start(dialing("cmts-geo",
                SessionSpec.adHoc(1, Templates.SAMIS_TYPE_1, 5000).withRate(800).withAcks(50, 2), a, b))) {
            assertThat(fleet.awaitAcked(1000, Duration.ofSeconds(60))).isTrue();
            fleet.inject(Fault.at(Duration.ZERO, Fault.Action.REFUSE_RECONNECTS, "cmts-geo").collector(1)
                    .lasting(Duration.ofMinutes(5)));
            fleet.inject(Fault.at(Duration.ZERO, Fault.Action.SEVER, "cmts-geo").collector(1));
            assertThat(fleet.awaitDrained(Duration.ofSeconds(120))).as("every record acked").isTrue();
            assertThat(fleet.awaitLedger(l -> l.documents("cmts-geo", 1).stream().allMatch(x -> x.stopReason() != null),
                    Duration.ofSeconds(30))).as("the exporter ended the document").isTrue();
            d = fleet.ledger().documents("cmts-geo", 1).get(0);
            System.out.println("ledger: " + fleet.ledger().toJson());
        }
        assertThat(d.ackedBy()).as("site A acked the first part, site B the rest").hasSize(2);
        assertThat(d.acked().count()).isEqualTo(5000);

        for (AuditNode site : List.of(a, b)) {
            JsonNode audited = awaitDocument(site, "cmts-geo", d.documentId(),
                    x -> x.get("state").asText().equals("FINAL"), Duration.ofSeconds(120));
            System.out.println(site.id() + " audit: " + audited);
            assertThat(audited.get("verdict").asText()).isEqualTo("COMPLETE");
            assertThat(audited.get("recordsHeld").asLong()).isEqualTo(d.acked().count());
            assertThat(ranges(audited.get("missing"))).isEmpty();
            assertThat(audited.get("failovers").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(audited.get("nodes").get("node-a").asLong()).isPositive();
            assertThat(audited.get("nodes").get("node-b").asLong()).isPositive();
            // this site's own data center holds every record, including those the other site stored
            assertThat(ranges(storedInSite(site, d))).isEqualTo(ranges(d.acked()));
            JsonNode drill = JSON.readTree(site.get("/api/audit/documents/cmts-geo/1/" + d.documentId() + "/"
                    + d.exporterBootTime()));
            assertThat(drill.get("live").get("recordsHeld").asLong()).isEqualTo(d.acked().count());
            // the verdict waited the cross-site grace after the exporter's SESSION_STOP
            Instant stopped = Instant.MIN;
            for (JsonNode s : drill.get("segments")) {
                if (!s.get("stoppedAt").isNull()) {
                    stopped = later(stopped, instant(s.get("stoppedAt")));
                }
            }
            Instant finalized = instant(audited.get("finalizedAt"));
            assertThat(Duration.between(stopped, finalized)).as("stopped %s, finalized %s", stopped, finalized)
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(GRACE_SECONDS));
        }
    }

    /**
     * Data center B goes down: the CMTS keeps streaming to site A without failing over, site A stores every record in
     * its own data center and its audit API keeps answering. The verdict needs a quorum of all replicas
     * (serialConsistency SERIAL, docs/audit.md), so it follows once dc-b is back, and both sites agree with the ledger.
     */
    private static void aDcOutageStopsNeitherCollectionNorTheOtherSite(AuditNode a, AuditNode b, CassandraServer dcB)
            throws Exception {
        dcB.stop();
        Ledger.Document d;
        try (Fleet fleet = Fleet.start(dialing("cmts-geo",
                SessionSpec.adHoc(1, Templates.SAMIS_TYPE_1, 3000).withRate(800).withAcks(50, 2), a, b))) {
            assertThat(fleet.awaitDrained(Duration.ofSeconds(120))).as("every record acked with dc-b down").isTrue();
            assertThat(fleet.awaitLedger(l -> l.documents("cmts-geo", 1).stream().allMatch(x -> x.stopReason() != null),
                    Duration.ofSeconds(30))).isTrue();
            d = fleet.ledger().documents("cmts-geo", 1).get(0);
        }
        assertThat(d.ackedBy().keySet()).as("no failover to site B").containsExactly("127.0.0.1:" + a.listenPort());
        assertThat(ranges(storedInSite(a, d))).isEqualTo(ranges(d.acked()));
        JsonNode during = report(a, "cmts-geo");
        System.out.println("site A audit while dc-b is down: " + during);
        assertThat(during.get("exporters").get(0).get("documentList").findValuesAsText("documentId"))
                .contains(d.documentId());

        dcB.restart();
        for (AuditNode site : List.of(a, b)) {
            JsonNode audited = awaitDocument(site, "cmts-geo", d.documentId(),
                    x -> x.get("state").asText().equals("FINAL") && x.get("verdict").asText().equals("COMPLETE")
                            && x.get("recordsHeld").asLong() == d.acked().count(), Duration.ofSeconds(180));
            System.out.println(site.id() + " audit after dc-b came back: " + audited);
            // dc-b gets the records it missed by hinted handoff from dc-a, seconds after it is back
            awaitHeldInSite(site, d, Duration.ofSeconds(120));
            assertThat(ranges(storedInSite(site, d))).isEqualTo(ranges(d.acked()));
        }
    }

    /** A site's node: its own data center, LOCAL_QUORUM, the multi-site audit settings of docs/audit.md. */
    private static AuditNode site(AuditNode node, CassandraServer dc) throws Exception {
        node.cassandraAt(dc.contactPoint().getHostString() + ":" + dc.nativePort());
        node.config.getStorage().localDatacenter(dc.localDatacenter()).consistency("LOCAL_QUORUM");
        node.config.getStorage().getReplication().put("dc-a", 1);
        node.config.getStorage().getReplication().put("dc-b", 1);
        node.config.getAudit().graceSeconds(GRACE_SECONDS);
        Jackson.newObjectMapper().readerForUpdating(node.config.getAudit())
                .readValue("{\"serialConsistency\": \"SERIAL\"}");
        return node;
    }

    /** Until the site's own data center holds every acknowledged record of the document (the live evaluation). */
    private static void awaitHeldInSite(AuditNode site, Ledger.Document d, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String path = "/api/audit/documents/" + d.cmts() + "/1/" + d.documentId() + "/" + d.exporterBootTime();
        long held = -1;
        while (System.nanoTime() < deadline) {
            try {
                held = JSON.readTree(site.get(path)).get("live").get("recordsHeld").asLong();
            } catch (AssertionError notServingYet) {
                held = -1;
            }
            if (held == d.acked().count()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(site.id() + "'s data center holds " + held + " of " + d.acked().count()
                + " records of " + d.documentId() + " after " + timeout);
    }

    /** The document's DSNs as the site's node reads them from its own data center. */
    private static RangeSet storedInSite(AuditNode site, Ledger.Document d) {
        RecordKey key = new RecordKey(d.cmts(), d.sessionId(), UUID.fromString(d.documentId()), d.exporterBootTime());
        RangeSet held = new RangeSet();
        site.app().services().store().storage().storedSequences(key).forEach(r -> held.add(r.first(), r.last()));
        return held;
    }

    /** Until each node sees the other data center in gossip (a keyspace naming an unknown DC is refused). */
    private static void awaitPeers(CassandraServer dc, String otherDc) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        try (CqlSession cql = CqlSession.builder().addContactPoint(dc.contactPoint())
                .withLocalDatacenter(dc.localDatacenter()).build()) {
            while (cql.execute("SELECT data_center FROM system.peers_v2").all().stream()
                    .noneMatch(r -> otherDc.equals(r.getString(0)))) {
                assertThat(System.nanoTime()).as("%s sees %s", dc, otherDc).isLessThan(deadline);
                Thread.sleep(250);
            }
        }
    }

    private static JsonNode awaitDocument(AuditNode node, String cmts, String documentId, Predicate<JsonNode> done,
            Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object last = null;
        while (System.nanoTime() < deadline) {
            JsonNode exporters;
            try {
                exporters = report(node, cmts).get("exporters");
            } catch (AssertionError notServingYet) {
                // e.g. 503 while the node's driver reconnects to its data center after the outage
                last = notServingYet.getMessage();
                Thread.sleep(500);
                continue;
            }
            if (exporters.size() > 0) {
                for (JsonNode x : exporters.get(0).get("documentList")) {
                    if (x.get("documentId").asText().equals(documentId)) {
                        last = x;
                        if (done.test(x)) {
                            return x;
                        }
                    }
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError(node.id() + ": audit of " + documentId + " not settled in " + timeout + ": " + last);
    }

    /** REST timestamps: ISO-8601 text, or epoch seconds with a fraction (Jackson's default for Instant). */
    /** A time of the audit API: ISO-8601 text (Instant.parse fails on anything else). */
    private static Instant instant(JsonNode t) {
        return Instant.parse(t.asText());
    }

    private static Instant later(Instant x, Instant y) {
        return x.isAfter(y) ? x : y;
    }
}
