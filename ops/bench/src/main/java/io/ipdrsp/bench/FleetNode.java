package io.ipdrsp.bench;

import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.launcher.NodeClasspath;
import io.ipdrsp.launcher.NodeConfig;
import io.ipdrsp.launcher.NodeJvm;
import io.ipdrsp.launcher.Ports;
import io.ipdrsp.launcher.ProjectHome;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The collector of a fleet run, in its own JVM ({@link NodeJvm}), as an operator would configure it for a fleet: no
 * CMTS listed, every CMTS on 127.0.0.0/8 admitted by range and named by its CONNECT; and what the run reads of it
 * from outside: Prometheus counters (admin port), CPU, RSS and heap after a full GC.
 */
final class FleetNode implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern HEAP_USED = Pattern.compile("garbage-first heap\\s+total \\d+K, used (\\d+)K");

    final NodeJvm jvm;
    final String keyspace;
    private final Path dir;

    private FleetNode(NodeJvm jvm, String keyspace, Path dir) {
        this.jvm = jvm;
        this.keyspace = keyspace;
        this.dir = dir;
    }

    static FleetNode start(FleetOptions o, int cmtses, Path dir, CassandraServer cassandra)
            throws InterruptedException {
        String keyspace = "fleet_" + cmtses;
        String id = "fleet-node";
        NodeConfig c = NodeConfig.of(id, "bench").http("127.0.0.1", 0, 0).logToStdout("WARN", Map.of())
                .set("listen", NodeConfig.map("address", "127.0.0.1", "port", Ports.freePort("127.0.0.1"),
                        "allow", List.of("127.0.0.0/8")))
                .set("fleet", NodeConfig.map("nameTemplate", "cmts-{initiatorId}", "keepAliveSeconds", 30))
                .set("security", NodeConfig.map("generateCredentials", true, "credentialsDir",
                        dir.resolve("security").toString()))
                .set("storage", NodeConfig.map("contactPoints", List.of("127.0.0.1:" + cassandra.nativePort()),
                        "keyspace", keyspace, "consistency", "LOCAL_QUORUM"))
                .set("audit", NodeConfig.map("graceSeconds", o.grace().toSeconds(), "intervalSeconds", 2))
                .set("cluster", NodeConfig.map("clusterName", "fleet-" + System.nanoTime(), "hazelcastAddress",
                        "127.0.0.1", "hazelcastPort", Ports.freePort("127.0.0.1"), "embeddedZooKeeperDir",
                        dir.resolve("zookeeper").toString()));
        List<String> options = new ArrayList<>(List.of("-Xms" + o.nodeHeap(), "-Xmx" + o.nodeHeap()));
        options.addAll(o.nodeJvmOptions());
        if (o.jfr() != null) { // the whole run of this fleet size, written when the node exits
            Path file = o.jfr().toAbsolutePath().resolveSibling(o.jfr().getFileName() + "-" + cmtses + ".jfr");
            options.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + file);
            System.out.println("JFR recording of the node: " + file);
        }
        NodeJvm jvm = NodeJvm.builder(c, dir).classpath(NodeClasspath.ofCheckout(ProjectHome.locate()))
                .jvmOptions(options).build().start();
        try {
            jvm.awaitUp(Duration.ofSeconds(180));
        } catch (RuntimeException | InterruptedException e) {
            jvm.close();
            throw e;
        }
        return new FleetNode(jvm, keyspace, dir);
    }

    long pid() {
        return jvm.pid();
    }

    /** The sum over labels of a Prometheus metric of the node ({@code name} as scraped, e.g. with _total). */
    double metric(String scrape, String name) {
        double sum = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    String scrape() {
        return get("http://127.0.0.1:" + jvm.adminPort() + "/prometheus");
    }

    String get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", authorization())
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private String authorization() {
        try {
            String login = Files.readString(dir.resolve("security").resolve("admin.credentials")).trim();
            return "Basic " + java.util.Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "";
        }
    }

    /** Resident set size of the node JVM, MiB. */
    long rssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Java heap in use right after a full GC (jcmd GC.run, then GC.heap_info), MiB; -1 if unknown. */
    long heapAfterGcMiB() throws InterruptedException {
        jcmd("GC.run");
        Matcher m = HEAP_USED.matcher(jcmd("GC.heap_info"));
        return m.find() ? Long.parseLong(m.group(1)) / 1024 : -1;
    }

    String jcmd(String... command) throws InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(pid()));
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        }
    }

    /** The node's log lines at WARN or above (their count, and the first few). */
    String warnings() {
        try {
            List<String> w = Files.readAllLines(jvm.logFile()).stream()
                    .filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
            return w.size() + " WARN/ERROR lines" + (w.isEmpty() ? "" : "; first: " + String.join(" | ",
                    w.subList(0, Math.min(3, w.size()))));
        } catch (IOException e) {
            return "log unreadable";
        }
    }

    @Override
    public void close() {
        try {
            jvm.stop(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
