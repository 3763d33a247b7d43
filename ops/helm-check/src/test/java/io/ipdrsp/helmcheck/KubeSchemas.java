package io.ipdrsp.helmcheck;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs tools-js/validate-k8s.mjs (npm kubernetes-models schemas) on rendered manifests. Installs the locked npm
 * packages into tools-js/node_modules on first use; CI machines have Node 20+ and reach the npm registry.
 */
final class KubeSchemas {
    record Result(int exitCode, String output) {
    }

    private KubeSchemas() {
    }

    static synchronized void ensureInstalled() throws IOException, InterruptedException {
        if (Files.isRegularFile(Repo.TOOLS_JS.resolve("node_modules/kubernetes-models/package.json"))
                && Files.isRegularFile(Repo.TOOLS_JS.resolve("node_modules/js-yaml/package.json"))
                && Files.isRegularFile(Repo.TOOLS_JS.resolve("node_modules/@kubernetes-models/prometheus-operator/package.json"))) {
            return;
        }
        Result r = run(Repo.TOOLS_JS, 600, "npm", "ci", "--no-audit", "--no-fund");
        if (r.exitCode() != 0) {
            throw new IllegalStateException("npm ci in " + Repo.TOOLS_JS + " failed (exit " + r.exitCode() + "):\n" + r.output());
        }
    }

    static Result validate(List<Path> files, String... options) throws IOException, InterruptedException {
        ensureInstalled();
        List<String> cmd = new ArrayList<>(List.of("node", Repo.TOOLS_JS.resolve("validate-k8s.mjs").toString()));
        cmd.addAll(List.of(options));
        files.forEach(f -> cmd.add(f.toString()));
        return run(Repo.TOOLS_JS, 120, cmd.toArray(String[]::new));
    }

    private static Result run(Path dir, int timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        Files.createDirectories(Repo.TARGET);
        Path log = Files.createTempFile(Repo.TARGET, "proc-", ".log");
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd[0] + " (Node.js 20+ and npm must be on the PATH): "
                    + e.getMessage(), e);
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        return new Result(p.exitValue(), out);
    }
}
