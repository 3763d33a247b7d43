package io.ipdrsp.helmcheck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ops/observability: the Grafana dashboard and the Prometheus alert rules only use metric names and labels of the
 * catalogue (metrics.yaml), and the catalogue is what real nodes expose (their saved scrapes, {@link SavedScrapes}).
 * The alert rules' promtool tests: {@link AlertRulesTest}.
 */
class ObservabilityTest {
    private static final Path DASHBOARD = Repo.OBSERVABILITY.resolve("grafana-ipdr-collector.json");
    private static final Path ALERTS = Repo.OBSERVABILITY.resolve("alerts.yaml");
    private static final Map<String, Map<String, Object>> CATALOGUE = new TreeMap<>();

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void catalogue() {
        for (Map<String, Object> m : (List<Map<String, Object>>) Repo.readYamlMap(Repo.OBSERVABILITY.resolve("metrics.yaml")).get("metrics")) {
            assertThat(m).containsKeys("name", "type", "status", "help");
            assertThat(m.get("status")).isIn("exported", "planned", "builtin");
            assertThat(CATALOGUE.put((String) m.get("name"), m)).as("listed twice: %s", m.get("name")).isNull();
        }
    }

    /** Expressions by where they are (panel title / alert name), for messages. */
    private static Map<String, String> dashboardExpressions() throws Exception {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode p : d.path("panels")) {
            int i = 0;
            for (JsonNode t : p.path("targets")) {
                out.put("panel '" + p.path("title").asText() + "' target " + i++, t.path("expr").asText());
            }
        }
        for (JsonNode v : d.path("templating").path("list")) {
            if ("query".equals(v.path("type").asText())) {
                out.put("variable $" + v.path("name").asText(), v.path("query").asText());
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> alertExpressions() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map<String, Object> g : (List<Map<String, Object>>) Repo.readYamlMap(ALERTS).get("groups")) {
            for (Map<String, Object> r : (List<Map<String, Object>>) g.get("rules")) {
                out.put("alert " + r.get("alert"), (String) r.get("expr"));
            }
        }
        return out;
    }

    /** Names an expression uses that the catalogue does not define (a histogram's _bucket/_sum/_count count as it). */
    static List<String> unknownMetrics(String expr) {
        List<String> unknown = new ArrayList<>();
        for (String name : PromQl.metricNames(expr)) {
            String base = name.replaceAll("_(bucket|sum|count)$", "");
            boolean histogramPart = !base.equals(name) && CATALOGUE.containsKey(base)
                    && "histogram".equals(CATALOGUE.get(base).get("type"));
            if (!CATALOGUE.containsKey(name) && !histogramPart) {
                unknown.add(name);
            }
        }
        return unknown;
    }

