package io.ipdrsp.bench;

import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.launcher.NodeClasspath;
import io.ipdrsp.launcher.NodeConfig;
import io.ipdrsp.launcher.NodeJvm;
import io.ipdrsp.launcher.Ports;
import io.ipdrsp.launcher.ProjectHome;
import io.ipdrsp.launcher.TcpProxy;
import io.ipdrsp.launcher.ZooKeeperServer;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Direction;
import io.ipdrsp.simulator.FailoverMode;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.SessionSpec;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The soak's collector cluster as an operator runs it: {@code nodes} node JVMs ({@link NodeJvm}, the node module's
 * class path, shipped Hazelcast and audit settings apart from the grace) in one Hazelcast cluster on one ZooKeeper and
 * one local Cassandra, and the CMTS fleet's specification. Every CMTS ↔ node path crosses a {@link TcpProxy}, so a
 * fault can cut a node off its CMTSes: a CMTS that dials connects to the proxy, which connects to the node from the
 * CMTS's own address (127.0.1.k, how the node recognises it); a CMTS that listens is dialed by the node through the
 * proxy, which connects from the node's address 127.0.2.n (how the CMTS recognises its collectors). Every member
 * connection to a node crosses a proxy too ({@link #isolateHazelcast}), as in the node's cluster tests.
 */
final class SoakCluster implements AutoCloseable {
    static final String KEYSPACE = "soak";

    final CassandraServer cassandra;
    final ZooKeeperServer zooKeeper;
    final List<NodeJvm> nodes = new ArrayList<>();
    /** Per node (index 0 = node-1): the proxies between it and its CMTSes. */
    final List<List<TcpProxy>> cmtsPaths = new ArrayList<>();
    /** Per node: the proxy every member-to-member connection to it crosses (its advertised Hazelcast address). */
    final List<TcpProxy> hazelcastPaths = new ArrayList<>();
    final List<CmtsSpec> cmtsSpecs = new ArrayList<>();
    private final Path dir;

    private SoakCluster(Path dir, CassandraServer cassandra, ZooKeeperServer zooKeeper) {
        this.dir = dir;
        this.cassandra = cassandra;
        this.zooKeeper = zooKeeper;
    }

    static String nodeId(int n) {
        return "node-" + n;
    }

    static String cmtsName(int k) {
        return String.format("cmts-%02d", k);
    }

    /** Starts Cassandra, ZooKeeper and the nodes (in parallel), and waits until every node is up. */
    static SoakCluster start(SoakOptions o, Path dir) throws InterruptedException {
        var builder = CassandraServer.builder(dir.resolve("cassandra")).durable(true);
        if (o.productionCassandra()) {
            builder.jvm(CassandraServer.Jvm.PRODUCTION);
        }
        CassandraServer cassandra = builder.start();
        ZooKeeperServer zk;
        try {
            zk = ZooKeeperServer.startEmbedded(dir.resolve("zookeeper"), 0);
        } catch (RuntimeException e) {
            cassandra.close();
            throw e;
        }
        SoakCluster c = new SoakCluster(dir, cassandra, zk);
        try {
            c.build(o);
            c.nodes.forEach(NodeJvm::start);
            for (NodeJvm n : c.nodes) {
                n.awaitUp(Duration.ofSeconds(240));
            }
        } catch (RuntimeException | InterruptedException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void build(SoakOptions o) {
        int[] listen = new int[o.nodes() + 1];
        int[] hz = new int[o.nodes() + 1];
        List<List<Object>> exporters = new ArrayList<>();
        for (int n = 1; n <= o.nodes(); n++) {
            listen[n] = Ports.freePort("127.0.0.1");
            hz[n] = Ports.freePort(hazelcastBind(n));
            hazelcastPaths.add(TcpProxy.start("hazelcast->" + nodeId(n), hazelcastPublic(n), 0,
                    new InetSocketAddress(hazelcastBind(n), hz[n]), null));
            exporters.add(new ArrayList<>());
            cmtsPaths.add(new ArrayList<>());
        }
        for (int k = 1; k <= o.cmtses(); k++) {
            cmtsSpecs.add(cmts(o, k, listen, exporters));
        }
        String clusterName = "soak-" + System.nanoTime();
        String classpath = NodeClasspath.ofCheckout(ProjectHome.locate());
        for (int n = 1; n <= o.nodes(); n++) {
            List<String> members = new ArrayList<>();
            for (int m = 1; m <= o.nodes(); m++) {
                if (m != n) {
                    members.add(hazelcastPaths.get(m - 1).address());
                }
            }
            NodeConfig config = NodeConfig.of(nodeId(n), "dc1").http("127.0.0.1", 0, 0)
                    .logToStdout("INFO", NodeConfig.LIBRARIES_AT_WARN)
                    .set("listen", NodeConfig.map("address", "127.0.0.1", "port", listen[n],
                            "allow", List.of("127.0.0.1")))
                    // secure as shipped: a login and the cluster secrets generated once under the run folder, shared
                    .set("security", NodeConfig.map("generateCredentials", true, "credentialsDir",
                            dir.resolve("security").toString()))
                    .set("storage", NodeConfig.map("contactPoints", List.of("127.0.0.1:" + cassandra.nativePort()),
                            "keyspace", KEYSPACE, "consistency", "LOCAL_QUORUM"))
                    .set("audit", NodeConfig.map("graceSeconds", o.grace().toSeconds(), "intervalSeconds", 2))
                    .set("cluster", NodeConfig.map("clusterName", clusterName, "hazelcastAddress", hazelcastBind(n),
                            "hazelcastPort", hz[n], "members", members, "zooKeeper", zooKeeper.connectString(),
                            "zkNamespace", KEYSPACE))
                    .set("exporters", exporters.get(n - 1));
            List<String> jvm = new ArrayList<>(NodeJvm.compactJvm(o.nodeHeap()));
            // node n binds 127.0.3.n and advertises its proxy (127.0.4.n:port), so every member connection to it
            // crosses that proxy, and its own member connections leave from 127.0.4.n (other proxies can block them)
            jvm.addAll(List.of("-Dhazelcast.local.localAddress=" + hazelcastBind(n),
                    "-Dhazelcast.local.publicAddress=" + hazelcastPaths.get(n - 1).address(),
                    "-Dhazelcast.socket.client.bind.any=false"));
            nodes.add(NodeJvm.builder(config, dir).classpath(classpath).jvmOptions(jvm).build());
        }
    }

    /**
     * CMTS number k: odd ones dial, even ones listen; priorities rotated so each node is the first choice of some;
     * a time-interval session (SAMIS) and an event session (CPE); every third CMTS in the reference exporter's
     * failover mode, the others in the simulator's default (the vendor sequence).
     */
    private CmtsSpec cmts(SoakOptions o, int k, int[] listen, List<List<Object>> exporters) {
        String name = cmtsName(k);
        String address = "127.0.1." + k;
        boolean dials = k % 2 == 1;
        List<SessionSpec> sessions = List.of(
                SessionSpec.timeInterval(1, "SAMIS-TYPE-1", o.interval()).withRate(o.rate()),
                SessionSpec.event(2, "CPE-TYPE").withRate(o.rate()));
        List<CollectorSpec> collectors = new ArrayList<>();
        int cmtsPort = dials ? 0 : Ports.freePort(address);
        for (int n = 1; n <= o.nodes(); n++) {
            int priority = 1 + Math.floorMod(n - k, o.nodes()); // 1 = first choice: node ((k-1) mod N)+1
            TcpProxy proxy;
            if (dials) {
                proxy = TcpProxy.start(name + "->" + nodeId(n), 0, new InetSocketAddress("127.0.0.1", listen[n]),
                        address);
                collectors.add(CollectorSpec.at("127.0.0.1", proxy.port(), priority).named(nodeId(n)));
                exporters.get(n - 1).add(NodeConfig.map("name", name, "address", address, "direction", "listen",
                        "keepAliveSeconds", 5));
            } else {
                proxy = TcpProxy.start(nodeId(n) + "->" + name, 0, new InetSocketAddress(address, cmtsPort),
                        "127.0.2." + n);
                collectors.add(CollectorSpec.at("127.0.2." + n, 0, priority).named(nodeId(n)));
                exporters.get(n - 1).add(NodeConfig.map("name", name, "address", "127.0.0.1", "port", proxy.port(),
                        "direction", "connect", "keepAliveSeconds", 5, "reconnectMinMillis", 100,
                        "reconnectMaxMillis", 1000));
            }
            cmtsPaths.get(n - 1).add(proxy);
        }
        CmtsSpec spec = dials
                ? CmtsSpec.of(name, Direction.CONNECT, collectors, sessions).withListen(address, 0)
                        .withReconnectDelay(Duration.ofMillis(200))
                : CmtsSpec.of(name, Direction.LISTEN, collectors, sessions).withListen(address, cmtsPort);
        spec = spec.withKeepAlive(5).withMac(0x001dcf200000L + k);
        return k % 3 == 0 ? spec.withFailover(FailoverMode.REFERENCE) : spec;
    }

    private static String hazelcastBind(int n) {
        return "127.0.3." + n;
    }

    private static String hazelcastPublic(int n) {
        return "127.0.4." + n;
    }

    /**
     * Cuts node n off the other members (or heals the cut): its proxy refuses their connections and theirs refuse
     * its own, source by source, so a cut of another node at the same time is left as it is.
     */
    void isolateHazelcast(int n, boolean cut) {
        for (int m = 1; m <= nodes.size(); m++) {
            if (m == n) {
                continue;
            }
            TcpProxy toN = hazelcastPaths.get(n - 1);
            TcpProxy fromN = hazelcastPaths.get(m - 1);
            if (cut) {
                toN.block(hazelcastPublic(m));
                fromN.block(hazelcastPublic(n));
            } else {
                toN.unblock(hazelcastPublic(m));
                fromN.unblock(hazelcastPublic(n));
            }
        }
    }

    FleetSpec fleetSpec(Path ledger) {
        return FleetSpec.of(cmtsSpecs.toArray(CmtsSpec[]::new)).withLedgerFile(ledger);
    }

    NodeJvm node(int n) {
        return nodes.get(n - 1);
    }

    /** The {@code Authorization} header of the login the nodes generated. */
    String authorization() {
        return LoadNodes.authorizationOf(dir.resolve("security").resolve("admin.credentials"));
    }

    @Override
    public void close() {
        nodes.parallelStream().forEach(NodeJvm::close); // in parallel: each waits for Hazelcast to leave
        cmtsPaths.forEach(ps -> ps.forEach(TcpProxy::close));
        hazelcastPaths.forEach(TcpProxy::close);
        zooKeeper.stop();
        cassandra.close();
    }
}
