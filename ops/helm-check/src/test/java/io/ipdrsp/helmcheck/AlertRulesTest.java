package io.ipdrsp.helmcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code promtool test rules} on ops/observability/alerts-test.yaml, whose input series are the saved scrapes of
 * real nodes ({@link SavedScrapes}): every CMTS alert must render with its CMTS's name from what nodes really expose.
 * The generated test file is left in target/promtool/. Without promtool (Debian package {@code prometheus}; .ci/run
 * installs it) the generation is still checked and the promtool run is skipped, saying so.
 */
class AlertRulesTest {
    private static final Path TEMPLATE = Repo.OBSERVABILITY.resolve("alerts-test.yaml");
    private static final Path OUT = Repo.TARGET.resolve("promtool/alerts-test.yaml");
    private static final Pattern SELECTOR = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?$");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern RECORDED = Pattern.compile("%\\{(\\w+):([a-zA-Z_:][a-zA-Z0-9_:]*)((?::[a-zA-Z_]\\w*=[^,}]+(?:,[a-zA-Z_]\\w*=[^,}]+)*)?)}");

    /** One series of the promtool input: sample name and every label, scrape-time ones included. */
    record Series(String name, Map<String, String> labels) {
        String selector() {
            StringBuilder b = new StringBuilder(name).append('{');
            String sep = "";
            for (Map.Entry<String, String> l : new TreeMap<>(labels).entrySet()) {
                b.append(sep).append(l.getKey()).append("=\"")
                        .append(l.getValue().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                sep = ",";
            }
            return b.append('}').toString();
        }

        boolean matches(String name, Map<String, String> labels) {
            return this.name.equals(name) && this.labels.entrySet().containsAll(labels.entrySet());
        }
    }

    @Test
    void everyAlertRendersWithItsCmtsFromRealSeries() throws Exception {
        Path file = generate();
        Assumptions.assumeTrue(promtool() != null,
                "promtool not found (Debian package prometheus): " + file + " generated but not run");
        Process p = new ProcessBuilder(promtool(), "test", "rules", file.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        System.out.println("promtool test rules " + file + ":\n" + output);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("SUCCESS");
    }

    @Test
    void aSetSeriesThatMatchesNoRecordedSeriesIsAnError() {
        Map<Series, List<String>> input = new LinkedHashMap<>();
        input.put(new Series("up", Map.of("node", "node-a")), new ArrayList<>(List.of("1")));
        assertThatThrownBy(() -> set(input, "up{node=\"node-x\"}", "0"))
                .hasMessageContaining("matches no recorded series");
        set(input, "up{node=\"node-a\"}", "0x3");
        assertThat(input.values()).containsExactly(List.of("0x3"));
        assertThat(values(List.of("1", "1", "_", "2.5", "2.5", "2.5"))).isEqualTo("1x1 _ 2.5x2");
        assertThat(values(List.of("_", "_", "_", "7"))).isEqualTo("_x3 7");
    }

    /** Writes target/promtool/alerts-test.yaml: the template with its input series from the saved scrapes. */
    @SuppressWarnings("unchecked")
    static Path generate() throws IOException {
        List<SavedScrapes.Scrape> scrapes = SavedScrapes.all();
        String template = Files.readString(TEMPLATE, StandardCharsets.UTF_8);
        Matcher r = RECORDED.matcher(template);
        StringBuilder text = new StringBuilder();
        while (r.find()) {
            r.appendReplacement(text, Matcher.quoteReplacement(recorded(scrapes, r.group(1), r.group(2), r.group(3))));
        }
        r.appendTail(text);
        Map<String, Object> tests = Repo.parseYamlMap(text.toString());
        tests.put("rule_files", List.of(Repo.OBSERVABILITY.resolve("alerts.yaml").toString()));
        Set<String> used = usedByRules();
        for (Map<String, Object> test : (List<Map<String, Object>>) tests.get("tests")) {
            Map<String, Object> phases = (Map<String, Object>) test.remove("phases");
            int until = ((Number) test.remove("until")).intValue();
            Map<Series, List<String>> input = input(scrapes, phases, until, used);
            for (Map<String, String> s : (List<Map<String, String>>) test.getOrDefault("set_series", List.of())) {
                set(input, s.get("series"), s.get("values"));
            }
            test.remove("set_series");
            List<Map<String, String>> series = new ArrayList<>();
            input.forEach((k, v) -> series.add(Map.of("series", k.selector(), "values", values(v))));
            test.put("input_series", series);
        }
        Files.createDirectories(OUT.getParent());
        Repo.YAML.writeValue(OUT.toFile(), tests);
        return OUT;
    }

    /** The sample names the alert rules read, and {@code up}. */
    @SuppressWarnings("unchecked")
    private static Set<String> usedByRules() {
        Set<String> used = new LinkedHashSet<>();
        for (Map<String, Object> g : (List<Map<String, Object>>) Repo.readYamlMap(
                Repo.OBSERVABILITY.resolve("alerts.yaml")).get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) g.get("rules")) {
                used.addAll(PromQl.metricNames((String) rule.get("expr")));
            }
        }
        return used;
    }

    /**
     * Per series, one value per minute from 0 to {@code until}: each phase's scrape from its minute on, "_" where the
     * node had no such series then. Labels node, site, job and instance as the ServiceMonitor adds them.
     */
    private static Map<Series, List<String>> input(List<SavedScrapes.Scrape> scrapes, Map<String, Object> phases,
            int until, Set<String> used) {
        List<Map.Entry<String, Object>> order = new ArrayList<>(phases.entrySet());
        Map<Series, List<String>> out = new LinkedHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            int from = ((Number) order.get(i).getValue()).intValue();
            int to = i + 1 < order.size() ? ((Number) order.get(i + 1).getValue()).intValue() : until + 1;
            for (SavedScrapes.Scrape s : scrapes) {
                if (!s.phase().equals(order.get(i).getKey())) {
                    continue;
                }
                Map<String, String> target = Map.of("node", s.node(), "site", s.site(), "job", "ipdr-collector",
                        "instance", s.node() + ":8081");
                put(out, new Series("up", target), "1", from, to);
                for (SavedScrapes.Sample x : s.samples()) {
                    if (used.contains(x.name())) {
                        Map<String, String> labels = new TreeMap<>(x.labels());
                        labels.putAll(target);
                        put(out, new Series(x.name(), labels), x.value(), from, to);
                    }
                }
            }
        }
        out.values().forEach(v -> {
            while (v.size() <= until) {
                v.add("_");
            }
        });
        return out;
    }

    private static void put(Map<Series, List<String>> out, Series s, String value, int from, int to) {
        List<String> v = out.computeIfAbsent(s, k -> new ArrayList<>());
        while (v.size() < from) {
            v.add("_");
        }
        for (int m = from; m < to; m++) {
            v.add(value);
        }
    }

    /** Replaces the values of every input series the selector matches (there must be one). */
    static void set(Map<Series, List<String>> input, String selector, String values) {
        Matcher m = SELECTOR.matcher(selector.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("set_series: not a series selector: " + selector);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (m.group(2) != null) {
            Matcher l = MATCHER.matcher(m.group(2));
            while (l.find()) {
                labels.put(l.group(1), l.group(2));
            }
        }
        int n = 0;
        for (Map.Entry<Series, List<String>> e : input.entrySet()) {
            if (e.getKey().matches(m.group(1), labels)) {
                e.setValue(new ArrayList<>(List.of(values)));
                n++;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("set_series " + selector + " matches no recorded series");
        }
    }

    /** promtool's expanding notation: a value and k repetitions is "vxk", but k missing samples ("_") are "_xk". */
    static String values(List<String> v) {
        if (v.size() == 1) {
            return v.get(0);
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < v.size(); ) {
            int j = i;
            while (j + 1 < v.size() && v.get(j + 1).equals(v.get(i))) {
                j++;
            }
            boolean missing = v.get(i).equals("_");
            parts.add(j == i ? v.get(i) : v.get(i) + "x" + (missing ? j - i + 1 : j - i));
            i = j + 1;
        }
        return String.join(" ", parts);
    }

    /** {@code %{phase:name:label=value,…}}: the samples of that phase summed over the nodes, as a whole number. */
    private static String recorded(List<SavedScrapes.Scrape> scrapes, String phase, String name, String matchers) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (!matchers.isEmpty()) {
            for (String kv : matchers.substring(1).split(",")) {
                labels.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        double sum = 0;
        int found = 0;
        for (SavedScrapes.Scrape s : scrapes) {
            for (SavedScrapes.Sample x : s.samples()) {
                if (s.phase().equals(phase) && x.name().equals(name)
                        && x.labels().entrySet().containsAll(labels.entrySet())) {
                    sum += Double.parseDouble(x.value());
                    found++;
                }
            }
        }
        if (found == 0) {
            throw new IllegalArgumentException("%{" + phase + ":" + name + matchers + "}: no such recorded series");
        }
        return String.format(java.util.Locale.ROOT, "%.0f", sum);
    }

    /** promtool on the PATH, or null. */
    static String promtool() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "promtool");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
