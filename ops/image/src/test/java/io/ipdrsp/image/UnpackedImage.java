package io.ipdrsp.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A `docker save` image tarball (what jib:buildTar writes) unpacked as a container engine would: its layers extracted
 * in order into one root filesystem, and its config (entrypoint, user, environment, working directory, labels).
 * Commands run in it the way an engine runs them, minus the isolation this machine cannot give: a private mount and
 * PID namespace (so /proc, /dev and /etc/hosts mounts vanish with the process and stopping it stops everything it
 * started), chroot into the root filesystem as the image's user, the image's environment only. The network is the
 * host's loopback.
 */
final class UnpackedImage {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final JsonNode config;
    private final List<String> tags;
    private final int layers;

    private UnpackedImage(Path root, JsonNode config, List<String> tags, int layers) {
        this.root = root;
        this.config = config;
        this.tags = tags;
        this.layers = layers;
    }

    static UnpackedImage unpack(Path imageTar, Path dir) throws IOException, InterruptedException {
        deleteTree(dir);
        Path blobs = dir.resolve("blobs");
        Path root = dir.resolve("rootfs");
        Files.createDirectories(blobs);
        Files.createDirectories(root);
        exec(Duration.ofMinutes(5), "tar", "-xf", imageTar.toString(), "-C", blobs.toString());
        JsonNode manifest = JSON.readTree(blobs.resolve("manifest.json").toFile()).get(0);
        JsonNode config = JSON.readTree(blobs.resolve(manifest.get("Config").asText()).toFile()).get("config");
        List<String> tags = new ArrayList<>();
        manifest.get("RepoTags").forEach(t -> tags.add(t.asText()));
        int n = 0;
        for (JsonNode layer : manifest.get("Layers")) {
            // as root, tar keeps the owners and modes the layer records (GNU tar reads gzip by itself); device nodes
            // stay out: the run binds the host's, as an engine gives a container its own /dev
            exec(Duration.ofMinutes(5), "tar", "-xf", blobs.resolve(layer.asText()).toString(), "-C", root.toString(),
                    "--wildcards", "--exclude=./dev/*", "--exclude=dev/*", "--warning=no-unknown-keyword");
            n++;
        }
        deleteTree(blobs);
        Files.createDirectories(root.resolve("etc/ipdr-collector"));
        return new UnpackedImage(root, config, tags, n);
    }

    Path root() {
        return root;
    }

    List<String> tags() {
        return tags;
    }

    int layers() {
        return layers;
    }

    List<String> entrypoint() {
        List<String> out = new ArrayList<>();
        config.path("Entrypoint").forEach(a -> out.add(a.asText()));
        return out;
    }

    String user() {
        return config.path("User").asText();
    }

    String workingDir() {
        String w = config.path("WorkingDir").asText();
        return w.isEmpty() ? "/" : w;
    }

    String label(String key) {
        return config.path("Labels").path(key).asText(null);
    }

    long sizeBytes() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    /** The image's entrypoint with {@code args}, as its user, output to {@code log}. */
    ImageProcess start(List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(entrypoint());
        cmd.addAll(args);
        return new ImageProcess(launch(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start(), log);
    }

    /** Runs a command in the image (not its entrypoint) and returns what it printed. */
    String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process p = launch(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError(command + " in the image failed: " + out);
        }
        return out;
    }

    /**
     * unshare(1) gives the run its own mount and PID namespaces (the mounts below are private to it; its PID 1 is the
     * command, so when that ends, everything it started ends); inside: /proc, the /dev nodes a JVM opens, the host's
     * /etc/hosts and /etc/resolv.conf (as an engine injects them), then chroot as the image's user, the image's
     * environment only, in its working directory.
     */
    private ProcessBuilder launch(List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork", "--kill-child=SIGKILL",
                "--", "/bin/sh", "-c", """
                set -e
                root="$1"; user="$2"; workdir="$3"; shift 3
                mount -t proc proc "$root/proc"
                for f in /dev/null /dev/zero /dev/random /dev/urandom /etc/hosts /etc/resolv.conf; do
                  [ -e "$root$f" ] || touch "$root$f"
                  mount --bind "$f" "$root$f"
                done
                exec chroot --userspec="$user" "$root" /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "$@"
                """, "image-run", root.toString(), user(), workingDir(), "/usr/bin/env", "-i", "HOME=/"));
        config.path("Env").forEach(e -> cmd.add(e.asText()));
        cmd.addAll(command);
        return new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }

    private static void exec(Duration timeout, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static void deleteTree(Path dir) throws IOException, InterruptedException {
        if (Files.exists(dir)) {
            // nothing is mounted under it: every mount above lives in a namespace that ended with its process
            exec(Duration.ofMinutes(2), "rm", "-rf", "--one-file-system", dir.toString());
        }
    }
}
