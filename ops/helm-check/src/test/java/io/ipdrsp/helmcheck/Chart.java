package io.ipdrsp.helmcheck;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One way to install the chart: a values file of helm/ipdr-collector (or none: the defaults), optionally with a
 * test overlay on top, as `helm install -f values -f overlay` would combine them.
 */
record Chart(String name, Path valuesFile, Path overlay) {
    static final String RELEASE = "ipdr";
    static final String NAMESPACE = "ipdr-test";
    /** helm template's built-in default is v1.20.0, older than Chart.yaml's kubeVersion; validated at 1.34 level. */
    static final String KUBE_VERSION = "1.31.0";
    static final Path VARIANTS = Path.of("src/test/resources/variants").toAbsolutePath();
    static final Path INVALID = Path.of("src/test/resources/invalid-values").toAbsolutePath();

    /** The defaults and every values-*.yaml shipped with the chart: a new values file is covered without edits. */
    static List<Chart> shipped() {
        List<Chart> out = new ArrayList<>();
        out.add(new Chart("default", null, null));
        try (Stream<Path> files = Files.list(Repo.CHART)) {
            files.filter(f -> f.getFileName().toString().matches("values-.+\\.yaml")).sorted()
                    .forEach(f -> out.add(new Chart(f.getFileName().toString().replaceAll("^values-|\\.yaml$", ""), f, null)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Shipped values plus the variants under src/test/resources/variants (named base--variant.yaml). */
    static List<Chart> all() {
        List<Chart> out = new ArrayList<>(shipped());
        try (Stream<Path> files = Files.list(VARIANTS)) {
            files.sorted().forEach(f -> {
                String n = f.getFileName().toString().replace(".yaml", "");
                String base = n.substring(0, n.indexOf("--"));
                Path baseFile = base.equals("default") ? null : Repo.CHART.resolve("values-" + base + ".yaml");
                out.add(new Chart(n, baseFile, f));
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The values helm computes: values.yaml, then the values file, then the overlay. */
    Map<String, Object> values() {
        Map<String, Object> v = Repo.readYamlMap(Repo.CHART.resolve("values.yaml"));
        if (valuesFile != null) {
            v = Repo.merge(v, Repo.readYamlMap(valuesFile));
        }
        if (overlay != null) {
            v = Repo.merge(v, Repo.readYamlMap(overlay));
        }
        return v;
    }

    /** `helm template` (throws IllegalStateException with helm's message when the chart or values are invalid). */
    String render() {
        return renderFrom(Repo.CHART);
    }

    /** {@link #render()} of another copy of the chart (with these values). Hooks are not in the output. */
    String renderFrom(Path chartDir) {
        TemplateCommand t = new Helm(chartDir).template().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        if (valuesFile != null) {
            t = t.withValuesFile(valuesFile);
        }
        if (overlay != null) {
            t = t.withValuesFile(overlay);
        }
        return t.call();
    }

    /** NOTES.txt as `helm install` prints it (client-only dry run: no cluster). */
    String notes() {
        var install = new Helm(Repo.CHART).install().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION).dryRun().clientOnly();
        if (valuesFile != null) {
            install = install.withValuesFile(valuesFile);
        }
        if (overlay != null) {
            install = install.withValuesFile(overlay);
        }
        return install.call().getOutput();
    }

    /**
     * `helm lint --strict -f ...`. helm-java's lint takes no values file, so the chart is linted as a copy under
     * target/ whose values.yaml is the merged values (what `-f` would give helm).
     */
    LintResult lintStrict() throws IOException {
        Path copy = Repo.TARGET.resolve("lint/" + name + "/ipdr-collector");
        copyChart(copy);
        Repo.YAML.writeValue(copy.resolve("values.yaml").toFile(), values());
        return new Helm(copy).lint().strict().call();
    }

    static void copyChart(Path copy) throws IOException {
        if (Files.exists(copy)) {
            try (Stream<Path> old = Files.walk(copy)) {
                for (Path p : old.sorted((a, b) -> b.compareTo(a)).toList()) {
                    Files.delete(p);
                }
            }
        }
        try (Stream<Path> files = Files.walk(Repo.CHART)) {
            for (Path src : files.toList()) {
                String rel = Repo.CHART.relativize(src).toString();
                if (rel.matches("values-.+\\.yaml")) {
                    continue; // the merged values.yaml stands for them
                }
                Path dst = copy.resolve(rel);
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(src, dst);
                }
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