    @Test
    void dashboardIsWellFormedGrafanaJson() throws Exception {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(d.path("uid").asText()).isNotBlank();
        assertThat(d.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
        Set<Integer> ids = new HashSet<>();
        Set<String> titles = new HashSet<>();
        for (JsonNode p : d.path("panels")) {
            assertThat(ids.add(p.path("id").asInt())).as("panel id %s unique", p.path("id")).isTrue();
            titles.add(p.path("title").asText());
            assertThat(p.path("gridPos").path("w").asInt()).isBetween(1, 24);
            assertThat(p.path("targets").size()).as("targets of %s", p.path("title")).isPositive();
            for (JsonNode t : p.path("targets")) {
                assertThat(t.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
            }
        }
        assertThat(String.join("|", titles).toLowerCase()).contains("per cmts", "latency", "in flight",
                "primary / backup", "failovers", "duplicates", "integrity", "verdict", "takeover", "heap", "gc");
    }

    @Test
    void alertRulesArePrometheusRuleGroups() throws Exception {
        Map<String, Object> rules = Repo.readYamlMap(ALERTS);
        assertThat(rules).containsOnlyKeys("groups");
        Set<String> names = new HashSet<>();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> groups = (List<Map<String, Object>>) rules.get("groups");
        for (Map<String, Object> g : groups) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> list = (List<Map<String, Object>>) g.get("rules");
            for (Map<String, Object> r : list) {
                assertThat(r).containsKeys("alert", "expr", "labels", "annotations");
                assertThat(names.add((String) r.get("alert"))).as("alert %s unique", r.get("alert")).isTrue();
                assertThat(Repo.<String>at(r, "labels.severity")).isIn("critical", "warning");
                assertThat(Repo.<String>at(r, "annotations.summary")).isNotBlank();
            }
        }
        assertThat(alertExpressions().values()).as("alerts for: no acked data, storage errors, integrity, INCOMPLETE")
                .anyMatch(e -> e.contains("ipdr_exporter_records_acked_total"))
                .anyMatch(e -> e.contains("ipdr_records_write_failures_total"))
                .anyMatch(e -> e.contains("ipdr_integrity_alarms_total"))
                .anyMatch(e -> e.contains("jvm_memory_used_bytes"))
                .anyMatch(e -> e.contains("verdict=\"INCOMPLETE\""));

        // and they load as a prometheus-operator PrometheusRule
        Map<String, Object> pr = new LinkedHashMap<>();
        pr.put("apiVersion", "monitoring.coreos.com/v1");
        pr.put("kind", "PrometheusRule");
        pr.put("metadata", Map.of("name", "ipdr-collector"));
        pr.put("spec", rules);
        Path f = Repo.TARGET.resolve("rendered/prometheusrule.yaml");
        Files.createDirectories(f.getParent());
        Repo.YAML.writeValue(f.toFile(), pr);
        KubeSchemas.Result r = KubeSchemas.validate(List.of(f));
        System.out.println(r.output());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("PASS PrometheusRule/ipdr-collector");
    }

    @Test
    void everyExpressionUsesOnlyCataloguedMetrics() throws Exception {
        Map<String, String> all = new LinkedHashMap<>(dashboardExpressions());
        all.putAll(alertExpressions());
        assertThat(all).hasSizeGreaterThan(15);
        Map<String, List<String>> problems = new TreeMap<>();
        all.forEach((where, expr) -> {
            if (!PromQl.balanced(expr)) {
                problems.put(where, List.of("unbalanced brackets"));
            } else if (PromQl.metricNames(expr).isEmpty()) {
                problems.put(where, List.of("uses no metric"));
            } else if (!unknownMetrics(expr).isEmpty()) {
                problems.put(where, unknownMetrics(expr));
            }
        });
        System.out.println(all.size() + " expressions checked against " + CATALOGUE.size() + " catalogued metrics");
        assertThat(problems).as("expressions with metric names missing from ops/observability/metrics.yaml").isEmpty();
    }

    @Test
    void theCheckerFindsUnknownNamesAndIgnoresLabelsAndFunctions() {
        assertThat(PromQl.metricNames("sum by (site, exporter) (increase(ipdr_exporter_records_acked_total{node=~\"$node\"}[45m])) == 0"))
                .containsExactly("ipdr_exporter_records_acked_total");
        assertThat(PromQl.metricNames("rate(a_sum[5m]) / on (node) group_left rate(a_count[5m])")).containsExactly("a_sum", "a_count");
        assertThat(PromQl.metricNames("label_values(ipdr_records_received_total{site=~\"$site\"}, node)"))
                .containsExactly("ipdr_records_received_total");
        assertThat(unknownMetrics("rate(ipdr_records_recieved_total[5m]) + ipdr_records_write_latency_seconds_count"))
                .containsExactly("ipdr_records_recieved_total");
        assertThat(unknownMetrics("ipdr_records_in_flight_count")).containsExactly("ipdr_records_in_flight_count");
        assertThat(PromQl.balanced("sum(rate(x[5m])")).isFalse();
    }

    /**
     * The catalogue's "exported" entries are exactly the families real nodes exposed (ops/observability/scrapes/,
     * recorded by the node's ObservedSeriesTest, which fails when a node's series differ from them): same names, same
     * types, same label names.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theCatalogueIsWhatRealNodesExpose() {
        List<SavedScrapes.Scrape> scrapes = SavedScrapes.all();
        Map<String, String> exported = new TreeMap<>();
        Map<String, Set<String>> catalogued = new TreeMap<>();
        CATALOGUE.values().stream().filter(c -> "exported".equals(c.get("status"))).forEach(c -> {
            exported.put((String) c.get("name"), (String) c.get("type"));
            catalogued.put((String) c.get("name"), new TreeSet<>((List<String>) c.getOrDefault("labels", List.of())));
        });
        Map<String, String> scraped = SavedScrapes.types(scrapes);
        System.out.println(scrapes.size() + " saved scrapes: " + scraped.size() + " metric families");
        assertThat(scraped).as("families and types of real scrapes vs metrics.yaml 'exported'").isEqualTo(exported);
        assertThat(SavedScrapes.labelNames(scrapes)).as("label names of real scrapes vs metrics.yaml `labels`")
                .isEqualTo(catalogued);
        // the conventions: no summary, a counter is _total, a latency is a histogram in seconds, no address in a name
        exported.forEach((name, type) -> {
            assertThat(type).as(name).isIn("counter", "gauge", "histogram");
            assertThat(name.endsWith("_total")).as("%s: _total iff a counter", name).isEqualTo(type.equals("counter"));
            assertThat(name).as("no address or port in a name").doesNotContainPattern("\\d+_\\d+_\\d+_\\d+");
            if (type.equals("histogram")) {
                assertThat(name).as("a histogram of durations").endsWith("_seconds");
            }
        });
    }

    /** The per-CMTS series name their CMTS: a failover or an integrity alarm says which CMTS it was. */
    @Test
    void failoverAndIntegrityMetricsNameTheirCmts() {
        List<SavedScrapes.Scrape> scrapes = SavedScrapes.all();
        Map<String, java.util.TreeSet<String>> labels = SavedScrapes.labelNames(scrapes);
        assertThat(labels.get("ipdr_failovers_total")).containsExactly("exporter");
        assertThat(labels.get("ipdr_integrity_alarms_total")).containsExactly("exporter", "kind");
        assertThat(scrapes).anySatisfy(s -> assertThat(s.samples()).anySatisfy(x -> {
            assertThat(x.name()).isEqualTo("ipdr_integrity_alarms_total");
            assertThat(x.labels()).containsEntry("kind", "read_back");
            assertThat(x.value()).isEqualTo("1.0");
        }));
    }

    /**
     * Every label an expression groups, joins or matches on is a label of a metric it reads (as the scrapes show),
     * or one the ServiceMonitor adds: an alert grouping by a label its metric lacks renders "for CMTS ".
     */
    @Test
    void everyExpressionUsesOnlyLabelsItsMetricsHave() throws Exception {
        Map<String, java.util.TreeSet<String>> scraped = SavedScrapes.labelNames(SavedScrapes.all());
        Set<String> targetLabels = Set.of("node", "site", "job", "instance");
        Map<String, String> all = new LinkedHashMap<>(dashboardExpressions());
        all.putAll(alertExpressions());
        Map<String, Set<String>> problems = new TreeMap<>();
        all.forEach((where, expr) -> {
            Set<String> available = new java.util.HashSet<>(targetLabels);
            for (String name : PromQl.metricNames(expr)) {
                String family = name.replaceAll("_(bucket|sum|count)$", "");
                available.addAll(scraped.getOrDefault(scraped.containsKey(name) ? name : family, new TreeSet<>()));
                if (name.endsWith("_bucket")) {
                    available.add("le");
                }
            }
            Set<String> missing = new TreeSet<>(PromQl.labelNames(expr));
            missing.removeAll(available);
            if (!missing.isEmpty()) {
                problems.put(where, missing);
            }
        });
        assertThat(problems).as("labels used that no metric of the expression carries").isEmpty();
        assertThat(PromQl.labelNames("sum by (site, exporter, kind) (increase(x{node=~\"$node\"}[15m])) > 0"))
                .containsExactlyInAnyOrder("site", "exporter", "kind", "node");
    }
}
