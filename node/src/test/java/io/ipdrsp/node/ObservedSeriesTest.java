package io.ipdrsp.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.protocol.Data;
import io.ipdrsp.protocol.DataAck;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Fault;
import io.ipdrsp.simulator.FailoverMode;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The series two real nodes of one site expose in {@code /prometheus} over a run with failovers, an integrity alarm
 * and a document finalized INCOMPLETE, scraped before ("quiet"), while a CMTS sends ("running") and after ("after").
 * They are what
 * {@code ops/observability/scrapes/} holds: ops/helm-check checks the catalogue, dashboard and alerts against those
 * files and feeds them to {@code promtool test rules}. This test fails when the shape of the series (families, types,
 * label names) differs from the saved files; {@code -Dipdr.observability.record=true} writes them anew from this run.
 */
class ObservedSeriesTest {
    static final String SITE = "dc1";
    /** A simulated CMTS that fails over between the two nodes and loses records silently. */
    static final String FAILING_CMTS = "cmts-east-1";
    /** A hand-driven CMTS that sends two versions of one record number, one to each node. */
    static final String CONFLICTING_CMTS = "cmts-east-2";
    private static final String RECORD = "ipdr.observability.record";

    @Test
    void aRealRunExposesTheSeriesOpsObservabilityHolds() throws Exception {
        List<ExporterConfig> exporters = List.of(
                new ExporterConfig(FAILING_CMTS, "127.0.0.1", 4737, Direction.LISTEN).keepAliveSeconds(5),
                new ExporterConfig(CONFLICTING_CMTS, "127.0.0.9", 4737, Direction.LISTEN).keepAliveSeconds(5));
        try (NodeHarness a = node("node-a", exporters); NodeHarness b = node("node-b", exporters)) {
            String cluster = "it-obs-" + System.nanoTime();
            a.config.getCluster().clusterName(cluster).getMembers().add("127.0.0.1:" + b.config.getCluster().getHazelcastPort());
            b.config.getCluster().clusterName(cluster).getMembers().add("127.0.0.1:" + a.config.getCluster().getHazelcastPort());
            a.start();
            b.start();
            NodeHarness.await("both nodes in one Hazelcast cluster", Duration.ofSeconds(60),
                    () -> a.services().cluster().hazelcastMembers().size() == 2);
            Map<String, Scrape> quiet = scrapeBoth(a, b);

            Map<String, Scrape> running = failOverAndLose(a, b);
            conflictingVersions(a, b);
            NodeHarness.await("the integrity alarm of " + CONFLICTING_CMTS, Duration.ofSeconds(90),
                    () -> total(a, b, "ipdr_integrity_alarms_total",
                            Map.of("exporter", CONFLICTING_CMTS, "kind", "read_back")) == 1);
            NodeHarness.await("an INCOMPLETE document of " + FAILING_CMTS + " on both nodes", Duration.ofSeconds(120),
                    () -> List.of(a, b).stream().allMatch(n -> scrape(n).sum("ipdr_documents",
                            Map.of("exporter", FAILING_CMTS, "verdict", "INCOMPLETE")) >= 1));
            Map<String, Scrape> after = scrapeBoth(a, b);

            assertThat(sum(after, "ipdr_failovers_total", Map.of("exporter", FAILING_CMTS)))
                    .as("failovers of %s, labelled by the CMTS", FAILING_CMTS).isGreaterThanOrEqualTo(4);
            assertThat(sum(after, "ipdr_integrity_alarms_total", Map.of("exporter", FAILING_CMTS))).isZero();
            assertThat(sum(after, "ipdr_connections_open", Map.of())).as("a gauge: back to 0").isZero();
            assertThat(sum(after, "jvm_memory_used_bytes", Map.of("area", "heap"))).isPositive();
            assertThat(sum(after, "process_cpu_seconds_total", Map.of())).isPositive();
            assertThat(sum(running, "ipdr_session_primary", Map.of("exporter", FAILING_CMTS)))
                    .as("one primary while the CMTS sends").isEqualTo(1);
            noCounterWentDown(quiet, running);
            noCounterWentDown(running, after);
            Map<String, Map<String, Scrape>> phases = new LinkedHashMap<>();
            phases.put("quiet", quiet);
            phases.put("running", running);
            phases.put("after", after);
            saveOrCompare(phases);
        }
    }

