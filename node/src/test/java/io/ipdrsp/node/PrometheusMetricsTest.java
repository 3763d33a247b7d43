package io.ipdrsp.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.simulator.Fault;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.Ledger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The node's admin {@code /prometheus} after a real session over TCP (real Cassandra, ZooKeeper, Hazelcast, the
 * simulator as CMTS): the labelled per-CMTS metrics carry the numbers the simulator saw, and every name
 * {@code ops/observability/metrics.yaml} marks "exported" is in the scrape.
 */
class PrometheusMetricsTest {
    private static final String CMTS = "cmts-prom";
    private static final int RECORDS = 600;
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern TYPE = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$");

    @Test
    void labelledMetricsCountWhatTheCmtsSawAndTheCatalogueIsScraped() throws Exception {
        List<ExporterConfig> exporters = List.of(
                new ExporterConfig(CMTS, "127.0.0.1", 4737, Direction.LISTEN).keepAliveSeconds(5));
        try (NodeHarness node = new NodeHarness("prom_metrics", exporters)) {
            node.fastAudit().start(); // a document gets its verdict within the test
            FleetSpec spec = node.dialingCmts(CMTS, 600, RECORDS);
            Map<String, String> session1 = Map.of("exporter", CMTS, "session", "1");
            try (Fleet fleet = Fleet.start(spec)) {
                assertThat(fleet.awaitAcked(RECORDS, Duration.ofSeconds(40))).as("all records acknowledged").isTrue();
                assertThat(fleet.awaitDrained(Duration.ofSeconds(10))).isTrue();
                Ledger ledger = fleet.ledger();
                assertThat(ledger.totalAcked()).isEqualTo(RECORDS);
                assertThat(ledger.totalSent()).as("no faults: nothing re-sent").isEqualTo(RECORDS);

                String scrape = scrape(node);
                System.out.println(scrape.lines().filter(l -> l.contains(CMTS)).toList());
                assertThat(value(scrape, "ipdr_exporter_records_received_total", session1))
                        .as("received per CMTS/session = records the simulator got acked").isEqualTo(RECORDS);
                assertThat(value(scrape, "ipdr_exporter_records_acked_total", session1))
                        .as("acked per CMTS/session").isEqualTo(ledger.totalAcked());
                assertThat(value(scrape, "ipdr_session_primary", session1)).as("this node is primary").isEqualTo(1);
                assertThat(value(scrape, "ipdr_records_received_total", Map.of()))
                        .as("the node-wide counter agrees").isEqualTo(RECORDS);
                assertThat(value(scrape, "ipdr_documents", Map.of("exporter", CMTS, "verdict", "INCOMPLETE")))
                        .as("no verdict yet: the configured CMTS reports 0").isZero();

                // every ipdr_ name the catalogue says the node exports is in this real scrape, with its type (the
                // whole catalogue, labels included, is compared with two nodes' scrapes by ObservedSeriesTest)
                Map<String, String> types = new TreeMap<>();
                Matcher t = TYPE.matcher(scrape);
                while (t.find()) {
                    types.put(t.group(1), t.group(2));
                }
                Map<String, String> exported = exportedInCatalogue();
                assertThat(exported).containsKeys("ipdr_exporter_records_received_total",
                        "ipdr_exporter_records_acked_total", "ipdr_session_primary", "ipdr_documents");
                assertThat(types).as("metrics.yaml 'exported' vs the node's /prometheus").containsAllEntriesOf(exported);

                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.STOP, CMTS)); // SESSION_STOP 2 + DISCONNECT
                assertThat(fleet.awaitLedger(l -> l.documents(CMTS, 1).stream().allMatch(d -> d.stopReason() != null),
                        Duration.ofSeconds(20))).isTrue();
            }
            // SESSION_STOP / disconnect: the primary series is gone, the counters stay
            NodeHarness.await("ipdr_session_primary removed", Duration.ofSeconds(10),
                    () -> value(scrape(node), "ipdr_session_primary", session1) == null);
            // the document is finalized (SESSION_STOP 2, 1 s grace) and counted from Cassandra's audit rows
            NodeHarness.await("ipdr_documents{verdict=COMPLETE} >= 1", Duration.ofSeconds(60), () -> {
                Double complete = value(scrape(node), "ipdr_documents", Map.of("exporter", CMTS, "verdict", "COMPLETE"));
                return complete != null && complete >= 1;
            });
            String last = scrape(node);
            assertThat(value(last, "ipdr_documents", Map.of("exporter", CMTS, "verdict", "COMPLETE"))).isEqualTo(1);
            assertThat(value(last, "ipdr_documents", Map.of("exporter", CMTS, "verdict", "INCOMPLETE"))).isZero();
            assertThat(value(last, "ipdr_documents",
                    Map.of("exporter", CMTS, "verdict", "COMPLETE_WITH_DECLARED_DROPS"))).isZero();
            assertThat(value(last, "ipdr_exporter_records_received_total", session1)).isEqualTo(RECORDS);
            assertThat(value(last, "ipdr_exporter_records_acked_total", session1)).isEqualTo(RECORDS);
        }
    }

    private static String scrape(NodeHarness node) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(TestUsers.request(
                    URI.create("http://127.0.0.1:" + node.adminPort() + "/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return r.body();
        } catch (Exception e) {
            throw new AssertionError("scrape failed", e);
        }
    }

    /** The value of the one sample of {@code name} with exactly {@code labels}; null when there is none. */
    static Double value(String scrape, String name, Map<String, String> labels) {
        Double found = null;
        Matcher m = SAMPLE.matcher(scrape);
        while (m.find()) {
            if (!m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> l = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher lm = LABEL.matcher(m.group(2));
                while (lm.find()) {
                    l.put(lm.group(1), lm.group(2));
                }
            }
            if (l.equals(labels)) {
                assertThat(found).as("one sample %s%s", name, labels).isNull();
                found = Double.parseDouble(m.group(3));
            }
        }
        return found;
    }

    /** name → type of the catalogue's ipdr_ entries with status exported. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> exportedInCatalogue() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("ops/observability/metrics.yaml"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("ops/observability/metrics.yaml above the working directory").isNotNull();
        Map<String, Object> yaml = new ObjectMapper(new YAMLFactory())
                .readValue(dir.resolve("ops/observability/metrics.yaml").toFile(), Map.class);
        Map<String, String> out = new TreeMap<>();
        for (Map<String, Object> m : (List<Map<String, Object>>) yaml.get("metrics")) {
            if ("exported".equals(m.get("status")) && ((String) m.get("name")).startsWith("ipdr_")) {
                out.put((String) m.get("name"), (String) m.get("type"));
            }
        }
        assertThat(new TreeSet<>(out.keySet())).isNotEmpty();
        return out;
    }
}
