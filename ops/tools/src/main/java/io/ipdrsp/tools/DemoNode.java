package io.ipdrsp.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One collector node of the demo in its own JVM, as in production: this JVM's java and classpath (ops/bin/ipdr's,
 * which includes the node), its --add-opens flags, a generated YAML config, output appended to {@code <id>.log}.
 */
final class DemoNode {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** With the demo's login (NodeCredentials), which DemoRun sets before it creates the nodes. */
    private final HttpClient http = NodeHttp.client();

    final String id;
    final int apiPort;
    final int adminPort;
    private final Path dir;
    private final Path config;
    private final List<String> systemProperties;
    private Process process;
    private int lives;

    DemoNode(String id, Path dir, String yaml, int apiPort, int adminPort, List<String> systemProperties) {
        this.id = id;
        this.dir = dir;
        this.apiPort = apiPort;
        this.adminPort = adminPort;
        this.systemProperties = List.copyOf(systemProperties);
        this.config = dir.resolve(id + ".yml");
        try {
            Files.writeString(config, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String api() {
        return "http://127.0.0.1:" + apiPort;
    }

    Path logFile() {
        return dir.resolve(id + ".log");
    }

    synchronized void start() {
        lives++;
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // small heaps and the C1 compiler: three nodes, Cassandra and the demo share a laptop (or 2 CI cores)
        cmd.addAll(List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-XX:-UsePerfData"));
        cmd.addAll(moduleFlags());
        cmd.add("-D" + DemoNodeMain.PARENT_PID + "=" + ProcessHandle.current().pid());
        cmd.addAll(systemProperties);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(DemoNodeMain.class.getName());
        cmd.add(config.toString());
        try {
            Files.writeString(logFile(), "\n===== start #" + lives + " =====\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch " + id, e);
        }
    }

    /** Waits until the REST API answers; false when the process died or the time ran out. */
    boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Process p = process;
            if (p == null || !p.isAlive()) {
                return false;
            }
            if (get("/api/exporters").isPresent()) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** SIGKILL: no shutdown hook, no SESSION_STOP, no Hazelcast leave; the kernel resets the sockets. */
    synchronized void kill9() throws InterruptedException {
        if (isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** SIGTERM (the node stops its sessions and leaves the cluster); no wait. */
    synchronized void terminate() {
        if (isAlive()) {
            process.destroy();
        }
    }

    /** Waits for the end of a {@link #terminate}, then SIGKILL. */
    void awaitExit(Duration timeout) throws InterruptedException {
        Process p;
        synchronized (this) {
            p = process;
        }
        if (p != null && !p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** GET a path of the node's API as JSON; empty when the node does not answer 200 with JSON. */
    Optional<JsonNode> json(String path) {
        return get(path).flatMap(body -> {
            try {
                return Optional.of(JSON.readTree(body));
            } catch (IOException notJson) {
                return Optional.empty();
            }
        });
    }

    Optional<String> get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api() + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The last lines of the node's output, for a failure message. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** The --add-opens/--add-exports/--add-modules flags of this JVM (ops/bin/ipdr's, from the root pom). */
    private static List<String> moduleFlags() {
        List<String> out = new ArrayList<>();
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("--add-modules")) {
                out.add(a);
                if (!a.contains("=") && i + 1 < args.size()) {
                    out.add(args.get(++i));
                }
            }
        }
        return out;
    }
}
