package io.ipdrsp.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.launcher.NodeConfig;
import io.ipdrsp.launcher.Ports;
import io.ipdrsp.launcher.TcpProxy;
import io.ipdrsp.node.AckTally;
import io.ipdrsp.node.TestUsers;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Direction;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.Ledger;
import io.ipdrsp.simulator.SessionSpec;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Three collector nodes (separate JVMs, ids node-1..node-3) in one Hazelcast cluster with the class's ZooKeeper
 * namespace and Cassandra keyspace, and a simulated CMTS fleet, with a {@link TcpProxy} on every path a fault test
 * wants to cut:
 * <ul>
 * <li>CMTS ↔ node, per (CMTS, node), in both connection directions. For a CMTS that dials, the proxy connects to the
 *     node from the CMTS's own address (the node matches it by source); for a CMTS that listens, the node dials the
 *     proxy and the proxy connects to the CMTS from the node's address 127.0.2.n (the CMTS matches collectors by
 *     source address, and all nodes run on one host);</li>
 * <li>node → Cassandra, per node ({@link #cassandraProxy});</li>
 * <li>Hazelcast, per node ({@link #hazelcastProxy}): node n binds 127.0.3.n and advertises the proxy as its public
 *     address (127.0.4.n:port), so every member-to-member connection to node n crosses that proxy, and node n's own
 *     outgoing member connections leave from 127.0.4.n (a proxy can {@link TcpProxy#block block} them).</li>
 * </ul>
 *
 * <p>A test class registers it as a JUnit extension ({@code @RegisterExtension static final ClusterFixture cluster =
 * ...}): before its tests the servers ({@link ClusterInfra}) and the three nodes start, after them everything stops.
 */
final class ClusterFixture implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    static final int NODES = 3;
    /** The CMTS names of {@link #bothDirections}. */
    static final String DIALS = "cmts-dials";
    static final String LISTENS = "cmts-listens";

    /**
     * One CMTS of the fleet: who dials, its priority for node-1..node-3 (0: that node does not collect it — it is
     * not in the node's exporter list, nor the node among the CMTS's collectors), its sessions, and whatever else the
     * test sets on its spec (failover mode, documentId kind, buffer). The simulator's defaults apply otherwise: the
     * vendor failover sequence, standbys told nothing until they take over (docs/simulator.md).
     */
    record CmtsPlan(String name, boolean cmtsDials, int[] priorities, List<SessionSpec> sessions,
                    UnaryOperator<CmtsSpec> spec) {
        CmtsPlan(String name, boolean cmtsDials, int[] priorities, List<SessionSpec> sessions) {
            this(name, cmtsDials, priorities, sessions, UnaryOperator.identity());
        }

        boolean collectedBy(int node) {
            return priorities[node - 1] > 0;
        }
    }

    final String keyspace;
    final Path dir;
    ClusterInfra infra;
    final List<NodeProcess> nodes = new ArrayList<>();
    final List<TcpProxy> cassandraProxies = new ArrayList<>();
    final List<TcpProxy> hazelcastProxies = new ArrayList<>();
    private final Map<String, TcpProxy> cmtsProxies = new LinkedHashMap<>();
    private final List<CmtsPlan> plans;
    private final Map<String, CmtsSpec> cmtsSpecs = new LinkedHashMap<>();
    private final Map<String, Object> nodeSettings = new LinkedHashMap<>();
    private final Map<String, AckTally> ackTallies = new LinkedHashMap<>();
    private boolean watchAcks;
    private Fleet fleet;

    ClusterFixture(String keyspace, List<CmtsPlan> plans) {
        this.keyspace = keyspace;
        this.plans = List.copyOf(plans);
        this.dir = Path.of("target", "cluster-it", keyspace).toAbsolutePath();
    }

    /**
     * Two CMTSes with one session each, both preferring node-1, then node-2, then node-3: {@link #DIALS} connects to
     * the nodes (Cisco style), {@link #LISTENS} is dialed by them (Arris style).
     */
    static ClusterFixture bothDirections(String keyspace, SessionSpec session) {
        return new ClusterFixture(keyspace, List.of(
                new CmtsPlan(DIALS, true, new int[] {1, 2, 3}, List.of(session)),
                new CmtsPlan(LISTENS, false, new int[] {1, 2, 3}, List.of(session))));
    }

    /** A top-level key of every node's configuration (e.g. {@code audit}); before the nodes start. */
    ClusterFixture nodeSetting(String key, Object value) {
        nodeSettings.put(key, value);
        return this;
    }

    /** Count IPDR/SP frames on every CMTS ↔ node path ({@link #ackTally}); before the nodes start. */
    ClusterFixture watchAcks() {
        watchAcks = true;
        return this;
    }

    /** What went between a CMTS and all its collectors (needs {@link #watchAcks}). */
    AckTally ackTally(String cmts) {
        return ackTallies.get(cmts);
    }

    /** Before the class's tests: the shared servers, the proxies and the three nodes, up and in one cluster. */
    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        infra = ClusterInfra.get();
        build();
        startNodes();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    static String nodeId(int n) {
        return "node-" + n;
    }

    private static String nodeSource(int n) {
        return "127.0.2." + n;
    }

    private static String hazelcastBind(int n) {
        return "127.0.3." + n;
    }

    /**
     * The IP of node n's advertised Hazelcast address (its proxy listens there). Hazelcast binds a member's outgoing
     * connections to the IP of its own public address, so connections opened by node n come from this IP.
     */
    static String hazelcastPublic(int n) {
        return "127.0.4." + n;
    }

    private void build() {
        int[] api = new int[NODES + 1];
        int[] admin = new int[NODES + 1];
        int[] listen = new int[NODES + 1];
        int[] hz = new int[NODES + 1];
        for (int n = 1; n <= NODES; n++) {
            api[n] = Ports.freePort("127.0.0.1");
            admin[n] = Ports.freePort("127.0.0.1");
            listen[n] = Ports.freePort("127.0.0.1");
            hz[n] = Ports.freePort(hazelcastBind(n));
            cassandraProxies.add(TcpProxy.start("cassandra<-" + nodeId(n), 0, infra.cassandra.contactPoint(), null));
            hazelcastProxies.add(TcpProxy.start("hazelcast->" + nodeId(n), hazelcastPublic(n), 0,
                    new InetSocketAddress(hazelcastBind(n), hz[n]), null));
        }
        List<List<Object>> exporters = new ArrayList<>();
        for (int n = 0; n <= NODES; n++) {
            exporters.add(new ArrayList<>());
        }
        int k = 0;
        for (CmtsPlan p : plans) {
            k++;
            String cmtsAddress = "127.0.1." + k;
            List<CollectorSpec> collectors = new ArrayList<>();
            AckTally tally = watchAcks ? ackTallies.computeIfAbsent(p.name(), x -> new AckTally()) : null;
            CmtsSpec spec;
            if (p.cmtsDials()) {
                for (int n = 1; n <= NODES; n++) {
                    if (!p.collectedBy(n)) {
                        continue;
                    }
                    TcpProxy proxy = TcpProxy.start(p.name() + "->" + nodeId(n), 0,
                            new InetSocketAddress("127.0.0.1", listen[n]), cmtsAddress);
                    cmtsProxies.put(p.name() + "/" + n, proxy);
                    collectors.add(CollectorSpec.at("127.0.0.1", proxy.port(), p.priorities()[n - 1]).named(nodeId(n)));
                    exporters.get(n).add(NodeConfig.map("name", p.name(), "address", cmtsAddress, "direction", "listen",
                            "keepAliveSeconds", 5));
                }
                spec = CmtsSpec.of(p.name(), Direction.CONNECT, collectors, p.sessions())
                        .withListen(cmtsAddress, 0).withKeepAlive(5).withReconnectDelay(Duration.ofMillis(200));
            } else {
                int cmtsPort = Ports.freePort(cmtsAddress);
                for (int n = 1; n <= NODES; n++) {
                    if (!p.collectedBy(n)) {
                        continue;
                    }
                    TcpProxy proxy = TcpProxy.start(nodeId(n) + "->" + p.name(), 0,
                            new InetSocketAddress(cmtsAddress, cmtsPort), nodeSource(n));
                    cmtsProxies.put(p.name() + "/" + n, proxy);
                    collectors.add(CollectorSpec.at(nodeSource(n), 0, p.priorities()[n - 1]).named(nodeId(n)));
                    exporters.get(n).add(NodeConfig.map("name", p.name(), "address", "127.0.0.1", "port", proxy.port(),
                            "direction", "connect", "keepAliveSeconds", 5, "reconnectMinMillis", 100,
                            "reconnectMaxMillis", 1000));
                }
                spec = CmtsSpec.of(p.name(), Direction.LISTEN, collectors, p.sessions())
                        .withListen(cmtsAddress, cmtsPort).withKeepAlive(5);
            }
            if (tally != null) {
                for (int n = 1; n <= NODES; n++) {
                    TcpProxy proxy = cmtsProxies.get(p.name() + "/" + n);
                    if (proxy != null) {
                        proxy.tap(() -> frames(tally, p.cmtsDials()));
                    }
                }
            }
            cmtsSpecs.put(p.name(), p.spec().apply(spec.withMac(0x001dcf100000L + k)));
        }
        String clusterName = "it-" + keyspace + "-" + System.nanoTime();
        for (int n = 1; n <= NODES; n++) {
            List<String> members = new ArrayList<>();
            for (int m = 1; m <= NODES; m++) {
                if (m != n) {
                    members.add(hazelcastProxies.get(m - 1).address());
                }
            }
            NodeConfig config = NodeConfig.of(nodeId(n), "dc1").http("127.0.0.1", api[n], admin[n])
                    .logToStdout("INFO", NodeConfig.LIBRARIES_AT_WARN)
                    .set("listen", NodeConfig.map("address", "127.0.0.1", "port", listen[n],
                            "allow", List.of("127.0.0.1")))
                    .set("storage", NodeConfig.map("contactPoints", List.of(cassandraProxies.get(n - 1).address()),
                            "keyspace", keyspace, "consistency", "ONE", "stopFlowAfterSeconds", 4))
                    .set("cluster", NodeConfig.map("clusterName", clusterName, "hazelcastAddress", hazelcastBind(n),
                            "hazelcastPort", hz[n], "members", members, "zooKeeper", infra.zooKeeper.connectString(),
                            "zkNamespace", "it-" + keyspace, "secret", TestUsers.clusterSecrets().get("secret"),
                            "zooKeeperDigest", TestUsers.clusterSecrets().get("zooKeeperDigest")))
                    .set("security", TestUsers.securityTree())
                    .set("exporters", exporters.get(n));
            nodeSettings.forEach(config::set);
            List<String> props = List.of(
                    "-Dhazelcast.local.localAddress=" + hazelcastBind(n),
                    "-Dhazelcast.local.publicAddress=" + hazelcastProxies.get(n - 1).address(),
                    "-Dhazelcast.socket.client.bind.any=false",
                    // heartbeats, member time-out and merge delays: the node's own (ClusterMember.HEALING), as shipped
                    "-Dhazelcast.wait.seconds.before.join=1",
                    "-Dhazelcast.graceful.shutdown.max.wait=5");
            nodes.add(new NodeProcess(config, dir, api[n], admin[n], props));
        }
    }

    /** Starts the three nodes in parallel and waits for them (and for a Hazelcast cluster of three). */
    ClusterFixture startNodes() throws InterruptedException {
        long t0 = System.nanoTime();
        nodes.forEach(NodeProcess::start);
        for (NodeProcess n : nodes) {
            n.awaitReady(Duration.ofSeconds(120));
        }
        await("a Hazelcast cluster of " + NODES, Duration.ofSeconds(60),
                () -> nodes.stream().allMatch(n -> n.hazelcastMembersFromLog() == NODES));
        System.out.printf("%s: 3 nodes up in %d ms%n", keyspace, (System.nanoTime() - t0) / 1_000_000);
        return this;
    }

    /** Starts the fleet and waits until every CMTS's session 1 has the roles on node-1..node-3 (null: any). */
    Fleet startFleetAndAwaitRoles(Duration timeout, String... roles) throws InterruptedException {
        Fleet f = startFleet();
        awaitRolesOfAll(timeout, roles);
        return f;
    }

    /** Waits until every CMTS's session 1 has the roles on node-1..node-3 (null: any). */
    void awaitRolesOfAll(Duration timeout, String... roles) throws InterruptedException {
        for (CmtsPlan p : plans) {
            awaitRoles(p.name(), 1, timeout, roles);
        }
    }

    /** One connection's bytes, both ways, cut into IPDR/SP frames for the CMTS's tally. */
    private static BiConsumer<Boolean, ByteBuf> frames(AckTally tally, boolean cmtsIsClient) {
        int connection = tally.newConnection();
        AckTally.Stream fromClient = tally.stream(cmtsIsClient, connection);
        AckTally.Stream fromTarget = tally.stream(!cmtsIsClient, connection);
        return (client, bytes) -> (client ? fromClient : fromTarget).bytes(bytes);
    }

    /** Starts a fleet of every CMTS of the plan. */
    Fleet startFleet() {
        return startFleet(cmtsSpecs.keySet().toArray(String[]::new));
    }

    /**
     * Starts a fleet of these CMTSes of the plan (its ledger file is named after them when not all), closing the
     * fleet started before, if any.
     */
    Fleet startFleet(String... cmtses) {
        if (fleet != null) {
            fleet.close();
        }
        List<CmtsSpec> specs = new ArrayList<>();
        for (String c : cmtses) {
            specs.add(java.util.Objects.requireNonNull(cmtsSpecs.get(c), c));
        }
        String ledger = specs.size() == cmtsSpecs.size() ? "ledger.json"
                : specs.size() == 1 ? "ledger-" + cmtses[0] + ".json" : "ledger-" + specs.size() + "-cmtses.json";
        fleet = Fleet.start(FleetSpec.of(specs.toArray(CmtsSpec[]::new)).withLedgerFile(dir.resolve(ledger)));
        return fleet;
    }

    Fleet fleet() {
        return fleet;
    }

    NodeProcess node(int n) {
        return nodes.get(n - 1);
    }

    TcpProxy cassandraProxy(int n) {
        return cassandraProxies.get(n - 1);
    }

    TcpProxy hazelcastProxy(int n) {
        return hazelcastProxies.get(n - 1);
    }

    /** The proxy on the path between a CMTS and node n (whichever side dials). */
    TcpProxy cmtsProxy(String cmts, int n) {
        return cmtsProxies.get(cmts + "/" + n);
    }

    /** Waits until every live node's API reports the expected role for the session (index 0 = node-1). */
    void awaitRoles(String cmts, int sessionId, Duration timeout, String... roles) throws InterruptedException {
        await(cmts + "/" + sessionId + " roles " + String.join(",", roles), timeout, () -> {
            for (int n = 1; n <= NODES; n++) {
                if (roles[n - 1] != null && !roles[n - 1].equals(node(n).role(cmts, sessionId))) {
                    return false;
                }
            }
            return true;
        });
    }

    String roles(String cmts, int sessionId) {
        List<String> r = new ArrayList<>();
        for (NodeProcess n : nodes) {
            r.add(n.id + "=" + (n.isAlive() ? n.role(cmts, sessionId) : "dead"));
        }
        return String.join(" ", r);
    }

    /** Acks the ledger attributes to one collector (node name) for a CMTS session, over all its documents. */
    long ackedBy(String cmts, int sessionId, String node) {
        return fleet.ledger().documents(cmts, sessionId).stream()
                .mapToLong(d -> d.ackedBy().containsKey(node) ? d.ackedBy().get(node).count() : 0).sum();
    }

    /**
     * Time from {@code sinceNanos} (a kill) until the ledger shows the first record acknowledged by {@code node} for
     * the session beyond what it had acknowledged before. Printed, never asserted.
     */
    long measureTakeoverMillis(String what, String cmts, int sessionId, String node, long ackedBefore,
                               long sinceNanos, Duration timeout) throws InterruptedException {
        long deadline = sinceNanos + timeout.toNanos();
        while (ackedBy(cmts, sessionId, node) <= ackedBefore) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": " + node + " acknowledged nothing for " + cmts + "/" + sessionId
                        + " within " + timeout + " (roles: " + roles(cmts, sessionId) + ")");
            }
            Thread.sleep(5);
        }
        long ms = (System.nanoTime() - sinceNanos) / 1_000_000;
        System.out.printf("TAKEOVER %s: %s/%d first ack by %s %d ms after the fault%n", what, cmts, sessionId, node, ms);
        return ms;
    }

    /** Closes the fleet (graceful SESSION_STOP), lets the nodes settle, and compares ledger with storage. */
    LedgerCheck.Result finishAndCheck(boolean countersComplete) throws InterruptedException {
        boolean drained = fleet.awaitDrained(Duration.ofSeconds(90));
        Ledger ledger = fleet.ledger();
        fleet.close();
        Thread.sleep(1000); // writes in flight when the CMTS closed land (or fail) before we look
        assertThat(drained).as("every generated record acknowledged, declared dropped or lost within 90 s; "
                + "ledger acked %d of %d sent", ledger.totalAcked(), ledger.totalSent()).isTrue();
        return new LedgerCheck(infra.cql, keyspace).verify(ledger, nodes, true, countersComplete);
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        if (fleet != null) {
            fleet.close();
        }
        List<Thread> stopping = new ArrayList<>();
        for (NodeProcess n : nodes) {
            Thread t = new Thread(n::close, "stop-" + n.id); // in parallel: each waits for Hazelcast to leave
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        cmtsProxies.values().forEach(TcpProxy::close);
        cassandraProxies.forEach(TcpProxy::close);
        hazelcastProxies.forEach(TcpProxy::close);
    }
}
