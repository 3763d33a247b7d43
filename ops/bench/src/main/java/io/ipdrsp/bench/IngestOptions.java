package io.ipdrsp.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The options of {@code ops/bin/bench-ingest} ({@link IngestBench} describes the run).
 *
 * @param rounds           collector/ceiling pairs (A B A B …)
 * @param records          the first-contact stream: records acknowledged by a fresh node
 * @param warmup           steady state: streaming after the first contact before the measured window
 * @param duration         steady state: the measured window
 * @param cassandraWarmup  before the first pair, a collector run that warms the server's JIT and creates the schema
 * @param window           the exporter's window: DATA messages that may be unacknowledged
 * @param ackInterval      ackSequenceInterval announced in SESSION_START
 * @param ackTime          ackTimeInterval, seconds
 * @param progress         a progress line (acked/s, RSS) every so often in the measured window (soak runs)
 * @param ceiling          whether each round has its ceiling phase
 * @param jfr              folder for JFR recordings (settings=profile) of node and Cassandra over each steady window,
 *                         or null
 */
record IngestOptions(int rounds, long records, Duration warmup, Duration duration, Duration cassandraWarmup,
                     int window, int ackInterval, int ackTime, Duration progress, boolean ceiling, String nodeHeap,
                     List<String> nodeJvmOptions, Path work, Path jfr, boolean cdsAb) {

    static IngestOptions parse(String[] args) {
        int rounds = 3;
        long records = 200_000;
        Duration warmup = Duration.ofSeconds(20);
        Duration duration = Duration.ofSeconds(30);
        Duration cassandraWarmup = Duration.ofSeconds(60);
        int window = 1_000_000;
        int ackInterval = 50;
        int ackTime = 1;
        Duration progress = Duration.ofSeconds(10);
        boolean ceiling = true;
        String heap = "1g";
        List<String> jvm = List.of();
        Path work = Path.of("ops/bench/target/bench-ingest");
        Path jfr = null;
        boolean cdsAb = false;
        for (int i = 0; i < args.length; i += 2) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + a);
            }
            String v = args[i + 1];
            switch (a) {
                case "--rounds" -> rounds = positive(a, Integer.parseInt(v));
                case "--records" -> records = positive(a, Long.parseLong(v));
                case "--warmup" -> warmup = BenchArgs.duration(v);
                case "--duration" -> duration = BenchArgs.duration(v);
                case "--cassandra-warmup" -> cassandraWarmup = BenchArgs.duration(v);
                case "--window" -> window = positive(a, Integer.parseInt(v));
                case "--ack-interval" -> ackInterval = positive(a, Integer.parseInt(v));
                case "--ack-time" -> ackTime = positive(a, Integer.parseInt(v));
                case "--progress" -> progress = BenchArgs.duration(v);
                case "--ceiling" -> ceiling = switch (v) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw new IllegalArgumentException("--ceiling on|off");
                };
                case "--node-heap" -> heap = v;
                case "--node-jvm-opts" -> jvm = v.isBlank() ? List.of() : List.of(v.trim().split("\\s+"));
                case "--work" -> work = Path.of(v);
                case "--jfr" -> jfr = Path.of(v);
                case "--cds" -> cdsAb = switch (v) {
                    case "ab" -> true;
                    case "off" -> false;
                    default -> throw new IllegalArgumentException("--cds ab|off");
                };
                default -> throw new IllegalArgumentException("unknown option " + a + " (see ops/bin/bench-ingest)");
            }
        }
        if (duration.isZero()) {
            throw new IllegalArgumentException("--duration must be at least 1s");
        }
        if (cdsAb && cassandraWarmup.isZero()) {
            throw new IllegalArgumentException("--cds ab: the warm-up's node writes the class-data archive; give "
                    + "--cassandra-warmup a duration (e.g. 60s)");
        }
        return new IngestOptions(rounds, records, warmup, duration, cassandraWarmup, window, ackInterval, ackTime,
                progress, ceiling, heap, jvm, work, jfr, cdsAb);
    }

    /** What {@link LoadNodes} needs to start one node for one CMTS with one session. */
    LoadOptions nodeOptions() {
        return new LoadOptions(List.of(true), warmup, duration, 1, 1, work, nodeHeap, 1, false, ceiling, null,
                nodeJvmOptions, 0);
    }

    private static <T extends Number> T positive(String option, T v) {
        if (v.longValue() < 1) {
            throw new IllegalArgumentException(option + " must be at least 1: " + v);
        }
        return v;
    }

}
