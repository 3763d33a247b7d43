package io.ipdrsp.helmcheck;

import static io.ipdrsp.helmcheck.Repo.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.DefaultConfigurationFactoryFactory;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.ipdrsp.node.NodeConfiguration;
import io.ipdrsp.node.config.ExporterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * helm/ipdr-collector, checked without a cluster: strict lint and template for every values file (helm-java, the
 * real helm library), Kubernetes schema validation of every rendered manifest (tools-js), and what an operator would
 * check by eye: replicas, node ids from pod ordinals, per-pod Services, and a node.yml the node itself accepts.
 */
class HelmChartTest {
    private static final Map<Chart, String> RENDERED = new LinkedHashMap<>();
    private static final Map<Chart, Path> FILES = new LinkedHashMap<>();

    static List<Chart> charts() {
        return Chart.all();
    }

    static List<Chart> shipped() {
        return Chart.shipped();
    }

    @BeforeAll
    static void render() throws Exception {
        Path dir = Repo.TARGET.resolve("rendered");
        Files.createDirectories(dir);
        for (Chart c : Chart.all()) {
            String yaml = c.render();
            Path f = dir.resolve(c.name() + ".yaml");
            Files.writeString(f, yaml);
            RENDERED.put(c, yaml);
            FILES.put(c, f);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("charts")
    void lintStrictFindsNothing(Chart chart) throws Exception {
        LintResult lint = chart.lintStrict();
        System.out.println("lint " + chart + ": " + lint.getMessages());
        assertThat(lint.isFailed()).as("helm lint --strict of %s: %s", chart, lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).as("lint messages of %s", chart)
                .noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void everyRenderedManifestMatchesTheKubernetesSchemas() throws Exception {
        KubeSchemas.Result r = KubeSchemas.validate(new ArrayList<>(FILES.values()));
        System.out.println(r.output());
        int documents = RENDERED.values().stream().mapToInt(y -> Repo.documents(y).size()).sum();
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains(documents + " passed, 0 failed, 0 unchecked");
        // the ServiceMonitor is checked against the prometheus-operator CRD schema, not skipped
        assertThat(r.output()).contains("PASS ServiceMonitor/ipdr-ipdr-collector (monitoring.coreos.com/v1)");
    }

    @Test
    void theValidatorRejectsBadManifestsAndUnknownKinds() throws Exception {
        Path bad = Repo.TARGET.resolve("rendered-bad/bad.yaml");
        Files.createDirectories(bad.getParent());
        Files.writeString(bad, """
                apiVersion: v1
                kind: Service
                metadata: {name: svc}
                spec: {ports: [{port: "4737"}]}
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                """);
        KubeSchemas.Result strict = KubeSchemas.validate(List.of(bad));
        assertThat(strict.exitCode()).isEqualTo(1);
        assertThat(strict.output()).contains("FAIL Service/svc (v1): data/spec/ports/0/port must be integer")
                .contains("FAIL Widget/w: unknown kind example.com/v1/Widget").contains("0 passed, 2 failed, 0 unchecked");
        KubeSchemas.Result listed = KubeSchemas.validate(List.of(bad), "--unchecked=Widget");
        assertThat(listed.output()).contains("UNCHECKED Widget/w").contains("0 passed, 1 failed, 1 unchecked");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("charts")
    void everyPodIsANodeWithTheIdOfItsOrdinal(Chart chart) throws Exception {
        Map<String, Object> values = chart.values();
        List<Map<String, Object>> docs = Repo.documents(RENDERED.get(chart));
        Map<String, Object> sts = one(docs, "StatefulSet");
        String name = at(sts, "metadata.name");
        int replicas = ((Number) values.get("replicaCount")).intValue();
        assertThat((Integer) at(sts, "spec.replicas")).isEqualTo(replicas);

        Map<String, Object> headless = named(docs, "Service", at(sts, "spec.serviceName"));
        assertThat((String) at(headless, "spec.clusterIP")).isEqualTo("None");
        assertThat((Boolean) at(headless, "spec.publishNotReadyAddresses")).isTrue();
        assertThat((Map<String, Object>) at(headless, "spec.selector"))
                .isEqualTo(at(sts, "spec.selector.matchLabels"));

        Map<String, Object> container = at(sts, "spec.template.spec.containers.[0]");
        List<Map<String, Object>> env = at(container, "env");
        List<String> envNames = env.stream().map(e -> (String) e.get("name")).toList();
        assertThat((String) at(env.get(envNames.indexOf("POD_NAME")), "valueFrom.fieldRef.fieldPath")).isEqualTo("metadata.name");
        // $(VAR) in an env value only expands variables defined before it
        assertThat(envNames.indexOf("POD_NAME")).isLessThan(envNames.indexOf("JAVA_TOOL_OPTIONS"));
        assertThat(envNames.indexOf("POD_IP")).isLessThan(envNames.indexOf("JAVA_TOOL_OPTIONS"));
        String javaOptions = (String) env.get(envNames.indexOf("JAVA_TOOL_OPTIONS")).get("value");

        // What the kubelet and the node's Dropwizard bootstrap make of it in pod <name>-<last ordinal>
        String podName = name + "-" + (replicas - 1);
        String expanded = javaOptions.replace("$(POD_NAME)", podName).replace("$(POD_IP)", "10.244.3.17");
        Path nodeYml = nodeYml(chart, docs);
        NodeConfiguration node = parseAsTheNodeDoes(nodeYml, expanded);
        assertThat(node.getNode().getId()).isEqualTo(podName);
        assertThat(node.getNode().getSite()).isEqualTo(values.get("site"));
        assertThat(node.getCluster().getHazelcastAddress()).isEqualTo("10.244.3.17");

        List<String> command = at(container, "command");
        assertThat(command.get(command.size() - 1)).startsWith((String) at(container, "volumeMounts.[0].mountPath"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("charts")
    void theNodeAcceptsTheRenderedConfigAndItCarriesTheCmtsInventory(Chart chart) throws Exception {
        Map<String, Object> values = chart.values();
        List<Map<String, Object>> docs = Repo.documents(RENDERED.get(chart));
        NodeConfiguration node = parseAsTheNodeDoes(nodeYml(chart, docs), "");

        List<Map<String, Object>> cmtses = at(values, "exporters");
        assertThat(node.getExporters()).extracting(ExporterConfig::getName)
                .containsExactlyElementsOf(cmtses.stream().map(e -> (String) e.get("name")).toList());
        for (int i = 0; i < cmtses.size(); i++) {
            Map<String, Object> want = cmtses.get(i);
            ExporterConfig got = node.getExporters().get(i);
            assertThat(got.getAddress()).isEqualTo(want.get("address"));
            assertThat(got.getDirection().name().toLowerCase()).isEqualTo(want.getOrDefault("direction", "connect"));
            assertThat(got.getSessions()).extracting(Object::toString).containsExactlyElementsOf(
                    ((List<?>) want.getOrDefault("sessions", List.of())).stream().map(String::valueOf).toList());
            assertThat(got.getKeepAliveSeconds()).isEqualTo(want.getOrDefault("keepAliveSeconds", 30));
        }
        assertThat(node.getStorage().getContactPoints()).isEqualTo(at(values, "storage.contactPoints"));
        assertThat(node.getStorage().getLocalDatacenter()).isEqualTo(at(values, "storage.localDatacenter"));
        assertThat(node.getStorage().getConsistency()).isEqualTo(at(values, "storage.consistency"));
        assertThat(node.getCluster().getZooKeeper()).isEqualTo(at(values, "cluster.zooKeeper"));
        assertThat(node.getListen().getPort()).isEqualTo(at(values, "listen.port"));
        assertThat(node.getListen().getAllow()).isEqualTo(at(values, "listen.allow"));

        Map<String, Object> sts = one(docs, "StatefulSet");
        String sts0 = at(sts, "metadata.name");
        int replicas = ((Number) values.get("replicaCount")).intValue();
        if ("members".equals(at(values, "cluster.discovery"))) {
            String suffix = "." + at(sts, "spec.serviceName") + "." + Chart.NAMESPACE + ".svc.cluster.local:"
                    + node.getCluster().getHazelcastPort();
            assertThat(node.getCluster().getMembers()).containsExactlyElementsOf(
                    IntStream.range(0, replicas).mapToObj(i -> sts0 + "-" + i + suffix).toList());
        } else {
            assertThat(node.getCluster().getMembers()).isEmpty();
        }
        assertThat(node.getCluster().getClusterName()).isNotBlank();
    }

    @Test
    void kubernetesDiscoveryPointsHazelcastAtTheHeadlessService() {
        Chart chart = byName("default--kubernetes-discovery");
        Map<String, Object> sts = one(Repo.documents(RENDERED.get(chart)), "StatefulSet");
        Map<String, String> env = new LinkedHashMap<>();
        List<Map<String, Object>> list = at(sts, "spec.template.spec.containers.[0].env");
        list.stream().filter(e -> e.containsKey("value")).forEach(e -> env.put((String) e.get("name"), (String) e.get("value")));
        assertThat(env).containsEntry("HZ_NETWORK_JOIN_KUBERNETES_ENABLED", "true")
                .containsEntry("HZ_NETWORK_JOIN_TCPIP_ENABLED", "false")
                .containsEntry("HZ_NETWORK_JOIN_KUBERNETES_SERVICEDNS",
                        at(sts, "spec.serviceName") + "." + Chart.NAMESPACE + ".svc.cluster.local");
        assertThat(env).doesNotContainKey("HZ_NETWORK_JOIN_KUBERNETES_SERVICE_DNS");
        Map<String, Object> defaults = one(Repo.documents(RENDERED.get(byName("default"))), "StatefulSet");
        List<Map<String, Object>> defaultEnv = at(defaults, "spec.template.spec.containers.[0].env");
        assertThat(defaultEnv).noneMatch(e -> ((String) e.get("name")).startsWith("HZ_"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("charts")
    void cmtsIngressHasOneServicePerPodWhenEnabled(Chart chart) {
        Map<String, Object> values = chart.values();
        List<Map<String, Object>> docs = Repo.documents(RENDERED.get(chart));
        String sts = at(one(docs, "StatefulSet"), "metadata.name");
        int replicas = ((Number) values.get("replicaCount")).intValue();
        List<Map<String, Object>> perPod = docs.stream().filter(d -> "Service".equals(d.get("kind")))
                .filter(d -> "ipdr-listen-pod".equals(label(d, "app.kubernetes.io/component"))).toList();
        if (!Boolean.TRUE.equals(at(values, "perPodService.enabled"))) {
            assertThat(perPod).isEmpty();
            return;
        }
        assertThat(perPod).hasSize(replicas);
        List<Map<String, Object>> pods = at(values, "perPodService.pods");
        for (int i = 0; i < replicas; i++) {
            Map<String, Object> svc = perPod.get(i);
            assertThat((String) at(svc, "metadata.name")).isEqualTo(sts + "-" + i + "-ipdr");
            assertThat(((Map<String, Object>) at(svc, "spec.selector"))).containsEntry("statefulset.kubernetes.io/pod-name", sts + "-" + i);
            assertThat((String) at(svc, "spec.type")).isEqualTo(at(values, "perPodService.type"));
            assertThat((String) at(svc, "spec.externalTrafficPolicy")).isEqualTo("Local");
            assertThat((Integer) at(svc, "spec.ports.[0].port")).isEqualTo(at(values, "listen.port"));
            Map<String, Object> pod = i < pods.size() ? pods.get(i) : Map.of();
            assertThat((Object) at(svc, "spec.loadBalancerIP")).isEqualTo(
                    "LoadBalancer".equals(at(values, "perPodService.type")) ? pod.get("loadBalancerIP") : null);
            assertThat((Object) at(svc, "spec.ports.[0].nodePort")).isEqualTo(pod.get("nodePort"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("charts")
    void notesTellHowToPointCmtsesAtEachPod(Chart chart) {
        Map<String, Object> values = chart.values();
        String sts = at(one(Repo.documents(RENDERED.get(chart)), "StatefulSet"), "metadata.name");
        String notes = chart.notes();
        System.out.println("NOTES " + chart + ":\n" + notes);
        int replicas = ((Number) values.get("replicaCount")).intValue();
        for (int i = 0; i < replicas; i++) {
            assertThat(notes).contains(sts + "-" + i);
            if (Boolean.TRUE.equals(at(values, "perPodService.enabled"))) {
                assertThat(notes).contains(sts + "-" + i + "-ipdr  -> pod " + sts + "-" + i);
            }
        }
        assertThat(notes).contains("priority");
        if (Boolean.TRUE.equals(at(values, "perPodService.enabled"))) {
            assertThat(notes).contains("NodePort".equals(at(values, "perPodService.type")) ? "NODEPORT" : "loadBalancer.ingress");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("charts")
    void probesDisruptionBudgetAndAntiAffinity(Chart chart) {
        Map<String, Object> values = chart.values();
        List<Map<String, Object>> docs = Repo.documents(RENDERED.get(chart));
        Map<String, Object> sts = one(docs, "StatefulSet");
        Map<String, Object> c = at(sts, "spec.template.spec.containers.[0]");
        List<Map<String, Object>> ports = at(c, "ports");
        assertThat(ports).anySatisfy(p -> {
            assertThat(p.get("name")).isEqualTo("admin");
            assertThat(p.get("containerPort")).isEqualTo(at(values, "server.adminPort"));
        });
        assertThat((String) at(c, "readinessProbe.httpGet.path")).isEqualTo("/ready");
        assertThat((String) at(c, "readinessProbe.httpGet.port")).isEqualTo("admin");
        assertThat((String) at(c, "livenessProbe.httpGet.port")).isEqualTo("admin");
        assertThat((String) at(c, "startupProbe.httpGet.port")).isEqualTo("admin");
        assertThat((Object) at(c, "resources.requests.memory")).isNotNull();

        Map<String, Object> pdb = one(docs, "PodDisruptionBudget");
        assertThat((Map<String, Object>) at(pdb, "spec.selector.matchLabels"))
                .isEqualTo(at(sts, "spec.selector.matchLabels"));
        Map<String, Object> podLabels = at(sts, "spec.template.metadata.labels");
        assertThat(podLabels).containsAllEntriesOf(at(pdb, "spec.selector.matchLabels"));

        String mode = (String) values.get("antiAffinity");
        Object required = at(sts, "spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution");
        Object preferred = at(sts, "spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution");
        assertThat(required != null).isEqualTo("hard".equals(mode));
        assertThat(preferred != null).isEqualTo("soft".equals(mode));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("charts")
    void serviceMonitorOnlyWhenEnabled(Chart chart) {
        List<Map<String, Object>> docs = Repo.documents(RENDERED.get(chart));
        boolean enabled = Boolean.TRUE.equals(at(chart.values(), "monitoring.serviceMonitor.enabled"));
        List<Map<String, Object>> monitors = docs.stream().filter(d -> "ServiceMonitor".equals(d.get("kind"))).toList();
        assertThat(monitors).hasSize(enabled ? 1 : 0);
        if (enabled) {
            Map<String, Object> sm = monitors.get(0);
            assertThat((String) at(sm, "apiVersion")).isEqualTo("monitoring.coreos.com/v1");
            assertThat((String) at(sm, "spec.endpoints.[0].port")).isEqualTo("admin");
            assertThat((String) at(sm, "spec.endpoints.[0].path")).isEqualTo("/prometheus");
            // the Service it selects exists and has the admin port
            Map<String, Object> sel = at(sm, "spec.selector.matchLabels");
            List<Map<String, Object>> svcs = docs.stream().filter(d -> "Service".equals(d.get("kind")))
                    .filter(d -> ((Map<String, Object>) at(d, "metadata.labels")).entrySet().containsAll(sel.entrySet())).toList();
            assertThat(svcs).hasSize(1);
            assertThat((List<Map<String, Object>>) at(svcs.get(0), "spec.ports")).anyMatch(p -> "admin".equals(p.get("name")));
        }
    }

    @Test
    void twoSitesAreSeparateClustersOverOneMultiDcKeyspace() throws Exception {
        Chart a = byName("site-a");
        Chart b = byName("site-b");
        List<Map<String, Object>> docsA = Repo.documents(RENDERED.get(a));
        List<Map<String, Object>> docsB = Repo.documents(RENDERED.get(b));
        NodeConfiguration na = parseAsTheNodeDoes(nodeYml(a, docsA), "");
        NodeConfiguration nb = parseAsTheNodeDoes(nodeYml(b, docsB), "");
        assertThat(na.getNode().getSite()).isEqualTo("site-a");
        assertThat(nb.getNode().getSite()).isEqualTo("site-b");
        assertThat(na.getCluster().getClusterName()).isNotEqualTo(nb.getCluster().getClusterName());
        assertThat(na.getStorage().getLocalDatacenter()).isEqualTo("site-a");
        assertThat(nb.getStorage().getLocalDatacenter()).isEqualTo("site-b");
        assertThat(List.of(na.getStorage().getConsistency(), nb.getStorage().getConsistency())).containsOnly("LOCAL_QUORUM");
        assertThat(na.getCluster().getMembers()).noneMatch(m -> nb.getCluster().getMembers().contains(m));
        // same CMTSes, same ZooKeeper ensemble and namespace, same keyspace (finalization is global)
        assertThat((Object) at(b.values(), "exporters")).isEqualTo(at(a.values(), "exporters"));
        assertThat(na.getCluster().getZooKeeper()).isEqualTo(nb.getCluster().getZooKeeper());
        assertThat(na.getCluster().getZkNamespace()).isEqualTo(nb.getCluster().getZkNamespace());
        String cqlA = data(one(docsA, "ConfigMap"), "keyspace.cql");
        String cqlB = data(one(docsB, "ConfigMap"), "keyspace.cql");
        assertThat(cqlA).isEqualTo(cqlB).contains("'class': 'NetworkTopologyStrategy'", "'site-a': 3", "'site-b': 3")
                .startsWith("CREATE KEYSPACE IF NOT EXISTS " + na.getStorage().getKeyspace() + " ");
        String cqlDefault = data(one(Repo.documents(RENDERED.get(byName("default"))), "ConfigMap"), "keyspace.cql");
        assertThat(cqlDefault).contains("'class': 'SimpleStrategy', 'replication_factor': 3");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "bad-direction.yaml, /exporters/0/direction",
        "typo-key.yaml, replicas",
        "string-port.yaml, /listen/port",
        "embedded-cassandra.yaml, /storage/contactPoints",
    })
    void valuesBreakingTheSchemaAreRejectedNamingTheKey(String file, String key) throws Exception {
        Chart bad = new Chart("invalid-" + file.replace(".yaml", ""), null, Chart.INVALID.resolve(file));
        assertThatThrownBy(bad::render).isInstanceOf(IllegalStateException.class).hasMessageContaining(key)
                .satisfies(e -> System.out.println("template " + file + ": " + e.getMessage()));
        LintResult lint = bad.lintStrict();
        System.out.println("lint " + file + ": " + lint.getMessages());
        assertThat(lint.isFailed()).isTrue();
        assertThat(String.join("\n", lint.getMessages())).contains(key);
    }

    /** Cross-key rules use the template `fail` function: install/template refuse, helm lint only logs them. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "duplicate-cmts.yaml | exporters[1].name 'cmts-1' is already used by exporters[0]",
        "too-many-pods.yaml | perPodService.pods has 2 entries but replicaCount is 1",
    })
    void inconsistentValuesAreRefusedAtInstall(String file, String message) {
        Chart bad = new Chart("invalid-" + file.replace(".yaml", ""), null, Chart.INVALID.resolve(file));
        assertThatThrownBy(bad::render).isInstanceOf(IllegalStateException.class).hasMessageContaining(message)
                .satisfies(e -> System.out.println("template " + file + ": " + e.getMessage()));
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    private static Chart byName(String name) {
        return RENDERED.keySet().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static String data(Map<String, Object> configMap, String key) {
        Map<String, Object> data = at(configMap, "data");
        return (String) data.get(key);
    }

    private static String label(Map<String, Object> doc, String key) {
        Map<String, Object> labels = at(doc, "metadata.labels");
        return labels == null ? null : (String) labels.get(key);
    }

    /**
     * Issue 16: the pods run with the RuntimeDefault seccomp profile and mount the collectors' Secret, node.yml takes
     * every credential from files of that Secret, Hazelcast is reachable from collector pods only, IPDR/SP only from
     * the CMTS networks, the API and admin ports only from the allowed namespaces, and the headless Service does not
     * publish the API.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("charts")
    void secretsSeccompAndNetworkPolicy(Chart chart) throws Exception {
        Map<String, Object> values = chart.values();
        List<Map<String, Object>> docs = Repo.documents(RENDERED.get(chart));
        Map<String, Object> sts = one(docs, "StatefulSet");
        assertThat((String) at(sts, "spec.template.spec.securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");
        String secretName = (String) at(values, "security.existingSecret");
        secretName = secretName == null || secretName.isEmpty() ? at(sts, "metadata.name") + "-secrets" : secretName;
        List<Map<String, Object>> volumes = at(sts, "spec.template.spec.volumes");
        String expected = secretName;
        assertThat(volumes).anySatisfy(v -> {
            assertThat(v.get("name")).isEqualTo("secrets");
            assertThat((String) at(v, "secret.secretName")).isEqualTo(expected);
        });
        List<Map<String, Object>> mounts = at(sts, "spec.template.spec.containers.[0].volumeMounts");
        assertThat(mounts).anySatisfy(m -> {
            assertThat(m.get("name")).isEqualTo("secrets");
            assertThat(m.get("mountPath")).isEqualTo("/etc/ipdr-collector/secrets");
            assertThat(m.get("readOnly")).isEqualTo(true);
        });
        NodeConfiguration node = parseAsTheNodeDoes(nodeYml(chart, docs), "");
        String dir = "/etc/ipdr-collector/secrets/";
        assertThat(node.getCluster().getSecret().getFile()).startsWith(dir);
        assertThat(node.getCluster().getZooKeeperDigest().getFile()).startsWith(dir);
        assertThat(node.getSecurity().isInsecure()).isFalse();
        assertThat(node.getSecurity().getUsers()).allSatisfy(u -> assertThat(u.getPasswordHash().isEmpty()
                ? u.getPassword().getFile() : u.getPasswordHash()).satisfiesAnyOf(
                        f -> assertThat(f).startsWith(dir), f -> assertThat(f).startsWith("pbkdf2-sha256:")));
        assertThat(node.getSecurity().getUsers()).extracting(io.ipdrsp.node.security.UserConfig::getName)
                .contains("admin", "metrics");
        assertThat(RENDERED.get(chart)).as("no password given as a value in any manifest (only references)")
                .doesNotContainPattern("(?im)password\"?:\\s*(?!\\{|\"\\$\\{)\\S");

        Map<String, Object> headless = named(docs, "Service", at(sts, "spec.serviceName"));
        assertThat((List<Map<String, Object>>) at(headless, "spec.ports")).extracting(p -> p.get("name"))
                .containsExactlyInAnyOrder("hazelcast", "admin");

        Map<String, Object> policy = one(docs, "NetworkPolicy");
        assertThat((Map<String, Object>) at(policy, "spec.podSelector.matchLabels"))
                .isEqualTo(at(sts, "spec.selector.matchLabels"));
        List<Map<String, Object>> rules = at(policy, "spec.ingress");
        for (Map<String, Object> rule : rules) {
            List<Object> ports = ((List<Map<String, Object>>) rule.get("ports")).stream().map(p -> p.get("port")).toList();
            List<Map<String, Object>> from = (List<Map<String, Object>>) rule.get("from");
            if (ports.contains("hazelcast")) {
                assertThat(ports).containsExactly("hazelcast");
                assertThat(from).singleElement().satisfies(f -> assertThat((Map<String, Object>) at(f,
                        "podSelector.matchLabels")).isEqualTo(at(sts, "spec.selector.matchLabels")));
            } else if (ports.contains("ipdr")) {
                assertThat(ports).containsExactly("ipdr");
                assertThat(from).extracting(f -> at(f, "ipBlock.cidr")).isEqualTo(at(values, "networkPolicy.cmtsCidrs"));
            } else {
                assertThat(ports).containsExactlyInAnyOrder("api", "admin");
                List<Object> namespaces = new java.util.ArrayList<>(List.of(Chart.NAMESPACE));
                namespaces.addAll((List<Object>) at(values, "networkPolicy.apiNamespaces"));
                assertThat(from).extracting(f -> ((Map<String, Object>) at(f, "namespaceSelector.matchLabels"))
                                .get("kubernetes.io/metadata.name"))
                        .containsExactlyInAnyOrderElementsOf(namespaces);
            }
        }
        List<Object> cidrs = at(values, "networkPolicy.cmtsCidrs");
        assertThat(rules).hasSize(cidrs.isEmpty() ? 2 : 3);
        docs.stream().filter(d -> "ServiceMonitor".equals(d.get("kind"))).forEach(sm -> {
            assertThat((String) at(sm, "spec.endpoints.[0].basicAuth.password.name")).isEqualTo(expected);
            assertThat((String) at(sm, "spec.endpoints.[0].basicAuth.username.key")).isEqualTo("metrics-username");
        });
    }

    /**
     * Certificates come from Secrets too: with listen.tls the IPDR/SP certificate, key and CA are files of a mounted
     * Secret that node.yml points at; with https both connectors serve HTTPS from a mounted key store whose password
     * reaches the node as an environment variable, and the probes and the ServiceMonitor use HTTPS.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("charts")
    void certificatesFromSecretsWhenTlsIsOn(Chart chart) throws Exception {
        Map<String, Object> values = chart.values();
        List<Map<String, Object>> docs = Repo.documents(RENDERED.get(chart));
        Map<String, Object> sts = one(docs, "StatefulSet");
        String name = at(sts, "metadata.name");
        NodeConfiguration node = parseAsTheNodeDoes(nodeYml(chart, docs), "");
        List<Map<String, Object>> volumes = at(sts, "spec.template.spec.volumes");
        Map<String, Object> c = at(sts, "spec.template.spec.containers.[0]");
        boolean ipdrTls = Boolean.TRUE.equals(at(values, "listen.tls.enabled"));
        assertThat(node.getListen().getTls().isEnabled()).isEqualTo(ipdrTls);
        assertThat(volumes.stream().anyMatch(v -> "ipdr-tls".equals(v.get("name")))).isEqualTo(ipdrTls);
        if (ipdrTls) {
            assertThat(node.getListen().getTls().getCertificate()).isEqualTo("/etc/ipdr-collector/tls/ipdr/tls.crt");
            assertThat(node.getListen().getTls().getPrivateKey()).isEqualTo("/etc/ipdr-collector/tls/ipdr/tls.key");
            assertThat(node.getListen().getTls().getClientAuth().name()).isEqualTo(at(values, "listen.tls.clientAuth"));
            assertThat(volumes).anySatisfy(v -> assertThat((String) at(v, "secret.secretName"))
                    .isEqualTo(name + "-ipdr-tls"));
        }
        boolean https = Boolean.TRUE.equals(at(values, "https.enabled"));
        var server = (io.dropwizard.core.server.DefaultServerFactory) node.getServerFactory();
        for (var connector : List.of(server.getApplicationConnectors().get(0), server.getAdminConnectors().get(0))) {
            assertThat(connector instanceof io.dropwizard.jetty.HttpsConnectorFactory).isEqualTo(https);
            if (connector instanceof io.dropwizard.jetty.HttpsConnectorFactory h) {
                assertThat(h.getKeyStorePath()).isEqualTo("/etc/ipdr-collector/tls/https/keystore.p12");
                assertThat(h.getKeyStorePassword()).as("from the environment, not the ConfigMap")
                        .isEqualTo("${IPDR_KEYSTORE_PASSWORD}");
            }
        }
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat((String) at(c, probe + ".httpGet.scheme")).isEqualTo(https ? "HTTPS" : "HTTP");
        }
        List<Map<String, Object>> env = at(c, "env");
        assertThat(env.stream().anyMatch(e -> "IPDR_KEYSTORE_PASSWORD".equals(e.get("name")))).isEqualTo(https);
        docs.stream().filter(d -> "ServiceMonitor".equals(d.get("kind"))).forEach(sm ->
                assertThat((String) at(sm, "spec.endpoints.[0].scheme")).isEqualTo(https ? "https" : null));
    }

    private static Map<String, Object> one(List<Map<String, Object>> docs, String kind) {
        List<Map<String, Object>> found = docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertThat(found).as("exactly one %s", kind).hasSize(1);
        return found.get(0);
    }

    private static Map<String, Object> named(List<Map<String, Object>> docs, String kind, String name) {
        return docs.stream().filter(d -> kind.equals(d.get("kind")) && name.equals(at(d, "metadata.name")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    /** node.yml of the chart's ConfigMap, written next to the rendered manifests. */
    private static Path nodeYml(Chart chart, List<Map<String, Object>> docs) throws Exception {
        String text = data(one(docs, "ConfigMap"), "node.yml");
        assertThat(Repo.parseYamlMap(text)).containsKeys("node", "listen", "exporters", "storage", "cluster", "server");
        Path f = Repo.TARGET.resolve("rendered/" + chart.name() + ".node.yml");
        Files.writeString(f, text);
        return f;
    }

    /**
     * Builds the configuration the way the node's Dropwizard bootstrap does (YAML, Jackson failing on unknown keys,
     * bean validation including NodeConfigChecks), with -Ddw.* system properties taken from javaOptions.
     */
    static synchronized NodeConfiguration parseAsTheNodeDoes(Path yml, String javaOptions) throws Exception {
        Properties saved = (Properties) System.getProperties().clone();
        Matcher m = Pattern.compile("-D(dw\\.[^=\\s]+)=(\\S+)").matcher(javaOptions);
        while (m.find()) {
            System.setProperty(m.group(1), m.group(2));
        }
        try {
            ConfigurationFactory<NodeConfiguration> f = new DefaultConfigurationFactoryFactory<NodeConfiguration>()
                    .create(NodeConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");
            return f.build(new FileConfigurationSourceProvider(), yml.toString());
        } finally {
            System.setProperties(saved);
        }
    }
}
