package io.ipdrsp.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of {@code ops/bin/bench-fleet} ({@link FleetBench} lists them).
 *
 * @param fleets        fleet sizes, run one after the other (each on a fresh node and keyspace)
 * @param sessions      sessions per CMTS, 1..3; 0 = mixed (1, 2, 3, 1, 2, 3, ...)
 * @param rate          records/s offered by the whole fleet, spread evenly over its sessions
 * @param interval      the compressed time-interval: every time-interval session starts a new document at each
 *                      multiple of it on the wall clock
 * @param boundaries    interval boundaries measured per run
 * @param grace         the node's audit.graceSeconds (finalization waits this long after a document's end)
 * @param finalizeWait  the longest wait for every document to be finalized after the fleet stopped
 */
record FleetOptions(List<Integer> fleets, int sessions, double rate, Duration interval, int boundaries,
                    Duration grace, Duration finalizeWait, Path work, String nodeHeap, List<String> nodeJvmOptions,
                    Path jfr) {

    /** Sessions of CMTS number {@code k} (1-based). */
    int sessionsOf(int k) {
        return sessions > 0 ? sessions : 1 + (k - 1) % 3;
    }

    static FleetOptions parse(String[] args) {
        List<Integer> fleets = List.of(100, 300, 1000);
        int sessions = 3;
        double rate = 1000;
        Duration interval = Duration.ofSeconds(60);
        int boundaries = 2;
        Duration grace = Duration.ofSeconds(5);
        Duration finalizeWait = Duration.ofSeconds(300);
        Path work = Path.of("ops/bench/target/bench-fleet");
        String heap = "1g";
        List<String> jvm = List.of();
        Path jfr = null;
        for (int i = 0; i < args.length; i += 2) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + a);
            }
            String v = args[i + 1];
            switch (a) {
                case "--cmts" -> {
                    List<Integer> n = new ArrayList<>();
                    for (String s : v.split(",")) {
                        n.add(Integer.parseInt(s.trim()));
                    }
                    fleets = List.copyOf(n);
                }
                case "--sessions" -> sessions = v.equals("mixed") ? 0 : Integer.parseInt(v);
                case "--rate" -> rate = Double.parseDouble(v);
                case "--interval" -> interval = BenchArgs.duration(v);
                case "--boundaries" -> boundaries = Integer.parseInt(v);
                case "--grace" -> grace = BenchArgs.duration(v);
                case "--finalize-wait" -> finalizeWait = BenchArgs.duration(v);
                case "--work" -> work = Path.of(v);
                case "--node-heap" -> heap = v;
                case "--node-jvm-opts" -> jvm = v.isBlank() ? List.of() : List.of(v.trim().split("\\s+"));
                case "--jfr" -> jfr = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + a + " (see ops/bin/bench-fleet)");
            }
        }
        if (sessions < 0 || sessions > 3) {
            throw new IllegalArgumentException("--sessions 1|2|3|mixed");
        }
        if (fleets.stream().anyMatch(n -> n < 1 || n > 60_000)) {
            throw new IllegalArgumentException("--cmts: 1..60000 CMTSes (one loopback address each)");
        }
        if (rate <= 0 || boundaries < 1 || interval.toSeconds() < 10) {
            throw new IllegalArgumentException("--rate > 0, --boundaries >= 1, --interval >= 10s");
        }
        return new FleetOptions(fleets, sessions, rate, interval, boundaries, grace, finalizeWait, work, heap, jvm,
                jfr);
    }

}
