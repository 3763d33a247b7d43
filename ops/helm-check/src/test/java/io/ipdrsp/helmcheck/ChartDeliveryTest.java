package io.ipdrsp.helmcheck;

import static io.ipdrsp.helmcheck.Repo.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the chart delivers besides the nodes: the image the project builds (ops/image) as its default, the alert rules
 * of ops/observability/alerts.yaml as a PrometheusRule, and the `helm test` smoke check. Lint and the Kubernetes
 * schemas cover these templates too (HelmChartTest renders every values file with them).
 */
class ChartDeliveryTest {
    private static final Map<Chart, List<Map<String, Object>>> DOCS = new LinkedHashMap<>();
    /** The `helm test` hooks, rendered like the other manifests (helm template leaves hooks out). */
    private static final Map<Chart, List<Map<String, Object>>> HOOKS = new LinkedHashMap<>();
    private static final String HOOK = "helm.sh/hook: test";

    @BeforeAll
    static void render() throws Exception {
        Path unhooked = Repo.TARGET.resolve("unhooked/ipdr-collector");
        Chart.copyChart(unhooked);
        Path smoke = unhooked.resolve("templates/tests/smoke-test.yaml");
        String template = Files.readString(smoke);
        assertThat(template).contains(HOOK);
        Files.writeString(smoke, template.replace(HOOK, "ipdr.io/rendered-for-checks: test"));
        for (Chart c : Chart.all()) {
            List<Map<String, Object>> docs = Repo.documents(c.render());
            DOCS.put(c, docs);
            List<Map<String, Object>> all = Repo.documents(c.renderFrom(unhooked));
            HOOKS.put(c, all.stream().filter(d -> docs.stream().noneMatch(x -> sameObject(x, d))).toList());
        }
    }

    private static boolean sameObject(Map<String, Object> a, Map<String, Object> b) {
        return a.get("kind").equals(b.get("kind")) && at(a, "metadata.name").equals(at(b, "metadata.name"));
    }

