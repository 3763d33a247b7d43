package io.ipdrsp.bench;

import io.ipdrsp.launcher.CassandraServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fleet benchmark (issue 19), run by {@code ops/bin/bench-fleet}: for each fleet size, one collector node in its
 * own JVM and N simulated CMTSes, each dialing from its own loopback address (127.10.x.y) and admitted by the node's
 * {@code listen.allow: [127.0.0.0/8]} under the name its CONNECT gives; 1–3 sessions each (SAMIS-TYPE-1 and
 * CMTS-CM-REG-STATUS-TYPE by time interval, CPE-TYPE as events) at {@code --rate} records/s for the whole fleet, the
 * time-interval boundaries compressed to {@code --interval} and aligned on the wall clock, so every time-interval
 * session starts a new document at the same moment. Prints, per size: connect time, first ack per session, each
 * boundary's first acks, ack timeouts, read-backs per record, the node's CPU per 100 k records, RSS and heap after GC,
 * the finalization of each boundary's documents, and the audit against the simulator's ledger.
 *
 * <p>Options: {@code --cmts 100,300,1000}, {@code --sessions 3|2|1|mixed} (3), {@code --rate 1000},
 * {@code --interval 60s}, {@code --boundaries 2}, {@code --grace 5s} (the node's audit.graceSeconds),
 * {@code --finalize-wait 300s}, {@code --node-heap 1g}, {@code --node-jvm-opts "OPTS"}, {@code --jfr FILE} (a JFR
 * recording of the node over each measured window, FILE-N.jfr), {@code --work DIR} (ops/bench/target/bench-fleet).
 * One local Cassandra (production JVM settings, durable) serves every size, a keyspace each.
 */
public final class FleetBench {
    private FleetBench() {
    }

    public static void main(String[] args) throws Exception {
        FleetOptions o = FleetOptions.parse(args);
        Path work = o.work().toAbsolutePath();
        Files.createDirectories(work);
        System.out.printf(Locale.ROOT, "bench-fleet: fleets %s, sessions %s, %.0f records/s, interval %d s, %d "
                        + "boundaries, node heap %s, %d cores, java %s, load average %s%n", o.fleets(),
                o.sessions() == 0 ? "mixed 1-3" : o.sessions() + " per CMTS", o.rate(), o.interval().toSeconds(),
                o.boundaries(), o.nodeHeap(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), CpuSample.loadAverage());
        List<FleetResult> results = new ArrayList<>();
        Path cassandraDir = work.resolve("cassandra-" + System.currentTimeMillis());
        try (CassandraServer cassandra = CassandraServer.builder(cassandraDir).durable(true).start()) {
            for (int n : o.fleets()) {
                results.add(FleetRun.run(o, n, work.resolve("run-" + n), cassandra));
                results.get(results.size() - 1).print();
            }
        }
        System.out.printf("%n== summary ==%n");
        results.forEach(FleetResult::print);
    }
}
