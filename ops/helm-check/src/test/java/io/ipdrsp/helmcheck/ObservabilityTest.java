package io.ipdrsp.helmcheck;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipdrsp.node.session.ExporterMetrics;
import io.ipdrsp.node.session.RecordPathMetrics;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ops/observability: the Grafana dashboard and the Prometheus alert rules only use metric names of the catalogue
 * (metrics.yaml), and the catalogue's "exported" names are what the node really exports.
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

    /** Names an expression uses that the catalogue does not define (summary _sum/_count count as the summary). */
    static List<String> unknownMetrics(String expr) {
        List<String> unknown = new ArrayList<>();
        for (String name : PromQl.metricNames(expr)) {
            String base = name.replaceAll("_(sum|count)$", "");
            boolean summaryPart = !base.equals(name) && CATALOGUE.containsKey(base)
                    && "summary".equals(CATALOGUE.get(base).get("type"));
            if (!CATALOGUE.containsKey(name) && !summaryPart) {
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
                "primary / backup", "failovers", "duplicates", "integrity", "verdict");
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
        assertThat(unknownMetrics("rate(ipdr_records_recieved_total[5m]) + ipdr_records_write_latency_count"))
                .containsExactly("ipdr_records_recieved_total");
        assertThat(unknownMetrics("ipdr_records_in_flight_count")).containsExactly("ipdr_records_in_flight_count");
        assertThat(PromQl.balanced("sum(rate(x[5m])")).isFalse();
    }

    @Test
    @SuppressWarnings("unchecked")
    void exportedNamesAreWhatTheNodeReallyExports() throws Exception {
        MetricRegistry dropwizard = new MetricRegistry();
        RecordPathMetrics metrics = new RecordPathMetrics(dropwizard);
        PrometheusRegistry prometheus = new PrometheusRegistry();
        DropwizardExports.builder().dropwizardRegistry(dropwizard).register(prometheus); // as NodeApplication does
        metrics.exporters().register(prometheus);
        // as NodeApplication does, with a finalizer that leads cmts-1
        io.ipdrsp.node.api.AuditMetrics.register(prometheus, () -> Map.of("cmts-1", 0), () -> 0);
        // labelled series exist once a session carried records and a verdict refresh ran (the node's
        // PrometheusMetricsTest checks their values in a real node's scrape)
        ExporterMetrics.SessionMetrics session = metrics.exporters().session("cmts-1", 1);
        session.received(3);
        session.acked(2);
        session.primary(true);
        metrics.exporters().documents(Map.of("cmts-1", Map.of("COMPLETE", 4L)), Set.of());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, prometheus.scrape());
        String text = out.toString(StandardCharsets.UTF_8);
        Map<String, String> scraped = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$").matcher(text);
        while (m.find()) {
            scraped.put(m.group(1), m.group(2));
        }
        Map<String, String> exported = new TreeMap<>();
        CATALOGUE.values().stream().filter(c -> "exported".equals(c.get("status")))
                .forEach(c -> exported.put((String) c.get("name"), (String) c.get("type")));
        System.out.println("node scrape: " + scraped);
        assertThat(scraped).as("the record path's metrics in a real scrape vs metrics.yaml 'exported'").isEqualTo(exported);

        // the label names of every exported sample are the catalogue's `labels` (none when not listed)
        Map<String, Set<String>> problems = new TreeMap<>();
        Matcher sample = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)\\})? \\S+$").matcher(text);
        while (sample.find()) {
            Map<String, Object> c = CATALOGUE.get(sample.group(1));
            if (c == null) {
                continue; // summary parts (_sum, _count) and the like
            }
            Set<String> labels = new java.util.TreeSet<>();
            if (sample.group(2) != null) {
                Matcher l = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"").matcher(sample.group(2));
                while (l.find()) {
                    labels.add(l.group(1));
                }
            }
            labels.remove("quantile");
            Set<String> expected = new java.util.TreeSet<>((List<String>) c.getOrDefault("labels", List.of()));
            if (!labels.equals(expected)) {
                problems.put(sample.group(1), labels);
            }
        }
        assertThat(problems).as("scraped label names that differ from metrics.yaml `labels`").isEmpty();
        assertThat(text).contains("ipdr_exporter_records_received_total{exporter=\"cmts-1\",session=\"1\"} 3.0",
                "ipdr_exporter_records_acked_total{exporter=\"cmts-1\",session=\"1\"} 2.0",
                "ipdr_session_primary{exporter=\"cmts-1\",session=\"1\"} 1.0",
                "ipdr_documents{exporter=\"cmts-1\",verdict=\"COMPLETE\"} 4.0",
                "ipdr_documents{exporter=\"cmts-1\",verdict=\"INCOMPLETE\"} 0.0");
        session.noDocument();
        out.reset();
        PrometheusTextFormatWriter.create().write(out, prometheus.scrape());
        assertThat(out.toString(StandardCharsets.UTF_8)).as("primary series removed when the document ends")
                .doesNotContain("ipdr_session_primary{").contains("ipdr_exporter_records_acked_total{");
    }
}
