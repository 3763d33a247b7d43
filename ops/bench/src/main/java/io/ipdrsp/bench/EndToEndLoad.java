package io.ipdrsp.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.ipdrsp.launcher.CassandraServer;
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
 * <p>Options: {@code --mode durable|throwaway|both} (durable), {@code --warmup 15s}, {@code --duration 60s},
 * {@code --cmts 4}, {@code --sessions 2}, {@code --work DIR} (ops/bench/target/bench-load), {@code --node-heap 1g}.
 */
public final class EndToEndLoad {
    private static final long CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat counts in these

    private record Options(List<Boolean> modes, Duration warmup, Duration duration, int cmtses, int sessions,
                           Path work, String nodeHeap) {
    }

    record Result(String mode, double ackedPerSecond, long ackedInWindow, AckLatency latency, double nodeCpu,
                  double cassandraCpuCollector, double simulatorCpu, double ceilingPerSecond,
                  double cassandraCpuCeiling, double bytesPerRecord, String load) {
    }

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        System.out.printf(Locale.ROOT, "bench-load: %d CMTS x %d sessions, SAMIS-TYPE-1 load mode, warm-up %s, "
                        + "measured %s, %d cores, java %s%n", o.cmtses, o.sessions, o.warmup, o.duration,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        List<Result> results = new ArrayList<>();
        for (boolean durable : o.modes) {
            results.add(run(o, durable));
        }
        System.out.println();
        System.out.println("| Cassandra | collector acked rec/s | p50 | p90 | p99 | max ack latency | node CPU "
                + "| Cassandra CPU | ceiling rec/s (Cassandra CPU) | collector / ceiling | load avg |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.2f cores "
                            + "| %.2f cores | %,.0f (%.2f cores) | %.0f %% | %s |%n", r.mode, r.ackedPerSecond,
                    r.latency.percentileMicros(50) / 1000.0, r.latency.percentileMicros(90) / 1000.0,
                    r.latency.percentileMicros(99) / 1000.0, r.latency.maxMicros() / 1000.0, r.nodeCpu,
                    r.cassandraCpuCollector, r.ceilingPerSecond, r.cassandraCpuCeiling,
                    100 * r.ackedPerSecond / r.ceilingPerSecond, r.load);
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
                .heap("-Xms1g -Xmx1g").start()) {
            int listenPort = freePort();
            Process node = startNode(o, dir, cassandra, listenPort);
            Result partial;
            try {
                partial = collectorPhase(o, mode, cassandra, node, listenPort);
            } finally {
                node.destroy();
                if (!node.waitFor(20, TimeUnit.SECONDS)) {
                    node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            double[] ceiling = ceilingPhase(o, cassandra);
            return new Result(mode, partial.ackedPerSecond, partial.ackedInWindow, partial.latency, partial.nodeCpu,
                    partial.cassandraCpuCollector, partial.simulatorCpu, ceiling[0], ceiling[1],
                    partial.bytesPerRecord, partial.load);
        }
    }

    // ------------------------------------------------------------------ collector

    private static Process startNode(Options o, Path dir, CassandraServer cassandra, int listenPort)
            throws IOException, InterruptedException {
        StringBuilder y = new StringBuilder();
        y.append("server:\n  applicationConnectors: [{type: http, port: 0, bindHost: 127.0.0.1}]\n")
                .append("  adminConnectors: [{type: http, port: 0, bindHost: 127.0.0.1}]\n")
                .append("  requestLog: {appenders: []}\n")
                .append("logging:\n  level: WARN\n  appenders: [{type: file, currentLogFilename: ")
                .append(dir.resolve("node.log")).append(", archive: false}]\n")
                .append("node: {id: bench-node, site: bench}\n")
                .append("listen: {address: 127.0.0.1, port: ").append(listenPort).append(", allow: []}\n")
                .append("storage:\n  contactPoints: [\"127.0.0.1:").append(cassandra.nativePort()).append("\"]\n")
                .append("  keyspace: bench\n  consistency: LOCAL_QUORUM\n")
                .append("cluster: {clusterName: bench-").append(System.nanoTime()).append(", hazelcastPort: ")
                .append(freePort()).append(", embeddedZooKeeperDir: ").append(dir.resolve("zookeeper")).append("}\n")
                .append("exporters:\n");
        for (int c = 1; c <= o.cmtses; c++) {
            y.append("  - {name: cmts-").append(c).append(", address: 127.0.0.").append(10 + c)
                    .append(", direction: listen, keepAliveSeconds: 30}\n");
        }
        Path config = dir.resolve("node.yml");
        Files.writeString(config, y.toString());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xms" + o.nodeHeap, "-Xmx" + o.nodeHeap, "-cp",
                System.getProperty("java.class.path"), "io.ipdrsp.node.NodeApplication", "server", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("node.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException("node exited with " + p.exitValue() + "; see " + dir.resolve("node.out"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", listenPort), 200);
                break;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IllegalStateException("node did not listen within 120 s; see " + dir.resolve("node.out"));
                }
                Thread.sleep(200);
            }
        }
        System.out.println("node pid " + p.pid() + " listening on " + listenPort);
        return p;
    }

    private static Result collectorPhase(Options o, String mode, CassandraServer cassandra, Process node,
                                         int listenPort) throws Exception {
        List<CmtsSpec> cmtses = new ArrayList<>();
        for (int c = 1; c <= o.cmtses; c++) {
            List<SessionSpec> sessions = new ArrayList<>();
            for (int s = 1; s <= o.sessions; s++) {
                sessions.add(SessionSpec.event(s, Templates.SAMIS_TYPE_1).asLoad());
            }
            cmtses.add(CmtsSpec.of("cmts-" + c, Direction.CONNECT,
                            List.of(CollectorSpec.at("127.0.0.1", listenPort, 1)), sessions)
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
            Cpu cpu0 = Cpu.sample(node.pid(), cassandra.process().pid());
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
            Cpu cpu1 = Cpu.sample(node.pid(), cassandra.process().pid());
            String load = loadAverage();
            AckLatency latency = snapshot(fleet.ackLatency());
            double rate = (a1 - a0) / seconds;
            System.out.printf(Locale.ROOT, "collector: %,.0f durable acked records/s (%,d in %.1f s); %s%n", rate,
                    a1 - a0, seconds, latency);
            System.out.printf(Locale.ROOT, "CPU: node %.2f cores, Cassandra %.2f cores, simulator+bench %.2f cores; "
                    + "load average %s%n", cpu1.node(cpu0, seconds), cpu1.cassandra(cpu0, seconds),
                    cpu1.self(cpu0, seconds), load);
            return new Result(mode, rate, a1 - a0, latency, cpu1.node(cpu0, seconds),
                    cpu1.cassandra(cpu0, seconds), cpu1.self(cpu0, seconds), 0, 0, 0, load);
        }
    }

    private static AckLatency snapshot(AckLatency live) {
        return live; // the fleet is closed right after; its histogram no longer changes
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

    /** Process CPU time (ns) of the node, Cassandra and this JVM at one instant. */
    private record Cpu(long node, long cassandra, long self) {
        static Cpu sample(long nodePid, long cassandraPid) {
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            return new Cpu(procCpu(nodePid), procCpu(cassandraPid), os.getProcessCpuTime());
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
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * (1_000_000_000L / CLK_TCK);
            } catch (IOException | RuntimeException e) {
                return 0;
            }
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
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return new Options(modes, warmup, duration, cmtses, sessions, work, heap);
    }

    private static Duration seconds(String v) {
        return Duration.ofSeconds(Long.parseLong(v.endsWith("s") ? v.substring(0, v.length() - 1) : v));
    }
}
