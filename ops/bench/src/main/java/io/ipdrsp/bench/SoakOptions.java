package io.ipdrsp.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The options of {@code ops/bin/bench-soak} ({@link ChaosSoak} lists them).
 *
 * @param duration      how long faults are injected (the CMTSes stream all along)
 * @param round         the period of the summary lines
 * @param cmtses        simulated CMTSes: odd ones dial the nodes, even ones are dialed; every third in the
 *                      {@code reference} failover mode, the others in the simulator's default (vendor)
 * @param nodes         collector nodes (2 or more; a fault leaves at least one node untouched)
 * @param seed          the random faults' seed: one seed, one sequence of faults, nodes, times and lengths
 * @param rate          records/s per session (every CMTS has a time-interval and an event session)
 * @param interval      the time-interval sessions' document length
 * @param faultMin      shortest pause between two faults
 * @param faultMax      longest pause between two faults
 * @param grace         the nodes' audit.graceSeconds
 * @param finalizeWait  after the CMTSes stopped, how long every document may take to become final
 * @param productionCassandra the local Cassandra with the production JVM profile (else the launcher's default)
 */
record SoakOptions(Duration duration, Duration round, int cmtses, int nodes, long seed, double rate,
                   Duration interval, Duration faultMin, Duration faultMax, Duration grace, Duration finalizeWait,
                   Path work, String nodeHeap, boolean productionCassandra) {

    SoakOptions {
        if (nodes < 2 || cmtses < 1 || cmtses > 250 || rate <= 0) {
            throw new IllegalArgumentException("--nodes >= 2, --cmtses 1..250, --rate > 0");
        }
        if (faultMin.isNegative() || faultMin.isZero() || faultMax.compareTo(faultMin) < 0) {
            throw new IllegalArgumentException("--faults MIN-MAX: 0 < MIN <= MAX (seconds), e.g. 8-15");
        }
        if (round.isZero() || round.isNegative() || duration.isNegative() || interval.toSeconds() < 10) {
            throw new IllegalArgumentException("--round > 0, --duration >= 0, --interval >= 10s");
        }
    }

    static SoakOptions parse(String[] args) {
        SoakOptions d = defaults();
        Duration duration = d.duration, round = d.round, interval = d.interval, faultMin = d.faultMin;
        Duration faultMax = d.faultMax, grace = d.grace, finalizeWait = d.finalizeWait;
        int cmtses = d.cmtses, nodes = d.nodes;
        long seed = d.seed;
        double rate = d.rate;
        Path work = d.work;
        String heap = d.nodeHeap;
        for (int i = 0; i < args.length; i += 2) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + a);
            }
            String v = args[i + 1];
            switch (a) {
                case "--duration" -> duration = BenchArgs.duration(v);
                case "--round" -> round = BenchArgs.duration(v);
                case "--cmtses" -> cmtses = Integer.parseInt(v);
                case "--nodes" -> nodes = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--rate" -> rate = Double.parseDouble(v);
                case "--interval" -> interval = BenchArgs.duration(v);
                case "--faults" -> {
                    String[] mm = v.split("-");
                    faultMin = BenchArgs.duration(mm[0]);
                    faultMax = BenchArgs.duration(mm[mm.length - 1]);
                }
                case "--grace" -> grace = BenchArgs.duration(v);
                case "--finalize-wait" -> finalizeWait = BenchArgs.duration(v);
                case "--work" -> work = Path.of(v);
                case "--node-heap" -> heap = v;
                default -> throw new IllegalArgumentException("unknown option " + a + " (see ops/bin/bench-soak)");
            }
        }
        return new SoakOptions(duration, round, cmtses, nodes, seed, rate, interval, faultMin, faultMax, grace,
                finalizeWait, work, heap, true);
    }

    /** 10 minutes in rounds of 10, 6 CMTSes on 3 nodes, 10 records/s per session, a fault every 8-15 s. */
    static SoakOptions defaults() {
        return new SoakOptions(Duration.ofMinutes(10), Duration.ofMinutes(10), 6, 3, 1, 10, Duration.ofSeconds(60),
                Duration.ofSeconds(8), Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofSeconds(180),
                Path.of("ops/bench/target/bench-soak"), "384m", true);
    }

    /** {@code 90}, {@code 90s}, {@code 10m}, {@code 1h}. */
}
