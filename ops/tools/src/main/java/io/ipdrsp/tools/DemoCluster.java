package io.ipdrsp.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipdrsp.launcher.LaunchException;
import io.ipdrsp.launcher.NodeClasspath;
import io.ipdrsp.launcher.NodeConfig;
import io.ipdrsp.launcher.NodeJvm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The demo's three collector nodes, each in its own JVM as in production ({@link NodeJvm}: the node's main class on
 * the node module's class path, small heaps and the C1 compiler: three nodes, Cassandra and the demo share a laptop
 * or two CI cores), and what the demo asks them over HTTP.
 */
final class DemoCluster {
    private static final ObjectMapper JSON = new ObjectMapper();

    final List<NodeJvm> nodes = new ArrayList<>();

    DemoCluster(List<NodeConfig> configs, Path dir, Path home) {
        String classpath = NodeClasspath.ofCheckout(home);
        List<String> jvm = new ArrayList<>(NodeJvm.compactJvm("384m"));
        jvm.addAll(DemoPlan.hazelcastProperties());
        for (NodeConfig c : configs) {
            nodes.add(NodeJvm.builder(c, dir).classpath(classpath).jvmOptions(jvm).build());
        }
    }

    NodeJvm node(int n) {
        return nodes.get(n - 1);
    }

    /** Starts every node and waits until each is up; a failure names the node and shows its log tail. */
    void start(Duration timeout) throws InterruptedException {
        nodes.forEach(NodeJvm::start);
        for (NodeJvm n : nodes) {
            try {
                n.awaitUp(timeout);
            } catch (LaunchException e) {
                throw new DemoRun.DemoFailure(n.id() + " did not start: " + e.getMessage());
            }
        }
    }

    /** Until every node's Hazelcast view has all the members (when the node serves /api/cluster). */
    void awaitOneCluster(Duration timeout, Path logs) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (NodeJvm n : nodes) {
                Optional<JsonNode> c = json(n, "/api/cluster");
                if (c.isPresent() && c.get().path("members").size() < nodes.size()) {
                    all = false;
                }
            }
            if (all) {
                return;
            }
            Thread.sleep(500);
        }
        throw new DemoRun.DemoFailure("the nodes did not form one cluster within " + timeout.toSeconds() + " s; see "
                + logs + "/node-*.log");
    }

    /** A running node to ask, node-2 and node-3 first (node-1 is the one that was killed). */
    NodeJvm liveNode() {
        return Stream.of(1, 2, 0).map(nodes::get).filter(NodeJvm::isAlive).findFirst()
                .orElseThrow(() -> new DemoRun.DemoFailure("no node is running any more"));
    }

    /** GET a path of the node's API as JSON; empty when the node does not answer 200 with JSON. */
    static Optional<JsonNode> json(NodeJvm node, String path) {
        try {
            HttpResponse<String> r = NodeHttp.client().send(HttpRequest.newBuilder(URI.create(node.api() + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** SIGTERM to every running node (each stops its sessions and leaves the cluster), in parallel; then waits. */
    void stopAll() {
        List<NodeJvm> running = nodes.stream().filter(NodeJvm::isAlive).toList();
        List<Thread> stopping = new ArrayList<>();
        for (NodeJvm n : running) {
            Thread t = new Thread(n::close, "demo-stop-" + n.id());
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join(Duration.ofSeconds(40).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