    @Test
    void theDefaultImageIsTheOneTheProjectBuilds() throws Exception {
        String version = pomValue(Repo.ROOT.resolve("pom.xml"), "<version>([^<]+)</version>");
        String imageName = pomValue(Repo.ROOT.resolve("ops/image/pom.xml"), "<image.name>([^<]+)</image.name>")
                .replace("${project.version}", version);
        Map<String, Object> chartYaml = Repo.readYamlMap(Repo.CHART.resolve("Chart.yaml"));
        assertThat(chartYaml.get("appVersion")).as("Chart.yaml appVersion = the project version the image carries")
                .isEqualTo(version);
        Map<String, Object> sts = one(DOCS.get(byName("default")), "StatefulSet");
        assertThat((String) at(sts, "spec.template.spec.containers.[0].image")).isEqualTo(imageName);
        assertThat((List<String>) at(sts, "spec.template.spec.containers.[0].command"))
                .startsWith("ipdr", "node").as("the image's entrypoint, then node.yml").hasSize(3);
        // the image runs as the user the pods run as (ops/image sets it from the same number)
        String user = pomValue(Repo.ROOT.resolve("ops/image/pom.xml"), "<image.user>([^<]+)</image.user>");
        assertThat(user).isEqualTo(at(sts, "spec.template.spec.securityContext.runAsUser") + ":"
                + at(sts, "spec.template.spec.securityContext.runAsGroup"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ipdrsp.helmcheck.HelmChartTest#charts")
    void thePrometheusRuleCarriesTheAlertRulesAsTheyAre(Chart chart) {
        boolean enabled = Boolean.TRUE.equals(at(chart.values(), "monitoring.prometheusRule.enabled"));
        List<Map<String, Object>> rules = DOCS.get(chart).stream()
                .filter(d -> "PrometheusRule".equals(d.get("kind"))).toList();
        assertThat(rules).hasSize(enabled ? 1 : 0);
        if (!enabled) {
            return;
        }
        Map<String, Object> rule = rules.get(0);
        assertThat((String) at(rule, "apiVersion")).isEqualTo("monitoring.coreos.com/v1");
        Map<String, Object> alerts = Repo.readYamlMap(Repo.OBSERVABILITY.resolve("alerts.yaml"));
        assertThat((Object) at(rule, "spec.groups")).isEqualTo(alerts.get("groups"));
        // the rules' own templates reach Prometheus untouched (Helm must not have evaluated them)
        assertThat(Repo.YAML.valueToTree(at(rule, "spec")).toString()).contains("{{ $labels.exporter }}");
        Map<String, Object> labels = at(rule, "metadata.labels");
        Map<String, Object> wanted = at(chart.values(), "monitoring.prometheusRule.labels");
        assertThat(labels).containsAllEntriesOf(wanted == null ? Map.of() : wanted);
    }

    @Test
    void theNewKindsMatchTheirSchemas() throws Exception {
        Path file = Repo.TARGET.resolve("rendered-delivery/site-a.yaml");
        Files.createDirectories(file.getParent());
        List<Map<String, Object>> docs = new ArrayList<>(DOCS.get(byName("site-a")));
        docs.addAll(HOOKS.get(byName("site-a")));
        StringBuilder yaml = new StringBuilder();
        for (Map<String, Object> d : docs) {
            yaml.append(Repo.YAML.writeValueAsString(d)); // each document starts with "---"
        }
        Files.writeString(file, yaml);
        KubeSchemas.Result r = KubeSchemas.validate(List.of(file));
        System.out.println(r.output());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("PASS PrometheusRule/ipdr-a (monitoring.coreos.com/v1)")
                .contains("PASS Pod/ipdr-a-smoke-test (v1)");
    }

    @Test
    void theChartsAlertFileIsTheObservabilityFolders() throws Exception {
        Path link = Repo.CHART.resolve("files/alerts.yaml");
        assertThat(Files.isSymbolicLink(link)).as("%s links to ops/observability/alerts.yaml (one source)", link)
                .isTrue();
        assertThat(link.toRealPath()).isEqualTo(Repo.OBSERVABILITY.resolve("alerts.yaml").toRealPath());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ipdrsp.helmcheck.HelmChartTest#charts")
    void theSmokeTestIsAHelmTestPodThatNoServiceSelects(Chart chart) {
        List<Map<String, Object>> docs = DOCS.get(chart);
        Map<String, Object> values = chart.values();
        Map<String, Object> sts = one(docs, "StatefulSet");
        assertThat(HOOKS.get(chart)).as("the test hooks of %s", chart).hasSize(1);
        Map<String, Object> pod = HOOKS.get(chart).get(0);
        assertThat(pod.get("kind")).isEqualTo("Pod");
        Map<String, Object> podLabels = at(pod, "metadata.labels");
        for (Map<String, Object> d : docs) {
            Map<String, Object> selector = "Service".equals(d.get("kind")) ? at(d, "spec.selector")
                    : "PodDisruptionBudget".equals(d.get("kind")) ? at(d, "spec.selector.matchLabels") : null;
            if (selector != null) {
                assertThat(podLabels.entrySet().containsAll(selector.entrySet()))
                        .as("%s %s selects the smoke test pod", d.get("kind"), at(d, "metadata.name")).isFalse();
            }
        }
        Map<String, Object> c = at(pod, "spec.containers.[0]");
        assertThat(c.get("image")).isEqualTo(at(sts, "spec.template.spec.containers.[0].image"));
        assertThat((Object) at(pod, "spec.securityContext")).isEqualTo(at(sts, "spec.template.spec.securityContext"));
        List<Map<String, Object>> env = at(c, "env");
        assertThat(env).contains(Map.of("name", "REPLICAS", "value", String.valueOf(values.get("replicaCount"))));
        String script = ((List<String>) c.get("args")).get(0);
        String name = at(sts, "metadata.name");
        String host = name + "-$i." + at(sts, "spec.serviceName") + "." + Chart.NAMESPACE + ".svc.cluster.local";
        assertThat(script).contains("host=\"" + host + "\"")
                .contains("get \"$host\" " + at(values, "server.adminPort") + " " + at(values, "probes.readiness.path"))
                .contains(" " + at(values, "server.apiPort") + " /api/cluster")
                .contains("\"zooKeeperConnected\":true");
        assertThat(chart.notes()).contains("helm test " + Chart.RELEASE + " -n " + Chart.NAMESPACE);
    }

    private static String pomValue(Path pom, String regex) throws Exception {
        Matcher m = Pattern.compile(regex).matcher(Files.readString(pom).replaceAll("(?s)<parent>.*?</parent>", ""));
        assertThat(m.find()).as("%s in %s", regex, pom).isTrue();
        return m.group(1);
    }

    private static Chart byName(String name) {
        return DOCS.keySet().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static Map<String, Object> one(List<Map<String, Object>> docs, String kind) {
        List<Map<String, Object>> found = new ArrayList<>(docs.stream().filter(d -> kind.equals(d.get("kind"))).toList());
        assertThat(found).as("exactly one %s", kind).hasSize(1);
        return found.get(0);
    }
}
