package io.ipdrsp.helmcheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * ops/observability/scrapes/: what two real nodes exposed at {@code /prometheus} before ("quiet") and after a run
 * with failovers, an integrity alarm and an INCOMPLETE document, recorded by the node's ObservedSeriesTest (which
 * fails when a node's series stop matching them). Each file starts with {@code # ipdr scrape: node=… site=… phase=…}.
 */
final class SavedScrapes {
    static final Path DIR = Repo.OBSERVABILITY.resolve("scrapes");
    private static final Pattern HEADER = Pattern.compile("^# ipdr scrape: node=(\\S+) site=(\\S+) phase=(\\S+)");
    private static final Pattern TYPE = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$");
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One sample with the labels the node gave it (the scrape-time node/site/job/instance are added by callers). */
    record Sample(String name, Map<String, String> labels, String value) {
    }

    /** One saved scrape. */
    record Scrape(String node, String site, String phase, Map<String, String> types, List<Sample> samples) {
        /** The metric family of a sample name: itself, or its histogram/summary base for _bucket/_count/_sum. */
        String family(String sample) {
            for (String suffix : new String[] {"", "_bucket", "_count", "_sum", "_created"}) {
                if (sample.endsWith(suffix)) {
                    String base = sample.substring(0, sample.length() - suffix.length());
                    if (types.containsKey(base)) {
                        return base;
                    }
                }
            }
            return sample;
        }
    }

    private SavedScrapes() {
    }

    static List<Scrape> all() {
        try (Stream<Path> files = Files.list(DIR)) {
            List<Scrape> out = new ArrayList<>();
            for (Path f : files.filter(p -> p.toString().endsWith(".prom")).sorted().toList()) {
                out.add(parse(f));
            }
            if (out.isEmpty()) {
                throw new IllegalStateException("no saved scrapes in " + DIR);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Scrape parse(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Matcher h = HEADER.matcher(text);
        if (!h.find()) {
            throw new IllegalStateException(file + ": no '# ipdr scrape: node=… site=… phase=…' header");
        }
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
            samples.add(new Sample(m.group(1), labels, m.group(3)));
        }
        return new Scrape(h.group(1), h.group(2), h.group(3), types, samples);
    }

    /** Every family of every saved scrape: name → type. */
    static Map<String, String> types(List<Scrape> scrapes) {
        Map<String, String> out = new TreeMap<>();
        scrapes.forEach(s -> out.putAll(s.types()));
        return out;
    }

    /** Every family → the label names its samples carry (le and quantile left out). */
    static Map<String, TreeSet<String>> labelNames(List<Scrape> scrapes) {
        Map<String, TreeSet<String>> out = new TreeMap<>();
        for (Scrape s : scrapes) {
            s.types().keySet().forEach(f -> out.computeIfAbsent(f, k -> new TreeSet<>()));
            for (Sample x : s.samples()) {
                TreeSet<String> names = out.computeIfAbsent(s.family(x.name()), k -> new TreeSet<>());
                names.addAll(x.labels().keySet());
                names.remove("le");
                names.remove("quantile");
            }
        }
        return out;
    }
}
