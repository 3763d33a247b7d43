package io.ipdrsp.helmcheck;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Paths of the project checked here, and YAML helpers shared by the tests. */
final class Repo {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Path ROOT = findRoot();
    static final Path CHART = ROOT.resolve("helm/ipdr-collector");
    static final Path OBSERVABILITY = ROOT.resolve("ops/observability");
    static final Path TOOLS_JS = ROOT.resolve("tools-js");
    /** target/ of this module: rendered manifests are left there for people and CI to look at. */
    static final Path TARGET = Path.of("target").toAbsolutePath();

    private Repo() {
    }

    private static Path findRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("helm/ipdr-collector/Chart.yaml")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no helm/ipdr-collector/Chart.yaml above " + Path.of("").toAbsolutePath());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> readYamlMap(Path file) {
        try {
            Object v = YAML.readValue(file.toFile(), Object.class);
            return v == null ? new LinkedHashMap<>() : (Map<String, Object>) v;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parseYamlMap(String text) {
        try {
            return (Map<String, Object>) YAML.readValue(text, Object.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not YAML: " + e.getMessage(), e);
        }
    }

    /** Every document of a multi-document YAML stream (helm template output), empty ones dropped. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> documents(String yaml) {
        List<Map<String, Object>> out = new ArrayList<>();
        try (var it = YAML.readerFor(Object.class).readValues(yaml)) {
            while (it.hasNext()) {
                Object doc = it.next();
                if (doc instanceof Map<?, ?> m) {
                    out.add((Map<String, Object>) m);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("rendered output is not YAML: " + e.getMessage(), e);
        }
        return out;
    }

    /** Helm's merge of -f files over values.yaml: maps merge key by key, anything else (lists too) replaces. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> over) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        over.forEach((k, v) -> {
            Object b = out.get(k);
            if (v == null) {
                out.remove(k);
            } else if (b instanceof Map<?, ?> bm && v instanceof Map<?, ?> vm) {
                out.put(k, merge((Map<String, Object>) bm, (Map<String, Object>) vm));
            } else {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Value at a dotted path of nested maps ("spec.template.spec"); list elements as "[i]" segments. */
    @SuppressWarnings("unchecked")
    static <T> T at(Object node, String path) {
        Object cur = node;
        for (String seg : path.split("\\.")) {
            if (cur == null) {
                return null;
            }
            if (seg.startsWith("[")) {
                cur = ((List<Object>) cur).get(Integer.parseInt(seg.substring(1, seg.length() - 1)));
            } else {
                cur = ((Map<String, Object>) cur).get(seg);
            }
        }
        return (T) cur;
    }
}
