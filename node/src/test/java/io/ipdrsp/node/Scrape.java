package io.ipdrsp.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Prometheus text-format scrape, parsed: metric families (name → type) and samples (name, labels, value). Its
 * {@link #shape()} — every family with its type and label names — is what ops/observability's saved scrapes must keep
 * matching (values and label values change from run to run, the shape only when the code does).
 */
record Scrape(String text, Map<String, String> types, List<Sample> samples) {
    private static final Pattern TYPE = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$");
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    static Scrape parse(String text) {
        Map<String, String> types = new TreeMap<>();
        Matcher t = TYPE.matcher(text);
        while (t.find()) {
            types.put(t.group(1), t.group(2));
        }
        List<Sample> samples = new ArrayList<>();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return new Scrape(text, types, samples);
    }

    /** The sum of the samples of {@code name} whose labels include {@code labels} (0 when none). */
    double sum(String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name)
                && s.labels().entrySet().containsAll(labels.entrySet())).mapToDouble(Sample::value).sum();
    }

    /** The family a sample belongs to: its name, or without _bucket/_count/_sum/_created for histograms. */
    String family(String sampleName) {
        if (types.containsKey(sampleName)) {
            return sampleName;
        }
        for (String suffix : new String[] {"_bucket", "_count", "_sum", "_created"}) {
            String base = sampleName.endsWith(suffix)
                    ? sampleName.substring(0, sampleName.length() - suffix.length()) : null;
            if (base != null && types.containsKey(base)) {
                return base;
            }
        }
        return sampleName;
    }

    /** family → "type [label names]" (le and quantile left out). */
    Map<String, String> shape() {
        Map<String, TreeSet<String>> labels = new TreeMap<>();
        types.keySet().forEach(f -> labels.put(f, new TreeSet<>()));
        for (Sample s : samples) {
            TreeSet<String> names = labels.computeIfAbsent(family(s.name()), k -> new TreeSet<>());
            names.addAll(s.labels().keySet());
            names.remove("le");
            names.remove("quantile");
        }
        Map<String, String> out = new TreeMap<>();
        labels.forEach((family, names) -> out.put(family, types.getOrDefault(family, "untyped") + " " + names));
        return out;
    }

    /** The union of several scrapes' shapes (a family one node exports and another does not counts once). */
    static Map<String, String> shape(List<Scrape> scrapes) {
        Map<String, String> out = new TreeMap<>();
        for (Scrape s : scrapes) {
            s.shape().forEach((family, shape) -> out.merge(family, shape, (a, b) -> a.equals(b) ? a : a + " | " + b));
        }
        return out;
    }
}
