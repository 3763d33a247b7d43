package io.ipdrsp.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipdrsp.launcher.LaunchException;
import io.ipdrsp.launcher.NodeClasspath;
import io.ipdrsp.launcher.NodeConfig;
import io.ipdrsp.launcher.NodeJvm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A collector node in its own JVM ({@link NodeJvm}: the test JVM's class path, the root pom's
 * {@code test.jvm.flags}, a {@link NodeConfig}, output under {@code target/cluster-it}), read through its REST API
 * and Prometheus endpoint.
 *
 * <p>Counters survive restarts here (not in the node): before a kill or stop the last scrape is carried over, so
 * {@link #counterTotal} is the node's count over all its lives (up to the last scrape before each death).
 */
final class NodeProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern HZ_MEMBERS = Pattern.compile("Members \\{size:(\\d+), ver:(\\d+)}");

    final String id;
    final int apiPort;
    final int adminPort;
    private final NodeJvm jvm;
    private final Map<String, Double> carried = new HashMap<>();
    private Map<String, Double> lastScrape = Map.of();

    NodeProcess(NodeConfig config, Path dir, int apiPort, int adminPort, List<String> systemProperties) {
        this.id = config.id();
        this.apiPort = apiPort;
        this.adminPort = adminPort;
        List<String> jvmOptions = new ArrayList<>(NodeJvm.compactJvm("320m"));
        jvmOptions.addAll(systemProperties);
        this.jvm = NodeJvm.builder(config, dir).classpath(NodeClasspath.ofThisJvm()).jvmOptions(jvmOptions).build();
    }

    /** Launches the JVM (no wait). */
    NodeProcess start() {
        jvm.start();
        return this;
    }

    /** Waits until the node is up (it has joined Hazelcast/ZooKeeper by then). */
    NodeProcess awaitReady(Duration timeout) throws InterruptedException {
        try {
            jvm.awaitUp(timeout);
            return this;
        } catch (LaunchException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    long pid() {
        return jvm.pid();
    }

    boolean isAlive() {
        return jvm.isAlive();
    }

    /** SIGKILL: no shutdown hook, no SESSION_STOP, no Hazelcast leave; sockets are reset by the kernel. */
    synchronized void kill9() throws InterruptedException {
        carryCounters();
        jvm.kill9();
    }

    /** SIGSTOP: the JVM freezes with all its connections open (a GC pause or a hung VM, seen from outside). */
    void sigstop() {
        jvm.sigstop();
    }

    void sigcont() {
        jvm.sigcont();
    }

    /** SIGTERM and wait (the node stops its sessions, leaves the cluster, closes Cassandra). */
    synchronized void stop() throws InterruptedException {
        if (jvm.isAlive()) {
            carryCounters();
            jvm.stop(Duration.ofSeconds(30));
        }
    }

    /** Starts it again (after a kill or stop) on the same config and ports and waits until ready. */
    NodeProcess restart() throws InterruptedException {
        stop();
        return start().awaitReady(Duration.ofSeconds(90));
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            jvm.close();
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

    /**
     * Role of this node for a CMTS session as its API reports it: primary, backup, idle, or "absent"; "standby" for
     * an idle session ready to take the stream (templates acknowledged, or stopped by a hand-off).
     */
    String role(String exporter, int sessionId) {
        try {
            for (JsonNode e : exporters().path("exporters")) {
                if (exporter.equals(e.path("name").asText())) {
                    for (JsonNode s : e.path("sessions")) {
                        if (s.path("sessionId").asInt() == sessionId) {
                            String role = s.path("role").asText();
                            String state = s.path("state").asText();
                            boolean ready = state.equals("TEMPLATES_READY") || state.equals("STOPPED");
                            return role.equals("idle") && ready ? "standby" : role;
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
        if (jvm.isFrozen() || !isAlive()) {
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

    /** The node's Prometheus text now, "" when it does not answer. */
    String prometheusText() {
        return jvm.isFrozen() || !isAlive() ? "" : get(adminPort, "/prometheus").orElse("");
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
        return jvm.logFile();
    }

    /** Cluster size in the last "Members {size:N" line Hazelcast logged in the current life, or -1. */
    int hazelcastMembersFromLog() {
        Matcher m = HZ_MEMBERS.matcher(jvm.currentLifeLog());
        int size = -1;
        while (m.find()) {
            size = Integer.parseInt(m.group(1));
        }
        return size;
    }
}
