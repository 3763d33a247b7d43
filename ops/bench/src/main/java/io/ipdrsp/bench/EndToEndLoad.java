package io.ipdrsp.bench;

import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.launcher.ZooKeeperServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * End-to-end ingest load: a local Cassandra (durable group-commit and/or throwaway), one collector node in its own
 * JVM (embedded Hazelcast and ZooKeeper), the simulator's load mode at full speed through it; then, on the same
 * server, table and row shape, the ceiling: the same rows written by the storage module alone ({@link CeilingPhase})
 * as UNLOGGED per-partition batches with a bound on requests in flight. Prints durable acknowledged records/s, ack latency
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
    private EndToEndLoad() {
    }

    public static void main(String[] args) throws Exception {
        LoadOptions o = LoadOptions.parse(args);
        System.out.printf(Locale.ROOT, "bench-load: %d node(s), primary %s, %d CMTS x %d sessions, SAMIS-TYPE-1 "
                        + "load mode, warm-up %s, measured %s, %d cores, java %s%s%n", o.nodes(), o.primaryName(),
                o.cmtses(), o.sessions(), o.warmup(), o.duration(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                o.nodeJvmOptions().isEmpty() ? "" : ", node JVM options " + o.nodeJvmOptions());
        List<LoadResult> results = new ArrayList<>();
        for (boolean durable : o.modes()) {
            results.add(run(o, durable));
        }
        LoadReport.print(o, results);
    }

    /** One Cassandra mode: a fresh server, the nodes, the collector phase, then (unless off) the ceiling. */
    private static LoadResult run(LoadOptions o, boolean durable) throws Exception {
        String mode = durable ? "durable" : "throwaway";
        Path dir = o.work().resolve(mode).toAbsolutePath();
        deleteTree(dir);
        Files.createDirectories(dir);
        System.out.printf("%n== %s Cassandra (%s) ==%n", mode, durable ? "commitlog_sync group: an ack waits for "
                + "the fsync" : "no fsync: acked writes die with the process");
        try (CassandraServer cassandra = CassandraServer.builder(dir.resolve("cassandra")).durable(durable)
                .start(); // the launcher's JVM profile: production (G1, full JIT, heap sized to the machine)
             ZooKeeperServer zk = o.nodes() > 1 ? ZooKeeperServer.startEmbedded(dir.resolve("zookeeper"), 0) : null) {
            LoadResult partial;
            try (LoadNodes nodes = LoadNodes.start(o, dir, cassandra, zk)) {
                partial = CollectorPhase.run(o, mode, cassandra, nodes);
            }
            double[] ceiling = o.ceiling() ? CeilingPhase.run(o, cassandra) : new double[] {Double.NaN, Double.NaN};
            return new LoadResult(mode, partial.ackedPerSecond(), partial.ackedInWindow(), partial.latency(),
                    partial.nodeCpu(), partial.cassandraCpuCollector(), partial.simulatorCpu(), ceiling[0], ceiling[1],
                    partial.bytesPerRecord(), partial.load(), partial.nodeCpus(), partial.carrying(),
                    partial.loadBefore(), partial.takeover(), partial.jitCpus());
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
