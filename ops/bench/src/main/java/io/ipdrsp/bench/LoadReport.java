package io.ipdrsp.bench;

import java.util.List;
import java.util.Locale;

/** The tables and the {@code SHARED-STATE} lines a load run ends with (docs/performance.md reads them). */
final class LoadReport {
    private LoadReport() {
    }

    static void print(LoadOptions o, List<LoadResult> results) {
        System.out.println();
        System.out.println("| Cassandra | collector acked rec/s | p50 | p90 | p99 | max ack latency | node CPU "
                + "| Cassandra CPU | ceiling rec/s (Cassandra CPU) | collector / ceiling | load avg |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (LoadResult r : results) {
            String ceiling = Double.isNaN(r.ceilingPerSecond()) ? "- | -" : String.format(Locale.ROOT,
                    "%,.0f (%.2f cores) | %.0f %%", r.ceilingPerSecond(), r.cassandraCpuCeiling(),
                    100 * r.ackedPerSecond() / r.ceilingPerSecond());
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.2f cores "
                            + "| %.2f cores | %s | %s |%n", r.mode(), r.ackedPerSecond(),
                    r.latency().percentileMicros(50) / 1000.0, r.latency().percentileMicros(90) / 1000.0,
                    r.latency().percentileMicros(99) / 1000.0, r.latency().maxMicros() / 1000.0, r.nodeCpu(),
                    r.cassandraCpuCollector(), ceiling, r.load());
        }
        System.out.println();
        System.out.println("| Cassandra | nodes | primary | acked rec/s | node-1 CPU (JIT) "
                + "| carrying nodes' CPU µs / acked record | same without JIT | idle members' CPU "
                + "| all nodes' CPU µs / acked record | load avg before → after | takeover |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (LoadResult r : results) {
            System.out.printf(Locale.ROOT, "| %s | %d | %s | %,.0f | %.2f cores (%.2f) | %.1f µs (%d node%s, %.2f "
                            + "cores) | %.1f µs | %s | %.1f µs | %s → %s | %s |%n", r.mode(), r.nodeCpus().length,
                    o.primaryName(), r.ackedPerSecond(), r.nodeCpus()[0], r.jitCpus()[0], r.carryingMicrosPerRecord(),
                    r.carrying(), r.carrying() == 1 ? "" : "s", r.carryingCpu(), r.carryingMicrosPerRecordWithoutJit(),
                    r.carrying() == r.nodeCpus().length ? "-" : String.format(Locale.ROOT, "%.2f cores (JIT %.2f)",
                            r.idleCpu(), r.idleJit()),
                    r.allMicrosPerRecord(), r.loadBefore(), r.load(), r.takeover());
        }
        for (LoadResult r : results) {
            System.out.printf(Locale.ROOT, "SHARED-STATE %s nodes=%d primary=%s acked/s=%.0f node1.cores=%.3f "
                            + "node1.jit.cores=%.3f carrying.us/rec=%.1f carrying.nojit.us/rec=%.1f idle.cores=%.3f "
                            + "idle.jit.cores=%.3f all.us/rec=%.1f cassandra.cores=%.2f ceiling/s=%.0f load=%s->%s offered/s=%s%n",
                    r.mode(), r.nodeCpus().length, o.primaryName(), r.ackedPerSecond(), r.nodeCpus()[0], r.jitCpus()[0],
                    r.carryingMicrosPerRecord(), r.carryingMicrosPerRecordWithoutJit(), r.idleCpu(), r.idleJit(),
                    r.allMicrosPerRecord(), r.cassandraCpuCollector(), r.ceilingPerSecond(),
                    r.loadBefore().replace(' ', '/'), r.load().replace(' ', '/'),
                    o.rate() > 0 ? String.format(Locale.ROOT, "%.0f", o.rate()) : "unlimited");
        }
    }
}
