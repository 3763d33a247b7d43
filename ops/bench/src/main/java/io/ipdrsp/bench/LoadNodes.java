package io.ipdrsp.bench;

import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.launcher.NodeClasspath;
import io.ipdrsp.launcher.NodeConfig;
import io.ipdrsp.launcher.NodeJvm;
import io.ipdrsp.launcher.Ports;
import io.ipdrsp.launcher.ProjectHome;
import io.ipdrsp.launcher.ZooKeeperServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The collector JVMs of a load run, launched like every node ({@link NodeJvm}: the node's main class on the node
 * module's class path, with the run's heap and JVM options): one node with an embedded ZooKeeper, or several in one
 * Hazelcast cluster sharing {@code zk}. Their output goes to {@code <id>.log} in the run folder.
 */
final class LoadNodes implements AutoCloseable {
    final List<NodeJvm> nodes = new ArrayList<>();
    final List<Integer> listenPorts = new ArrayList<>();

    private final Path credentials;

    private LoadNodes(Path credentials) {
        this.credentials = credentials;
    }

    /** The {@code Authorization} header of the login the nodes generated ("" before the first node wrote it). */
    String authorization() {
        return authorizationOf(credentials);
    }

    /** The {@code Authorization} header of a generated login file ({@code user:password}; "" while there is none). */
    static String authorizationOf(Path credentials) {
        try {
            return "Basic " + java.util.Base64.getEncoder().encodeToString(java.nio.file.Files.readString(credentials)
                    .trim().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** Starts the nodes in parallel and waits until each is up (its own "is up" line, its API answering). */
    static LoadNodes start(LoadOptions o, Path dir, CassandraServer cassandra, ZooKeeperServer zk)
            throws InterruptedException {
        return start(o, dir, cassandra, zk, null);
    }

    /** As above; with {@code classData} the nodes use a class-data archive there ({@link NodeJvm.Builder}). */
    static LoadNodes start(LoadOptions o, Path dir, CassandraServer cassandra, ZooKeeperServer zk, Path classData)
            throws InterruptedException {
        String classpath = NodeClasspath.ofCheckout(ProjectHome.locate());
        List<String> jvm = new ArrayList<>(List.of("-Xms" + o.nodeHeap(), "-Xmx" + o.nodeHeap()));
        jvm.addAll(o.nodeJvmOptions());
        String clusterName = "bench-" + System.nanoTime();
        int[] hz = new int[o.nodes()];
        for (int i = 0; i < o.nodes(); i++) {
            hz[i] = Ports.freePort("127.0.0.1");
        }
        LoadNodes started = new LoadNodes(credentials(dir));
        try {
            for (int i = 0; i < o.nodes(); i++) {
                String id = o.nodes() == 1 ? "bench-node" : "bench-node-" + (i + 1);
                int listen = Ports.freePort("127.0.0.1");
                NodeConfig c = config(o, id, cassandra, listen, dir).set("cluster", cluster(clusterName, hz, i, dir, zk));
                if (o.primaryNode1() && i > 0) {
                    // node 1 leads every CMTS, as the single node does: the once-per-CMTS work (finalizer,
                    // subscriber index) stays on the node measured instead of flattering it by moving elsewhere
                    c.set("audit.finalize", false);
                }
                NodeJvm.Builder b = NodeJvm.builder(c, dir).classpath(classpath).jvmOptions(jvm);
                if (classData != null) {
                    b.classDataArchive(classData);
                }
                started.nodes.add(b.build().start());
                started.listenPorts.add(listen);
            }
            for (NodeJvm n : started.nodes) {
                n.awaitUp(Duration.ofSeconds(180));
                System.out.println(n.id() + " pid " + n.pid() + " listening on " + n.listenPort());
            }
        } catch (RuntimeException | InterruptedException e) {
            started.close();
            throw e;
        }
        return started;
    }

    /** The login file the nodes of a run share ({@code user:password}, written by the first node to start). */
    static Path credentials(Path dir) {
        return dir.resolve("security").resolve("admin.credentials");
    }

    private static NodeConfig config(LoadOptions o, String id, CassandraServer cassandra, int listen, Path dir) {
        NodeConfig c = NodeConfig.of(id, "bench").http("127.0.0.1", 0, 0).logToStdout("WARN", Map.of())
                .set("listen", NodeConfig.map("address", "127.0.0.1", "port", listen, "allow", List.of()))
                // secure as shipped: a login (and cluster secrets) generated once under the run folder, shared
                .set("security", NodeConfig.map("generateCredentials", true, "credentialsDir",
                        credentials(dir).getParent().toString()))
                .set("storage", NodeConfig.map("contactPoints", List.of("127.0.0.1:" + cassandra.nativePort()),
                        "keyspace", "bench", "consistency", "LOCAL_QUORUM"));
        for (int k = 1; k <= o.cmtses(); k++) {
            c.add("exporters", NodeConfig.map("name", "cmts-" + k, "address", "127.0.0." + (10 + k),
                    "direction", "listen", "keepAliveSeconds", 30));
        }
        return c;
    }

    /** The cluster section of node {@code i}: its own embedded ZooKeeper when alone, else members and {@code zk}. */
    private static Map<String, Object> cluster(String name, int[] hz, int i, Path dir, ZooKeeperServer zk) {
        if (zk == null) {
            return NodeConfig.map("clusterName", name, "hazelcastAddress", "127.0.0.1", "hazelcastPort", hz[i],
                    "embeddedZooKeeperDir", dir.resolve("zookeeper").toString());
        }
        List<String> members = new ArrayList<>();
        for (int m = 0; m < hz.length; m++) {
            if (m != i) {
                members.add("127.0.0.1:" + hz[m]);
            }
        }
        return NodeConfig.map("clusterName", name, "hazelcastAddress", "127.0.0.1", "hazelcastPort", hz[i],
                "members", members,
                "zooKeeper", zk.connectString(), "zkNamespace", "bench");
    }

    long[] pids() {
        return nodes.stream().mapToLong(NodeJvm::pid).toArray();
    }

    /** SIGTERM to all, up to 20 s each, then SIGKILL. */
    @Override
    public void close() {
        for (NodeJvm n : nodes) {
            try {
                n.stop(Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
