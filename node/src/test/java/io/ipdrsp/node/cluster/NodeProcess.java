package io.ipdrsp.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A collector node in its own JVM, as in production: the test JVM's java and classpath, the root pom's
 * {@code test.jvm.flags}, a generated YAML config, stdout/stderr into files under {@code target/cluster-it}. It can be
 * killed (-9), frozen (SIGSTOP/SIGCONT), stopped (SIGTERM) and restarted on the same config and ports, and read
 * through its REST API and Prometheus endpoint.
 *
 * <p>Counters survive restarts here (not in the node): before a kill or stop the last scrape is carried over, so
 * {@link #counterTotal} is the node's count over all its lives (up to the last scrape before each death).
 */
final class NodeProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Set<NodeProcess> LIVE = ConcurrentHashMap.newKeySet();
    private static final Pattern HZ_MEMBERS = Pattern.compile("Members \\{size:(\\d+), ver:(\\d+)}");

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(NodeProcess::destroyNow),
                "cluster-it-node-cleanup"));
    }

    final String id;
    final int apiPort;
    final int adminPort;
    private final Path dir;
    private final Path config;
    private final List<String> jvmArgs;
    private final Map<String, Double> carried = new HashMap<>();
    private Map<String, Double> lastScrape = Map.of();
    private Process process;
    private int lives;
    private volatile boolean frozen;

    NodeProcess(String id, Path dir, String yaml, int apiPort, int adminPort, List<String> systemProperties) {
        this.id = id;
        this.dir = dir;
        this.apiPort = apiPort;
        this.adminPort = adminPort;
        this.jvmArgs = List.copyOf(systemProperties);
        try {
            Files.createDirectories(dir);
            config = dir.resolve(id + ".yml");
            Files.writeString(config, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Launches the JVM and waits until the API answers (the node has joined Hazelcast/ZooKeeper by then). */
    synchronized NodeProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(id + " already runs as pid " + process.pid());
        }
        lives++;
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xms64m", "-Xmx320m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xshare:auto", "-XX:-UsePerfData"));
        cmd.addAll(testJvmFlags());
        cmd.add("-Dipdr.test.parentPid=" + ProcessHandle.current().pid());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(testClasspath());
        cmd.add(ClusterNodeMain.class.getName());
        cmd.add(config.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(id + ".err").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            Files.writeString(logFile(), "\n===== start #" + lives + " =====\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch node " + id, e);
        }
        frozen = false;
        LIVE.add(this);
        return this;
    }

    synchronized NodeProcess awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError(id + " exited with " + process.exitValue() + " before it was ready; see "
                        + logFile() + "\n" + tail(40));
            }
            if (get(apiPort, "/api/exporters").isPresent()) {
                return this;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(id + " not ready within " + timeout + "; see " + logFile() + "\n" + tail(40));
            }
            Thread.sleep(200);
        }
    }

    long pid() {
        return process.pid();
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no SESSION_STOP, no Hazelcast leave; sockets are reset by the kernel. */
    synchronized void kill9() throws InterruptedException {
        carryCounters();
        if (frozen) {
            signal("CONT"); // a stopped process dies on SIGKILL too; resuming first keeps the bookkeeping simple
        }
        process.destroyForcibly();
        process.waitFor();
        frozen = false;
        LIVE.remove(this);
    }

    /** SIGSTOP: the JVM freezes with all its connections open (a GC pause or a hung VM, seen from outside). */
    synchronized void sigstop() {
        signal("STOP");
        frozen = true;
    }

    synchronized void sigcont() {
        signal("CONT");
        frozen = false;
    }

    /** SIGTERM and wait (the node stops its sessions, leaves the cluster, closes Cassandra). */
    synchronized void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        carryCounters();
        if (frozen) {
            sigcont();
        }
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        LIVE.remove(this);
    }

    /** Starts it again (after a kill or stop) on the same config and ports and waits until ready. */
    NodeProcess restart() throws InterruptedException {
        if (isAlive()) {
            stop();
        }
        return start().awaitReady(Duration.ofSeconds(90));
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroyNow();
        }
    }

    private void destroyNow() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
        }
    }

    private void signal(String sig) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + sig + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------------------------------------- REST client

    /** {@code GET /api/exporters}, parsed. */
    JsonNode exporters() {
        return getJson(apiPort, "/api/exporters");
    }

    /** {@code GET /api/cluster}, parsed; an AssertionError naming the status when the node does not serve it. */
    JsonNode cluster() {
        return getJson(apiPort, "/api/cluster");
    }

    /** Role of this node for a CMTS session as its API reports it: primary, backup, idle, or "absent". */
    String role(String exporter, int sessionId) {
        try {
            for (JsonNode e : exporters().path("exporters")) {
                if (exporter.equals(e.path("name").asText())) {
                    for (JsonNode s : e.path("sessions")) {
                        if (s.path("sessionId").asInt() == sessionId) {
                            return s.path("role").asText();
                        }
                    }
                }
            }
        } catch (AssertionError unreachable) {
            return "unreachable";
        }
        return "absent";
    }

    JsonNode getJson(int port, String path) {
        HttpResponse<String> r = send(port, path).orElseThrow(() -> new AssertionError(id + ": no answer on " + path));
        if (r.statusCode() != 200) {
            throw new AssertionError(id + ": GET " + path + " answered HTTP " + r.statusCode() + ": "
                    + r.body().substring(0, Math.min(200, r.body().length())));
        }
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError(id + ": " + path + " is not JSON: " + e.getMessage());
        }
    }

    private Optional<String> get(int port, String path) {
        return send(port, path).filter(r -> r.statusCode() == 200).map(HttpResponse::body);
    }

    private Optional<HttpResponse<String>> send(int port, String path) {
        try {
            return Optional.of(HTTP.send(io.ipdrsp.node.TestUsers.request(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------------------------------------- metrics

    /** One Prometheus scrape: metric name (labels dropped) → sum of its samples. Empty if the node is down. */
    synchronized Map<String, Double> scrape() {
        if (frozen || !isAlive()) {
            return Map.of();
        }
        Optional<String> text = get(adminPort, "/prometheus");
        if (text.isEmpty()) {
            return Map.of();
        }
        lastScrape = parsePrometheus(text.get());
        return lastScrape;
    }

    static Map<String, Double> parsePrometheus(String text) {
        Map<String, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String name = (brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space)).trim();
            try {
                out.merge(name, Double.parseDouble(line.substring(space + 1).trim()), Double::sum);
            } catch (NumberFormatException ignored) {
                // timestamps or NaN-like values we do not use
            }
        }
        return out;
    }

    /** Is a metric exported at all (by its Prometheus name)? Scrapes now. */
    boolean exports(String metric) {
        return scrape().containsKey(metric);
    }

    /** The counter over all lives of this node: carried values of earlier lives + a scrape of the current one. */
    synchronized double counterTotal(String metric) {
        Map<String, Double> now = scrape();
        return carried.getOrDefault(metric, 0.0) + now.getOrDefault(metric, 0.0);
    }

    private void carryCounters() {
        Map<String, Double> last = scrape();
        if (last.isEmpty()) {
            last = lastScrape;
        }
        last.forEach((k, v) -> carried.merge(k, v, Double::sum));
        lastScrape = Map.of();
    }

    // ------------------------------------------------------------------------------------------------- logs

    Path logFile() {
        return dir.resolve(id + ".log");
    }

    /** Cluster size in the last "Members {size:N" line Hazelcast logged in the current life, or -1. */
    int hazelcastMembersFromLog() {
        String log = currentLifeLog();
        Matcher m = HZ_MEMBERS.matcher(log);
        int size = -1;
        while (m.find()) {
            size = Integer.parseInt(m.group(1));
        }
        return size;
    }

    String currentLifeLog() {
        try {
            String all = Files.readString(logFile(), StandardCharsets.UTF_8);
            int at = all.lastIndexOf("===== start #");
            return at < 0 ? all : all.substring(at);
        } catch (IOException e) {
            return "";
        }
    }

    String tail(int lines) {
        String[] all = currentLifeLog().split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    // ------------------------------------------------------------------------------------------------ JVM setup

    /**
     * The test classpath. Surefire may run tests from a manifest-only booter jar, so java.class.path can be that
     * one jar; the real classpath is then in {@code surefire.test.class.path} or in the jar's Class-Path.
     */
    static String testClasspath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        String[] parts = cp.split(File.pathSeparator);
        if (parts.length == 1 && parts[0].endsWith(".jar")) {
            try (JarFile jar = new JarFile(parts[0])) {
                Manifest mf = jar.getManifest();
                String classPath = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
                if (classPath != null) {
                    List<String> files = new ArrayList<>();
                    for (String url : classPath.trim().split("\\s+")) {
                        files.add(Path.of(URI.create(url)).toString());
                    }
                    return String.join(File.pathSeparator, files);
                }
            } catch (IOException | IllegalArgumentException e) {
                // not a manifest-only jar: use it as it is
            }
        }
        return cp;
    }

    /** The --add-opens/--add-exports/--add-modules flags this JVM was started with (the root pom's test.jvm.flags). */
    static List<String> testJvmFlags() {
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
