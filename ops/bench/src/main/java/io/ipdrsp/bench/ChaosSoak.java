package io.ipdrsp.bench;

import io.ipdrsp.launcher.NodeJvm;
import io.ipdrsp.simulator.Fleet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The chaos soak (issue 15), run by {@code ops/bin/bench-soak}: {@code --nodes} collector JVMs, a local Cassandra
 * (production JVM profile, durable) and ZooKeeper, {@code --cmtses} simulated CMTSes ({@link SoakCluster}: both
 * connection directions, rotated priorities, a time-interval and an event session each, vendor and reference failover
 * sequences), and every {@code --faults} seconds (8-15 by default, seeded by {@code --seed}) one fault on a random
 * node ({@link SoakFaults}: kill -9 and restart, SIGSTOP/SIGCONT, CMTS links cut). One line per fault, one
 * {@code ROUND} line per {@code --round}; at the end the CMTSes stop, every document must become final, and
 * {@link SoakCheck} compares the ledger with the audit and storage per DSN; one {@code SOAK} line sums it up.
 *
 * <p>Options: {@code --duration 10m}, {@code --round 10m}, {@code --cmtses 6}, {@code --nodes 3}, {@code --seed 1},
 * {@code --rate 10} (records/s per session), {@code --interval 60s}, {@code --faults 8-15}, {@code --grace 5s},
 * {@code --finalize-wait 180s}, {@code --node-heap 384m}, {@code --work DIR} (ops/bench/target/bench-soak).
 */
public final class ChaosSoak {
    /** The nodes' warning when a duplicate's bytes could not be compared (issue 15): there must be none. */
    static final String UNCOMPARED = "could not be compared";

    private ChaosSoak() {
    }

    public static void main(String[] args) throws Exception {
        SoakResult r = run(SoakOptions.parse(args));
        System.exit(r.clean() ? 0 : 1);
    }

    static SoakResult run(SoakOptions o) throws Exception {
        Path dir = o.work().toAbsolutePath().resolve("run-" + System.currentTimeMillis());
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "bench-soak: %d nodes, %d CMTSes x 2 sessions at %.0f records/s, %s of faults "
                        + "every %d-%d s, seed %d, rounds of %s; %d cores, java %s, load average %s; work %s%n",
                o.nodes(), o.cmtses(), o.rate(), o.duration(), o.faultMin().toSeconds(), o.faultMax().toSeconds(),
                o.seed(), o.round(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                CpuSample.loadAverage(), dir);
        long t0 = System.nanoTime();
        try (SoakCluster cluster = SoakCluster.start(o, dir)) {
            System.out.printf(Locale.ROOT, "cluster up in %.0f s (Cassandra %s, ZooKeeper %s); load average %s%n",
                    (System.nanoTime() - t0) / 1e9, cluster.cassandra.contactPoint(),
                    cluster.zooKeeper.connectString(), CpuSample.loadAverage());
            Fleet fleet = Fleet.start(cluster.fleetSpec(dir.resolve("ledger.json")));
            SoakRounds rounds;
            SoakFaults faults;
            try {
                awaitStreaming(fleet, o.cmtses() * 2);
                long start = System.nanoTime();
                faults = new SoakFaults(cluster, fleet, o.seed(), start);
                rounds = new SoakRounds(o, fleet, faults, () -> uncompared(cluster), start);
                long end = start + o.duration().toNanos();
                while (true) {
                    long pause = faults.nextPauseMillis(o.faultMin(), o.faultMax());
                    if (System.nanoTime() + pause * 1_000_000 > end) {
                        break;
                    }
                    rounds.sleepUntil(System.nanoTime() + pause * 1_000_000);
                    faults.injectOne();
                }
                rounds.sleepUntil(end);
                faults.awaitQuiet(Duration.ofSeconds(300));
                faults.close();
                rounds.finish();
                // every session streaming again and acknowledged on its current collector before the CMTSes stop
                awaitStreaming(fleet, o.cmtses() * 2);
                long acked = fleet.ledger().totalAcked();
                fleet.awaitAcked(acked + (long) (o.rate() * o.cmtses() * 10), Duration.ofSeconds(60));
            } finally {
                fleet.close();
            }
            SoakCheck.Verdict v = SoakCheck.run(cluster.cassandra, SoakCluster.KEYSPACE, fleet.ledger(),
                    o.finalizeWait());
            SoakResult r = new SoakResult(o, faults, SoakLedger.moves(fleet.ledger()), v, uncompared(cluster),
                    fleet.ackTimeouts());
            r.print();
            return r;
        }
    }

    /** Waits until every session had records acknowledged since the call (a 5-minute limit). */
    private static void awaitStreaming(Fleet fleet, int sessions) throws InterruptedException {
        java.util.Map<String, Long> before = SoakLedger.ackedPerSession(fleet.ledger());
        boolean ok = fleet.awaitLedger(l -> {
            java.util.Map<String, Long> now = SoakLedger.ackedPerSession(l);
            return now.size() >= sessions && now.entrySet().stream()
                    .allMatch(e -> e.getValue() > before.getOrDefault(e.getKey(), 0L));
        }, Duration.ofMinutes(5));
        if (!ok) {
            throw new IllegalStateException("the fleet's " + sessions + " sessions were not all acknowledged within "
                    + "5 minutes: " + SoakLedger.ackedPerSession(fleet.ledger()));
        }
    }

    /** Lines with {@link #UNCOMPARED} in the nodes' logs (all their lives). */
    static long uncompared(SoakCluster cluster) {
        long n = 0;
        for (NodeJvm node : cluster.nodes) {
            n += count(node.logFile(), UNCOMPARED);
        }
        return n;
    }

    static long count(Path log, String needle) {
        if (!Files.exists(log)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            return lines.filter(l -> l.contains(needle)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
