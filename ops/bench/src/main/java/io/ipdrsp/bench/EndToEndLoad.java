package io.ipdrsp.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.launcher.ZooKeeperServer;
import io.ipdrsp.simulator.AckLatency;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Direction;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * End-to-end ingest load: a local Cassandra (durable group-commit and/or throwaway), one collector node in its own
 * JVM (embedded Hazelcast and ZooKeeper), the simulator's load mode at full speed through it; then, on the same
 * server, table and row shape, the ceiling: the same rows written straight through the driver as UNLOGGED
 * per-partition batches with a bound on requests in flight. Prints durable acknowledged records/s, ack latency
 * percentiles, CPU of node / Cassandra / simulator, and the ratio to the ceiling. Run by {@code ops/bin/bench-load}.
 *
 * <p>With {@code --nodes 3}: three node JVMs in one Hazelcast cluster sharing a ZooKeeper (started in this JVM) and
 * the Cassandra; each CMTS lists the three at priorities 1..3, rotated so that every node is primary for some. After
 * the measured window the node that is primary for cmts-1 is killed with SIGKILL and the takeover is timed: from the
 * kill to the first record acknowledged by the next node (ledger), and dedup's own SESSION_START → first durable
 * record on that node ({@code /api/exporters}); then the rate is sampled for a further window.
 *
 * <p>{@code --primary node-1} (with {@code --nodes 3}) measures the shared-state path without the CPU of three
 * busy JVMs: every CMTS lists node 1 at priority 1 and nodes 2, 3 at 2, 3, so all records go through node 1, a full
 * Hazelcast member whose map entries have backups on the others and which also sees the backups' side of every
 * session; nodes 2 and 3 carry no records (their CPU is reported apart as the idle members') and do not finalize, so
 * node 1 also leads every CMTS (finalizer, subscriber index) as the single node does. Node 1's CPU µs per acknowledged
 * record against the single node's ({@code --nodes 1}) is the cost of the shared state per record.
 *
 * <p>Options: {@code --mode durable|throwaway|both} (durable), {@code --warmup 15s}, {@code --duration 60s},
 * {@code --cmts 4}, {@code --sessions 2}, {@code --work DIR} (ops/bench/target/bench-load), {@code --node-heap 1g},
 * {@code --nodes 1|3} (1), {@code --primary rotated|node-1} (rotated), {@code --ceiling on|off} (on: the driver-only
 * ceiling phase after the collector phase), {@code --jfr FILE} (JFR recordings, settings=profile, of every node over
 * the measured window: node 1's to FILE, the others' to FILE-&lt;node id&gt;.jfr; for profiling, not for the figures:
 * the sampling costs CPU; aggregate them with ops/bench/jfr/jfr-top.py),
 * {@code --node-jvm-opts "OPTS"} (extra JVM options of every node JVM, split at spaces), {@code --rate N} (0: as fast
 * as the collectors acknowledge; N: N records/s offered in all, spread evenly over the sessions — below both
 * configurations' capacity, CPU per record compares the same work instead of two differently starved machines).
 */
public final class EndToEndLoad {
    private static final long CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat counts in these

    private record Options(List<Boolean> modes, Duration warmup, Duration duration, int cmtses, int sessions,
                           Path work, String nodeHeap, int nodes, boolean primaryNode1, boolean ceiling, Path jfr,
                           List<String> nodeJvmOptions, double rate) {
        String primaryName() {
            return nodes == 1 ? "-" : primaryNode1 ? "node-1" : "rotated";
        }
    }

    /** One collector JVM of the run. */
    private record Node(String id, Process process, int listenPort, int apiPort) {
    }

    /**
     * {@code nodeCpus}: cores per node over the measured window (node 1 first); {@code carrying}: how many of them
     * (from node 1 on) carry records, the rest are idle members; {@code loadBefore}: load average at the start of
     * the measured window, {@code load} at its end.
     */
    record Result(String mode, double ackedPerSecond, long ackedInWindow, Latency latency, double nodeCpu,
                  double cassandraCpuCollector, double simulatorCpu, double ceilingPerSecond,
                  double cassandraCpuCeiling, double bytesPerRecord, String load, double[] nodeCpus, int carrying,
                  String loadBefore, String takeover, double[] jitCpus) {
        /** CPU of the nodes carrying records, in cores. */
        double carryingCpu() {
            double c = 0;
            for (int i = 0; i < carrying; i++) {
                c += nodeCpus[i];
            }
            return c;
        }

        /** CPU of the members that carry no records, in cores. */
        double idleCpu() {
            return nodeCpu - carryingCpu();
        }

        /** CPU of the JIT compiler threads of the members that carry no records, in cores. */
        double idleJit() {
            double jit = 0;
            for (int i = carrying; i < jitCpus.length; i++) {
                jit += jitCpus[i];
            }
            return jit;
        }

        /** CPU µs of the nodes carrying records per acknowledged record. */
        double carryingMicrosPerRecord() {
            return ackedPerSecond == 0 ? Double.NaN : carryingCpu() * 1e6 / ackedPerSecond;
        }

        /** As {@link #carryingMicrosPerRecord()} without the CPU of their JIT compiler threads. */
        double carryingMicrosPerRecordWithoutJit() {
            double jit = 0;
            for (int i = 0; i < carrying; i++) {
                jit += jitCpus[i];
            }
            return ackedPerSecond == 0 ? Double.NaN : (carryingCpu() - jit) * 1e6 / ackedPerSecond;
        }

        /** CPU µs of every node per acknowledged record. */
        double allMicrosPerRecord() {
            return ackedPerSecond == 0 ? Double.NaN : nodeCpu * 1e6 / ackedPerSecond;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        System.out.printf(Locale.ROOT, "bench-load: %d node(s), primary %s, %d CMTS x %d sessions, SAMIS-TYPE-1 "
                        + "load mode, warm-up %s, measured %s, %d cores, java %s%s%n", o.nodes, o.primaryName(),
                o.cmtses, o.sessions, o.warmup, o.duration, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                o.nodeJvmOptions.isEmpty() ? "" : ", node JVM options " + o.nodeJvmOptions);
        List<Result> results = new ArrayList<>();
        for (boolean durable : o.modes) {
            results.add(run(o, durable));
        }
        System.out.println();
        System.out.println("| Cassandra | collector acked rec/s | p50 | p90 | p99 | max ack latency | node CPU "
                + "| Cassandra CPU | ceiling rec/s (Cassandra CPU) | collector / ceiling | load avg |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            String ceiling = Double.isNaN(r.ceilingPerSecond) ? "- | -" : String.format(Locale.ROOT,
                    "%,.0f (%.2f cores) | %.0f %%", r.ceilingPerSecond, r.cassandraCpuCeiling,
                    100 * r.ackedPerSecond / r.ceilingPerSecond);
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.2f cores "
                            + "| %.2f cores | %s | %s |%n", r.mode, r.ackedPerSecond,
                    r.latency.percentileMicros(50) / 1000.0, r.latency.percentileMicros(90) / 1000.0,
                    r.latency.percentileMicros(99) / 1000.0, r.latency.maxMicros() / 1000.0, r.nodeCpu,
                    r.cassandraCpuCollector, ceiling, r.load);
        }
        System.out.println();
        System.out.println("| Cassandra | nodes | primary | acked rec/s | node-1 CPU (JIT) "
                + "| carrying nodes' CPU µs / acked record | same without JIT | idle members' CPU "
                + "| all nodes' CPU µs / acked record | load avg before → after | takeover |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %d | %s | %,.0f | %.2f cores (%.2f) | %.1f µs (%d node%s, %.2f "
                            + "cores) | %.1f µs | %s | %.1f µs | %s → %s | %s |%n", r.mode, r.nodeCpus.length,
                    o.primaryName(), r.ackedPerSecond, r.nodeCpus[0], r.jitCpus[0], r.carryingMicrosPerRecord(),
                    r.carrying, r.carrying == 1 ? "" : "s", r.carryingCpu(), r.carryingMicrosPerRecordWithoutJit(),
                    r.carrying == r.nodeCpus.length ? "-" : String.format(Locale.ROOT, "%.2f cores (JIT %.2f)",
                            r.idleCpu(), r.idleJit()),
                    r.allMicrosPerRecord(), r.loadBefore, r.load, r.takeover);
        }
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "SHARED-STATE %s nodes=%d primary=%s acked/s=%.0f node1.cores=%.3f "
                            + "node1.jit.cores=%.3f carrying.us/rec=%.1f carrying.nojit.us/rec=%.1f idle.cores=%.3f "
                            + "idle.jit.cores=%.3f all.us/rec=%.1f cassandra.cores=%.2f ceiling/s=%.0f load=%s->%s offered/s=%s%n",
                    r.mode, r.nodeCpus.length, o.primaryName(), r.ackedPerSecond, r.nodeCpus[0], r.jitCpus[0],
                    r.carryingMicrosPerRecord(), r.carryingMicrosPerRecordWithoutJit(), r.idleCpu(), r.idleJit(),
                    r.allMicrosPerRecord(), r.cassandraCpuCollector, r.ceilingPerSecond,
                    r.loadBefore.replace(' ', '/'), r.load.replace(' ', '/'),
                    o.rate > 0 ? String.format(Locale.ROOT, "%.0f", o.rate) : "unlimited");
        }
    }

    private static Result run(Options o, boolean durable) throws Exception {
        String mode = durable ? "durable" : "throwaway";
        Path dir = o.work.resolve(mode).toAbsolutePath();
        deleteTree(dir);
        Files.createDirectories(dir);
        System.out.printf("%n== %s Cassandra (%s) ==%n", mode, durable ? "commitlog_sync group: an ack waits for "
                + "the fsync" : "no fsync: acked writes die with the process");
        try (CassandraServer cassandra = CassandraServer.builder(dir.resolve("cassandra")).durable(durable)
                .heap("-Xms1g -Xmx1g").start();
             ZooKeeperServer zk = o.nodes > 1 ? ZooKeeperServer.startEmbedded(dir.resolve("zookeeper"), 0) : null) {
            List<Node> nodes = startNodes(o, dir, cassandra, zk);
            Result partial;
            try {
                partial = collectorPhase(o, mode, cassandra, nodes);
            } finally {
                for (Node n : nodes) {
                    n.process.destroy();
                }
                for (Node n : nodes) {
                    if (!n.process.waitFor(20, TimeUnit.SECONDS)) {
                        n.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
            }
            double[] ceiling = o.ceiling ? ceilingPhase(o, cassandra) : new double[] {Double.NaN, Double.NaN};
            return new Result(mode, partial.ackedPerSecond, partial.ackedInWindow, partial.latency, partial.nodeCpu,
                    partial.cassandraCpuCollector, partial.simulatorCpu, ceiling[0], ceiling[1],
                    partial.bytesPerRecord, partial.load, partial.nodeCpus, partial.carrying, partial.loadBefore,
                    partial.takeover, partial.jitCpus);
        }
    }

    // ------------------------------------------------------------------ collector

    /** One node (embedded ZooKeeper) or several sharing {@code zk}, started in parallel, each in its own JVM. */
    private static List<Node> startNodes(Options o, Path dir, CassandraServer cassandra, ZooKeeperServer zk)
            throws IOException, InterruptedException {
        var login = io.ipdrsp.node.security.GeneratedCredentials.loadOrCreate(dir.resolve("security"));
        basicAuth = "Basic " + java.util.Base64.getEncoder().encodeToString((login.user() + ":" + login.password())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String clusterName = "bench-" + System.nanoTime();
        int[] hz = new int[o.nodes];
        for (int i = 0; i < o.nodes; i++) {
            hz[i] = freePort();
        }
        List<Node> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < o.nodes; i++) {
                String id = o.nodes == 1 ? "bench-node" : "bench-node-" + (i + 1);
                List<String> members = new ArrayList<>();
                for (int m = 0; m < o.nodes; m++) {
                    if (m != i) {
                        members.add("\"127.0.0.1:" + hz[m] + "\"");
                    }
                }
                String cluster = zk == null
                        ? "cluster: {clusterName: " + clusterName + ", hazelcastAddress: 127.0.0.1, hazelcastPort: " + hz[i]
                                + ", embeddedZooKeeperDir: " + dir.resolve("zookeeper") + "}\n"
                        : "cluster: {clusterName: " + clusterName + ", hazelcastAddress: 127.0.0.1, hazelcastPort: " + hz[i] + ", members: "
                                + members + ", zooKeeper: \"" + zk.connectString() + "\", zkNamespace: bench}\n";
                if (o.primaryNode1 && i > 0) {
                    // node 1 leads every CMTS, as the single node does: the once-per-CMTS work (finalizer,
                    // subscriber index) stays on the node measured instead of flattering it by moving elsewhere
                    cluster += "audit: {finalize: false}\n";
                }
                nodes.add(launchNode(o, dir, cassandra, id, cluster));
            }
            for (Node n : nodes) {
                awaitListening(n, dir);
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            nodes.forEach(n -> n.process.destroyForcibly());
            throw e;
        }
        return nodes;
    }

    private static Node launchNode(Options o, Path dir, CassandraServer cassandra, String id, String cluster)
            throws IOException {
        int listenPort = freePort();
        int apiPort = freePort();
        StringBuilder y = new StringBuilder();
        y.append("server:\n  applicationConnectors: [{type: http, port: ").append(apiPort)
                .append(", bindHost: 127.0.0.1}]\n")
                .append("  adminConnectors: [{type: http, port: 0, bindHost: 127.0.0.1}]\n")
                .append("  requestLog: {appenders: []}\n")
                .append("logging:\n  level: WARN\n  appenders: [{type: file, currentLogFilename: ")
                .append(dir.resolve(id + ".log")).append(", archive: false}]\n")
                .append("node: {id: ").append(id).append(", site: bench}\n")
                .append("listen: {address: 127.0.0.1, port: ").append(listenPort).append(", allow: []}\n")
                .append("storage:\n  contactPoints: [\"127.0.0.1:").append(cassandra.nativePort()).append("\"]\n")
                .append("  keyspace: bench\n  consistency: LOCAL_QUORUM\n")
                .append(cluster)
                .append("security: {generateCredentials: true, credentialsDir: \"").append(dir.resolve("security"))
                .append("\"}\n")
                .append("exporters:\n");
        for (int c = 1; c <= o.cmtses; c++) {
            y.append("  - {name: cmts-").append(c).append(", address: 127.0.0.").append(10 + c)
                    .append(", direction: listen, keepAliveSeconds: 30}\n");
        }
        Path config = dir.resolve(id + ".yml");
        Files.writeString(config, y.toString());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xms" + o.nodeHeap, "-Xmx" + o.nodeHeap));
        command.addAll(o.nodeJvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.ipdrsp.node.NodeApplication", "server",
                config.toString()));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve(id + ".out").toFile()).start();
        return new Node(id, p, listenPort, apiPort);
    }

    private static void awaitListening(Node n, Path dir) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            if (!n.process.isAlive()) {
                throw new IllegalStateException(n.id + " exited with " + n.process.exitValue() + "; see "
                        + dir.resolve(n.id + ".out"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", n.listenPort), 200);
                break;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(n.id + " did not listen within 180 s; see "
                            + dir.resolve(n.id + ".out"));
                }
                Thread.sleep(200);
            }
        }
        System.out.println(n.id + " pid " + n.process.pid() + " listening on " + n.listenPort);
    }

    private static Result collectorPhase(Options o, String mode, CassandraServer cassandra, List<Node> nodes)
            throws Exception {
        List<CmtsSpec> cmtses = new ArrayList<>();
        for (int c = 1; c <= o.cmtses; c++) {
            List<SessionSpec> sessions = new ArrayList<>();
            for (int s = 1; s <= o.sessions; s++) {
                SessionSpec load = SessionSpec.event(s, Templates.SAMIS_TYPE_1).asLoad();
                sessions.add(o.rate > 0 ? load.withRate(o.rate / (o.cmtses * o.sessions)) : load);
            }
            List<CollectorSpec> collectors = new ArrayList<>();
            for (int n = 0; n < nodes.size(); n++) {
                // rotated priorities: cmts-1 prefers node 1, cmts-2 node 2, ... so each node is primary for some;
                // --primary node-1: node 1 first for every CMTS, the others are backups
                int priority = o.primaryNode1 ? n + 1 : Math.floorMod(n - (c - 1), nodes.size()) + 1;
                collectors.add(CollectorSpec.at("127.0.0.1", nodes.get(n).listenPort, priority)
                        .named(nodes.get(n).id));
            }
            cmtses.add(CmtsSpec.of("cmts-" + c, Direction.CONNECT, collectors, sessions)
                    .withListen("127.0.0." + (10 + c), 0).withKeepAlive(30)
                    .withReconnectDelay(Duration.ofMillis(200)).withBufferCapacity(200_000)
                    .withMac(0x001dcf200000L + c));
        }
        FleetSpec spec = FleetSpec.of(cmtses.toArray(CmtsSpec[]::new));
        try (Fleet fleet = Fleet.start(spec)) {
            System.out.printf("warm-up %s ...%n", o.warmup);
            Thread.sleep(o.warmup.toMillis());
            long a0 = fleet.ledger().totalAcked();
            fleet.ackLatency().reset();
            long[] pids = nodes.stream().mapToLong(n -> n.process.pid()).toArray();
            String loadBefore = loadAverage();
            if (o.jfr != null) {
                for (long pid : pids) {
                    jcmd(pid, "JFR.start", "name=bench", "settings=profile");
                }
            }
            Cpu cpu0 = Cpu.sample(pids, cassandra.process().pid());
            long t0 = System.nanoTime();
            long last = a0;
            for (long s = 1; s <= o.duration.toSeconds(); s++) {
                Thread.sleep(Math.max(0, t0 + TimeUnit.SECONDS.toNanos(s) - System.nanoTime()) / 1_000_000);
                long a = fleet.ledger().totalAcked();
                if (s % 10 == 0 || s == o.duration.toSeconds()) {
                    System.out.printf(Locale.ROOT, "  %3d s: %,d acked/s (last second), %,d in window%n", s,
                            a - last, a - a0);
                }
                last = a;
            }
            long a1 = fleet.ledger().totalAcked();
            double seconds = (System.nanoTime() - t0) / 1e9;
            Cpu cpu1 = Cpu.sample(pids, cassandra.process().pid());
            String load = loadAverage();
            if (o.jfr != null) {
                Files.createDirectories(o.jfr.toAbsolutePath().getParent());
                for (int i = 0; i < pids.length; i++) {
                    Path file = jfrFile(o.jfr, i, nodes.get(i).id);
                    jcmd(pids[i], "JFR.stop", "name=bench", "filename=" + file);
                    System.out.println("JFR recording of " + nodes.get(i).id + " over the measured window: " + file);
                }
            }
            Latency latency = Latency.of(fleet.ackLatency());
            double rate = (a1 - a0) / seconds;
            System.out.printf(Locale.ROOT, "collector: %,.0f durable acked records/s (%,d in %.1f s); %s%n", rate,
                    a1 - a0, seconds, latency);
            System.out.printf(Locale.ROOT, "CPU: node %.2f cores, Cassandra %.2f cores, simulator+bench %.2f cores; "
                    + "load average %s at the start of the window, %s at its end%n", cpu1.node(cpu0, seconds),
                    cpu1.cassandra(cpu0, seconds), cpu1.self(cpu0, seconds), loadBefore, load);
            double[] nodeCpus = new double[nodes.size()];
            double[] jitCpus = new double[nodes.size()];
            int carrying = o.primaryNode1 ? 1 : nodes.size();
            for (int i = 0; i < nodes.size(); i++) {
                nodeCpus[i] = cpu1.node(i, cpu0, seconds);
                jitCpus[i] = cpu1.jit(i, cpu0, seconds);
                System.out.printf(Locale.ROOT, "  %s: %.2f cores (JIT compiler threads %.2f), %s%n", nodes.get(i).id,
                        nodeCpus[i], jitCpus[i],
                        i < carrying ? String.format(Locale.ROOT, "carries records (%.1f µs CPU per acked record%s, "
                                + "%.1f µs without the JIT)", nodeCpus[i] * 1e6 / rate, carrying > 1 ? " of all" : "",
                                (nodeCpus[i] - jitCpus[i]) * 1e6 / rate)
                                : "idle member (Hazelcast backups, backup connections)");
            }
            double carryingCpu = 0;
            double carryingJit = 0;
            for (int i = 0; i < carrying; i++) {
                carryingCpu += nodeCpus[i];
                carryingJit += jitCpus[i];
            }
            System.out.printf(Locale.ROOT, "SHARED-STATE PATH: %,.0f acked rec/s; node-1 %.2f cores; %.1f µs CPU per "
                            + "acked record of the node(s) carrying records (%.1f µs without their JIT compiler "
                            + "threads); idle members %.2f cores; all nodes %.1f µs per acked record%n", rate,
                    nodeCpus[0], carryingCpu * 1e6 / rate, (carryingCpu - carryingJit) * 1e6 / rate,
                    cpu1.node(cpu0, seconds) - carryingCpu, cpu1.node(cpu0, seconds) * 1e6 / rate);
            String takeover = "-";
            if (nodes.size() > 1) {
                takeover = takeover(o, fleet, nodes);
            }
            return new Result(mode, rate, a1 - a0, latency, cpu1.node(cpu0, seconds),
                    cpu1.cassandra(cpu0, seconds), cpu1.self(cpu0, seconds), 0, 0, 0, load, nodeCpus, carrying,
                    loadBefore, takeover, jitCpus);
        }
    }

    /**
     * SIGKILL of node 1 (primary of cmts-1 and every nodes-th CMTS after it); times the takeover of cmts-1 session 1
     * by node 2 from the kill to its first acknowledged record (ledger), prints dedup's own measurement on node 2,
     * then the rate over a further window with one node fewer.
     */
    private static String takeover(Options o, Fleet fleet, List<Node> nodes) throws Exception {
        Node victim = nodes.get(0);
        Node heir = nodes.get(1);
        long before = ackedBy(fleet, "cmts-1", 1, heir.id);
        long a0 = fleet.ledger().totalAcked();
        long killed = System.nanoTime();
        victim.process.destroyForcibly(); // SIGKILL
        long deadline = killed + TimeUnit.SECONDS.toNanos(60);
        while (ackedBy(fleet, "cmts-1", 1, heir.id) <= before) {
            if (System.nanoTime() > deadline) {
                System.out.println("TAKEOVER: " + heir.id + " acknowledged nothing for cmts-1/1 within 60 s");
                return "none within 60 s";
            }
            Thread.sleep(2);
        }
        long ms = (System.nanoTime() - killed) / 1_000_000;
        System.out.printf(Locale.ROOT, "TAKEOVER kill -9 %s: cmts-1/1 first record acknowledged by %s %d ms after "
                + "the kill; load average %s%n", victim.id, heir.id, ms, loadAverage());
        Thread.sleep(3000);
        String api = httpGet(heir.apiPort, "/api/exporters");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"dedup\":\\{[^}]*\\}").matcher(api);
        System.out.println("  " + heir.id + " dedup counters: " + (m.find() ? m.group() : "(not found)"));
        long window = Math.max(10, o.duration.toSeconds() / 2);
        long a1 = fleet.ledger().totalAcked();
        long t0 = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(window));
        long a2 = fleet.ledger().totalAcked();
        System.out.printf(Locale.ROOT, "after the kill: %,d records acked in the first %.1f s, then %,.0f acked/s "
                        + "over %d s with %d nodes; load average %s%n", a1 - a0, (t0 - killed) / 1e9,
                (a2 - a1) / ((System.nanoTime() - t0) / 1e9), window, nodes.size() - 1, loadAverage());
        String counters = m.find(0) ? m.group() : "";
        java.util.regex.Matcher last = java.util.regex.Pattern.compile("\"lastTakeoverMillis\":(\\d+)")
                .matcher(counters);
        java.util.regex.Matcher max = java.util.regex.Pattern.compile("\"takeoverMillisMax\":(\\d+)")
                .matcher(counters);
        return ms + " ms" + (last.find() ? "; dedup last " + last.group(1) + " ms" : "")
                + (max.find() ? ", max " + max.group(1) + " ms" : "");
    }

    /** Node 1's recording goes to {@code --jfr FILE}, node n's to FILE with {@code -<node id>} before ".jfr". */
    private static Path jfrFile(Path jfr, int index, String nodeId) {
        Path file = jfr.toAbsolutePath();
        if (index == 0) {
            return file;
        }
        String name = file.getFileName().toString();
        String base = name.endsWith(".jfr") ? name.substring(0, name.length() - 4) : name;
        return file.resolveSibling(base + "-" + nodeId + ".jfr");
    }

    /** Runs the JDK's jcmd against a node JVM (JFR), waiting for it. */
    private static void jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(pid));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + out);
        }
    }

    private static long ackedBy(Fleet fleet, String cmts, int sessionId, String node) {
        return fleet.ledger().documents(cmts, sessionId).stream()
                .mapToLong(d -> d.ackedBy().containsKey(node) ? d.ackedBy().get(node).count() : 0).sum();
    }

    /** The login the nodes generate under the run folder (they share it), as an Authorization header. */
    private static volatile String basicAuth = "";

    private static String httpGet(int port, String path) {
        try {
            var client = java.net.http.HttpClient.newHttpClient();
            return client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                    + path)).header("Authorization", basicAuth).timeout(Duration.ofSeconds(5)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /**
     * Ack latency percentiles of the measured window, taken at its end (the fleet keeps running through the
     * takeover of a 3-node run, whose records must not count).
     */
    record Latency(long p50, long p90, long p99, long max, String text) {
        static Latency of(AckLatency live) {
            return new Latency(live.percentileMicros(50), live.percentileMicros(90), live.percentileMicros(99),
                    live.maxMicros(), live.toString());
        }

        long percentileMicros(int percent) {
            return switch (percent) {
                case 50 -> p50;
                case 90 -> p90;
                case 99 -> p99;
                default -> throw new IllegalArgumentException("p" + percent);
            };
        }

        long maxMicros() {
            return max;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    // ------------------------------------------------------------------ ceiling

    /** Returns {records/s, Cassandra cores}. */
    private static double[] ceilingPhase(Options o, CassandraServer cassandra) throws Exception {
        // the node's request timeout (5 s): on a crowded machine the driver's 2 s default times out batches
        var loader = com.datastax.oss.driver.api.core.config.DriverConfigLoader.programmaticBuilder()
                .withDuration(com.datastax.oss.driver.api.core.config.DefaultDriverOption.REQUEST_TIMEOUT,
                        Duration.ofSeconds(5)).build();
        try (CqlSession session = CqlSession.builder().addContactPoint(cassandra.contactPoint())
                .withLocalDatacenter(cassandra.localDatacenter()).withConfigLoader(loader).build()) {
            // the very bytes the collector stored, so the row sizes are the same
            List<ByteBuffer> pool = new ArrayList<>();
            for (Row r : session.execute("SELECT data FROM bench.records LIMIT 256")) {
                pool.add(r.getByteBuffer(0));
            }
            if (pool.isEmpty()) {
                throw new IllegalStateException("the collector stored nothing");
            }
            double avg = pool.stream().mapToInt(ByteBuffer::remaining).average().orElse(0);
            PreparedStatement insert = session.prepare("INSERT INTO bench.records (exporter, session_id, document_id,"
                    + " boot_time, bucket, seq, template_id, config_id, data, dup_flag, received_by, received_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            int partitions = o.cmtses * o.sessions;
            int batchSize = 100;
            Semaphore inFlight = new Semaphore(32);
            AtomicLong stored = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong failed = new AtomicLong();
            UUID[] docs = new UUID[partitions];
            long[] next = new long[partitions];
            for (int p = 0; p < partitions; p++) {
                docs[p] = UUID.randomUUID();
            }
            System.out.printf(Locale.ROOT, "ceiling: %d partitions, UNLOGGED batches of %d, 32 in flight, "
                    + "%.0f-byte records ...%n", partitions, batchSize, avg);
            long warmEnd = System.nanoTime() + o.warmup.toNanos();
            long end = warmEnd + o.duration.toNanos();
            long s0 = -1;
            Cpu cpu0 = null;
            long t0 = 0;
            int p = 0;
            Instant now = Instant.now();
            while (System.nanoTime() < end && failure.get() == null) {
                if (s0 < 0 && System.nanoTime() >= warmEnd) {
                    s0 = stored.get();
                    cpu0 = Cpu.sample(-1, cassandra.process().pid());
                    t0 = System.nanoTime();
                }
                List<BoundStatement> rows = new ArrayList<>(batchSize);
                for (int i = 0; i < batchSize; i++) {
                    long seq = next[p]++;
                    rows.add(insert.bind("ceiling-" + (p / o.sessions), 1 + p % o.sessions, docs[p], 1_700_000_000L,
                            seq / 10_000, seq, 1, 1, pool.get((int) (seq % pool.size())), false, "bench-node", now));
                }
                p = (p + 1) % partitions;
                BatchStatement batch = BatchStatement.newInstance(BatchType.UNLOGGED)
                        .addAll(rows).setIdempotent(true).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM);
                inFlight.acquire();
                session.executeAsync(batch).whenComplete((rs, ex) -> {
                    if (ex == null) {
                        stored.addAndGet(batchSize);
                    } else if (failed.incrementAndGet() > 100) {
                        failure.compareAndSet(null, ex); // a few timeouts are load; many are a broken server
                    }
                    inFlight.release();
                });
            }
            inFlight.acquire(32);
            if (failure.get() != null) {
                throw new IllegalStateException("ceiling writes failed", failure.get());
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double rate = (stored.get() - s0) / seconds;
            double cpu = Cpu.sample(-1, cassandra.process().pid()).cassandra(cpu0, seconds);
            System.out.printf(Locale.ROOT, "ceiling: %,.0f records/s (%,d in %.1f s, %d batches failed), Cassandra "
                    + "%.2f cores, load average %s%n", rate, stored.get() - s0, seconds, failed.get(), cpu,
                    loadAverage());
            return new double[] {rate, cpu};
        }
    }

    // ------------------------------------------------------------------ plumbing

    /** Process CPU time (ns) of the nodes (summed, and each), Cassandra and this JVM at one instant. */
    private record Cpu(long node, long cassandra, long self, long[] nodes,
                       List<java.util.Map<Long, Long>> jit) {
        static Cpu sample(long nodePid, long cassandraPid) {
            return sample(new long[] {nodePid}, cassandraPid);
        }

        /** The nodes' CPU summed. */
        static Cpu sample(long[] nodePids, long cassandraPid) {
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long[] each = new long[nodePids.length];
            List<java.util.Map<Long, Long>> jit = new ArrayList<>();
            long nodes = 0;
            for (int i = 0; i < nodePids.length; i++) {
                each[i] = procCpu(nodePids[i]);
                jit.add(jitThreads(nodePids[i]));
                nodes += each[i];
            }
            return new Cpu(nodes, procCpu(cassandraPid), os.getProcessCpuTime(), each, jit);
        }

        double node(int i, Cpu before, double seconds) {
            return (nodes[i] - before.nodes[i]) / 1e9 / seconds;
        }

        /**
         * CPU of node i's JIT compiler threads over the interval, in cores (a lower bound: a compiler thread that
         * ended within the interval is not counted). On a starved machine the JIT is still busy long after a short
         * warm-up; it is no part of the per-record cost.
         */
        double jit(int i, Cpu before, double seconds) {
            long ns = 0;
            for (var e : jit.get(i).entrySet()) {
                ns += e.getValue() - before.jit.get(i).getOrDefault(e.getKey(), 0L);
            }
            return ns / 1e9 / seconds;
        }

        /** CPU (ns) per thread id of the JVM's JIT compiler threads ("C1/C2 CompilerThreadN"). */
        static java.util.Map<Long, Long> jitThreads(long pid) {
            java.util.Map<Long, Long> out = new java.util.HashMap<>();
            try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path t : tasks.toList()) {
                    try {
                        String comm = Files.readString(t.resolve("comm")).trim();
                        if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
                            out.put(Long.parseLong(t.getFileName().toString()), statCpu(t.resolve("stat")));
                        }
                    } catch (IOException | RuntimeException gone) {
                        // the thread ended meanwhile
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no /proc: no JIT figure
            }
            return out;
        }

        double node(Cpu before, double seconds) {
            return (node - before.node) / 1e9 / seconds;
        }

        double cassandra(Cpu before, double seconds) {
            return (cassandra - before.cassandra) / 1e9 / seconds;
        }

        double self(Cpu before, double seconds) {
            return (self - before.self) / 1e9 / seconds;
        }

        /** utime + stime of /proc/PID/stat (fields 14 and 15), in ns; 0 if unreadable. */
        static long procCpu(long pid) {
            if (pid <= 0) {
                return 0;
            }
            try {
                return statCpu(Path.of("/proc", Long.toString(pid), "stat"));
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        /** utime + stime of a /proc stat file (process or task), in ns. */
        static long statCpu(Path stat) throws IOException {
            String s = Files.readString(stat);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * (1_000_000_000L / CLK_TCK);
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Options parse(String[] args) {
        List<Boolean> modes = List.of(true);
        Duration warmup = Duration.ofSeconds(15);
        Duration duration = Duration.ofSeconds(60);
        int cmtses = 4;
        int sessions = 2;
        Path work = Path.of("ops/bench/target/bench-load");
        String heap = "1g";
        int nodes = 1;
        boolean primaryNode1 = false;
        boolean ceiling = true;
        Path jfr = null;
        List<String> nodeJvmOptions = List.of();
        double rate = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                throw new IllegalArgumentException("missing value for " + a);
            }
            i++;
            switch (a) {
                case "--mode" -> modes = switch (v) {
                    case "durable" -> List.of(true);
                    case "throwaway" -> List.of(false);
                    case "both" -> List.of(true, false);
                    default -> throw new IllegalArgumentException("--mode durable|throwaway|both");
                };
                case "--warmup" -> warmup = seconds(v);
                case "--duration" -> duration = seconds(v);
                case "--cmts" -> cmtses = Integer.parseInt(v);
                case "--sessions" -> sessions = Integer.parseInt(v);
                case "--work" -> work = Path.of(v);
                case "--node-heap" -> heap = v;
                case "--nodes" -> nodes = Integer.parseInt(v);
                case "--primary" -> primaryNode1 = switch (v) {
                    case "rotated" -> false;
                    case "node-1" -> true;
                    default -> throw new IllegalArgumentException("--primary rotated|node-1");
                };
                case "--ceiling" -> ceiling = switch (v) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw new IllegalArgumentException("--ceiling on|off");
                };
                case "--jfr" -> jfr = Path.of(v);
                case "--rate" -> rate = Double.parseDouble(v);
                case "--node-jvm-opts" -> nodeJvmOptions = v.isBlank() ? List.of() : List.of(v.trim().split("\\s+"));
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (nodes != 1 && nodes != 3) {
            throw new IllegalArgumentException("--nodes 1|3");
        }
        if (primaryNode1 && nodes == 1) {
            throw new IllegalArgumentException("--primary node-1 needs --nodes 3");
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must be >= 0 (0: unlimited)");
        }
        return new Options(modes, warmup, duration, cmtses, sessions, work, heap, nodes, primaryNode1, ceiling, jfr,
                nodeJvmOptions, rate);
    }

    private static Duration seconds(String v) {
        return Duration.ofSeconds(Long.parseLong(v.endsWith("s") ? v.substring(0, v.length() - 1) : v));
    }
}
