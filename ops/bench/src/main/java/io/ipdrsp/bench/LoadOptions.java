package io.ipdrsp.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The options of {@code ops/bin/bench-load} ({@link EndToEndLoad} lists them).
 */
record LoadOptions(List<Boolean> modes, Duration warmup, Duration duration, int cmtses, int sessions,
                   Path work, String nodeHeap, int nodes, boolean primaryNode1, boolean ceiling, Path jfr,
                   List<String> nodeJvmOptions, double rate) {
    String primaryName() {
        return nodes == 1 ? "-" : primaryNode1 ? "node-1" : "rotated";
    }

    static LoadOptions parse(String[] args) {
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
                case "--warmup" -> warmup = BenchArgs.duration(v);
                case "--duration" -> duration = BenchArgs.duration(v);
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
        return new LoadOptions(modes, warmup, duration, cmtses, sessions, work, heap, nodes, primaryNode1, ceiling, jfr,
                nodeJvmOptions, rate);
    }

}