    private static NodeHarness node(String id, List<ExporterConfig> exporters) throws Exception {
        NodeHarness n = new NodeHarness("obs_series", exporters);
        n.config.getNode().id(id).site(SITE);
        return n.fastAudit();
    }

    /**
     * The simulated CMTS: at least 4 failovers between the nodes, then records lost silently, then its end. Returns
     * the nodes' scrapes while it sends, after the failovers.
     */
    private static Map<String, Scrape> failOverAndLose(NodeHarness a, NodeHarness b) throws Exception {
        FleetSpec spec = FleetSpec.of(CmtsSpec.of(FAILING_CMTS, io.ipdrsp.simulator.Direction.CONNECT,
                List.of(CollectorSpec.at("127.0.0.1", a.listenPort(), 1), CollectorSpec.at("127.0.0.1", b.listenPort(), 2)),
                List.of(SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(200).withAcks(50, 1).withRecords(100_000)))
                .withListen("127.0.0.1", 0).withKeepAlive(5).withReconnectDelay(Duration.ofMillis(200))
                .withFailover(FailoverMode.REFERENCE)); // SESSION_START primary=true to whichever collector takes over
        try (Fleet fleet = Fleet.start(spec)) {
            assertThat(fleet.awaitAcked(200, Duration.ofSeconds(40))).isTrue();
            long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
            while (total(a, b, "ipdr_failovers_total", Map.of("exporter", FAILING_CMTS)) < 4) {
                assertThat(System.nanoTime()).as("4 failovers in time").isLessThan(deadline);
                double before = total(a, b, "ipdr_failovers_total", Map.of("exporter", FAILING_CMTS));
                // node-a's connection is cut and refused for 3 s: node-b takes over, then node-a takes it back. Every
                // move of the data is counted (a stretch claims the primary role with its first durable record), but
                // a round moves it once only when the start-up race left the data on node-b: cutting the idle node-a
                // moves nothing, and its return takes the data back
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.REFUSE_RECONNECTS, FAILING_CMTS).collector(1)
                        .lasting(Duration.ofSeconds(3)));
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.SEVER, FAILING_CMTS).collector(1));
                NodeHarness.await("a failover or a fail-back", Duration.ofSeconds(60),
                        () -> total(a, b, "ipdr_failovers_total", Map.of("exporter", FAILING_CMTS)) >= before + 1);
            }
            long acked = fleet.ledger().totalAcked();
            assertThat(fleet.awaitAcked(acked + 200, Duration.ofSeconds(40))).isTrue();
            Map<String, Scrape> running = scrapeBoth(a, b);
            acked = fleet.ledger().totalAcked();
            fleet.inject(Fault.at(Duration.ZERO, Fault.Action.LOSE, FAILING_CMTS).count(25));
            assertThat(fleet.awaitAcked(acked + 400, Duration.ofSeconds(40))).isTrue();
            fleet.inject(Fault.at(Duration.ZERO, Fault.Action.STOP, FAILING_CMTS)); // SESSION_STOP 2 + DISCONNECT
            assertThat(fleet.awaitLedger(l -> l.documents(FAILING_CMTS, 1).stream().allMatch(d -> d.stopReason() != null),
                    Duration.ofSeconds(30))).isTrue();
            return running;
        }
    }

    /** Record 2 of one document: "v1" to node-a, then re-sent (D flag) to node-b as "v2": two versions stored. */
    private static void conflictingVersions(NodeHarness a, NodeHarness b) throws Exception {
        UUID document = UUID.randomUUID();
        try (RawExporter first = new RawExporter("127.0.0.9", a.listenPort())) {
            first.openSession(document);
            for (long dsn = 0; dsn < 5; dsn++) {
                first.send(Data.of(1, 7, 1, 0, dsn, RawExporter.record(dsn, "v1")));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (first.expect(DataAck.class).sequenceNum() < 4) {
                assertThat(System.nanoTime()).as("records 0..4 acknowledged").isLessThan(deadline);
            }
        }
        // the durable ranges reach the cluster's view within a second of the write
        NodeHarness.await(CONFLICTING_CMTS + "'s records published", Duration.ofSeconds(20),
                () -> scrape(a).sum("ipdr_records_stored_total", Map.of()) > 0);
        Thread.sleep(2000);
        try (RawExporter second = new RawExporter("127.0.0.9", b.listenPort())) {
            second.openSession(document);
            second.send(Data.of(1, 7, 1, Data.FLAG_DUPLICATE, 2, RawExporter.record(2, "v2")));
            second.send(Data.of(1, 7, 1, 0, 5, RawExporter.record(5, "v1")));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (second.expect(DataAck.class).sequenceNum() < 5) {
                assertThat(System.nanoTime()).as("records 2 and 5 acknowledged").isLessThan(deadline);
            }
        }
    }

    private static Map<String, Scrape> scrapeBoth(NodeHarness a, NodeHarness b) throws Exception {
        Map<String, Scrape> out = new LinkedHashMap<>();
        for (NodeHarness n : List.of(a, b)) {
            assertThat(n.api("/api/exporters").statusCode()).isEqualTo(200); // an HTTP request for its histogram
            out.put(n.config.getNode().getId(), scrape(n));
        }
        return out;
    }

    static Scrape scrape(NodeHarness node) {
        try {
            var r = node.admin("/prometheus");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return Scrape.parse(r.body());
        } catch (Exception e) {
            throw new AssertionError("scrape failed", e);
        }
    }

    private static double total(NodeHarness a, NodeHarness b, String name, Map<String, String> labels) {
        return scrape(a).sum(name, labels) + scrape(b).sum(name, labels);
    }

    private static double sum(Map<String, Scrape> scrapes, String name, Map<String, String> labels) {
        return scrapes.values().stream().mapToDouble(s -> s.sum(name, labels)).sum();
    }

    /** Every counter sample of the first scrape is there in the second, and not lower. */
    private static void noCounterWentDown(Map<String, Scrape> before, Map<String, Scrape> after) {
        List<String> down = new ArrayList<>();
        before.forEach((node, s) -> {
            Scrape later = after.get(node);
            for (Scrape.Sample x : s.samples()) {
                boolean counter = "counter".equals(s.types().get(s.family(x.name())));
                Scrape.Sample y = later.samples().stream().filter(z -> z.name().equals(x.name())
                        && z.labels().equals(x.labels())).findFirst().orElse(null);
                if (counter && (y == null || y.value() < x.value())) {
                    down.add(node + " " + x + " -> " + y);
                }
            }
        });
        assertThat(down).as("counters that went down or disappeared").isEmpty();
    }

    /**
     * Writes the scrapes (-Dipdr.observability.record=true) or compares their shape with the saved ones: the union
     * over every node and phase, so that a family one scrape lacks by timing (a JVM pool's first GC) is no difference.
     */
    private static void saveOrCompare(Map<String, Map<String, Scrape>> phases) throws Exception {
        Path dir = repository().resolve("ops/observability/scrapes");
        boolean record = Boolean.getBoolean(RECORD);
        List<Scrape> live = new ArrayList<>();
        List<Scrape> saved = new ArrayList<>();
        for (var phase : phases.entrySet()) {
            for (var node : phase.getValue().entrySet()) {
                Path file = dir.resolve(phase.getKey() + "-" + node.getKey() + ".prom");
                if (record) {
                    Files.createDirectories(dir);
                    Files.writeString(file, "# ipdr scrape: node=" + node.getKey() + " site=" + SITE + " phase="
                            + phase.getKey() + " (ObservedSeriesTest; re-record with -D" + RECORD + "=true)\n"
                            + node.getValue().text(), StandardCharsets.UTF_8);
                }
                assertThat(file).as("saved scrape (record them with -D%s=true)", RECORD).exists();
                saved.add(Scrape.parse(Files.readString(file, StandardCharsets.UTF_8)));
                live.add(node.getValue());
            }
        }
        Map<String, String> now = Scrape.shape(live);
        Map<String, String> kept = Scrape.shape(saved);
        Map<String, String> differences = new java.util.TreeMap<>();
        java.util.Set<String> families = new java.util.TreeSet<>(now.keySet());
        families.addAll(kept.keySet());
        for (String f : families) {
            if (!java.util.Objects.equals(now.get(f), kept.get(f))) {
                differences.put(f, "now " + now.getOrDefault(f, "absent") + ", saved " + kept.getOrDefault(f, "absent"));
            }
        }
        System.out.println("scrapes " + (record ? "recorded in " : "compared with ") + dir + ": " + now.size()
                + " metric families");
        assertThat(differences).as("the series of real nodes vs ops/observability/scrapes (families, types, label"
                + " names): update metrics.yaml, the alerts and dashboard, then re-record with -D%s=true", RECORD)
                .isEmpty();
    }

    static Path repository() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("ops/observability"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("ops/observability above the working directory").isNotNull();
        return dir;
    }
}
