package io.ipdrsp.bench;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The tables an ingest run ends with: one row per round, then min / median / max over the rounds. */
final class IngestReport {
    /**
     * One pair: the collector (A, with its node's start-up) and the ceiling (B, null when off); {@code cds}: the
     * node mapped the class-data archive the warm-up's node wrote ({@code --cds ab}, every second round).
     */
    record Round(int round, double readySeconds, IngestRun.Measured collector, IngestRun.Measured ceiling,
                 boolean cds) {
        double ratio() {
            return ceiling == null ? Double.NaN : collector.steady().rate() / ceiling.steady().rate();
        }
    }

    private IngestReport() {
    }

    static void print(IngestOptions o, List<Round> rounds) {
        System.out.println();
        System.out.println("| round | node ready | first contact rec/s | node CPU-s/100k (no JIT) | Cassandra "
                + "CPU-s/100k | steady rec/s | node µs/rec (no JIT) | Cassandra µs/rec (no JIT) | ceiling rec/s "
                + "(Cassandra µs/rec) | collector / ceiling | node peak RSS | Cassandra peak RSS | load avg |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Round r : rounds) {
            PhaseFigures f = r.collector.first();
            PhaseFigures s = r.collector.steady();
            PhaseFigures c = r.ceiling == null ? null : r.ceiling.steady();
            System.out.printf(Locale.ROOT, "| %s | %.1f s | %,.0f | %.2f (%.2f) | %.2f | %,.0f | %.1f (%.1f) | %.1f "
                            + "(%.1f) | %s | %s | %d MiB | %d MiB | %s → %s |%n", r.round + (r.cds ? " (CDS)" : ""),
                    r.readySeconds, f.rate(),
                    f.nodeMicros() / 10, f.nodeMicrosWithoutJit() / 10, f.cassandraMicros() / 10, s.rate(),
                    s.nodeMicros(), s.nodeMicrosWithoutJit(), s.cassandraMicros(), s.cassandraMicrosWithoutJit(),
                    c == null ? "-" : String.format(Locale.ROOT, "%,.0f (%.1f)", c.rate(), c.cassandraMicros()),
                    c == null ? "-" : String.format(Locale.ROOT, "%.0f %%", 100 * r.ratio()),
                    s.nodePeakRssKb() / 1024, s.cassandraPeakRssKb() / 1024, f.loadBefore(),
                    (c != null ? c : s).loadAfter());
        }
        if (o.cdsAb()) {
            stats(o, "without the class-data archive", rounds.stream().filter(r -> !r.cds).toList());
            stats(o, "with the class-data archive", rounds.stream().filter(r -> r.cds).toList());
        } else {
            stats(o, "", rounds);
        }
        for (Round r : rounds) {
            PhaseFigures f = r.collector.first();
            PhaseFigures s = r.collector.steady();
            System.out.printf(Locale.ROOT, "INGEST round=%d cds=%s ready.s=%.2f first.rec/s=%.0f first.node.us=%.2f "
                            + "first.node.nojit.us=%.2f first.cassandra.us=%.2f steady.rec/s=%.0f steady.node.us=%.2f "
                            + "steady.node.nojit.us=%.2f steady.cassandra.us=%.2f steady.cassandra.nojit.us=%.2f "
                            + "ceiling.rec/s=%.0f ceiling.cassandra.us=%.2f ratio=%.3f node.peak.mib=%d "
                            + "cassandra.peak.mib=%d load=%s->%s%n", r.round, r.cds ? "on" : "off", r.readySeconds,
                    f.rate(),
                    f.nodeMicros(), f.nodeMicrosWithoutJit(), f.cassandraMicros(), s.rate(), s.nodeMicros(),
                    s.nodeMicrosWithoutJit(), s.cassandraMicros(), s.cassandraMicrosWithoutJit(),
                    r.ceiling == null ? Double.NaN : r.ceiling.steady().rate(),
                    r.ceiling == null ? Double.NaN : r.ceiling.steady().cassandraMicros(), r.ratio(),
                    s.nodePeakRssKb() / 1024, s.cassandraPeakRssKb() / 1024, f.loadBefore().replace(' ', '/'),
                    (r.ceiling != null ? r.ceiling.steady() : s).loadAfter().replace(' ', '/'));
        }
    }

    private static void stats(IngestOptions o, String which, List<Round> rounds) {
        System.out.println();
        System.out.println("min / median / max over " + rounds.size() + " round(s)" + (which.isEmpty() ? "" : " "
                + which) + ":");
        stat(rounds, "node ready (s)", r -> r.readySeconds);
        stat(rounds, "first contact records/s", r -> r.collector.first().rate());
        stat(rounds, "first contact node CPU-s per 100 k", r -> r.collector.first().nodeMicros() / 10);
        stat(rounds, "first contact node CPU-s per 100 k without JIT", r -> r.collector.first().nodeMicrosWithoutJit()
                / 10);
        stat(rounds, "first contact Cassandra CPU-s per 100 k", r -> r.collector.first().cassandraMicros() / 10);
        stat(rounds, "steady records/s", r -> r.collector.steady().rate());
        stat(rounds, "steady node µs per record", r -> r.collector.steady().nodeMicros());
        stat(rounds, "steady node µs per record without JIT", r -> r.collector.steady().nodeMicrosWithoutJit());
        stat(rounds, "steady Cassandra µs per record", r -> r.collector.steady().cassandraMicros());
        stat(rounds, "steady Cassandra µs per record without JIT", r -> r.collector.steady()
                .cassandraMicrosWithoutJit());
        stat(rounds, "steady simulator µs per record", r -> r.collector.steady().benchMicros());
        stat(rounds, "node peak RSS (MiB)", r -> r.collector.steady().nodePeakRssKb() / 1024.0);
        stat(rounds, "Cassandra peak RSS (MiB)", r -> r.collector.steady().cassandraPeakRssKb() / 1024.0);
        if (o.ceiling()) {
            stat(rounds, "ceiling records/s", r -> r.ceiling.steady().rate());
            stat(rounds, "ceiling Cassandra µs per record", r -> r.ceiling.steady().cassandraMicros());
            stat(rounds, "ceiling driver (bench JVM) µs per record", r -> r.ceiling.steady().benchMicros());
            stat(rounds, "collector / ceiling (steady)", Round::ratio);
        }
    }

    private static void stat(List<Round> rounds, String what, ToDoubleFunction<Round> f) {
        double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        System.out.printf(Locale.ROOT, "  %-50s %s / %s / %s%n", what, fmt(v[0]), fmt(median),
                fmt(v[v.length - 1]));
    }

    private static String fmt(double d) {
        return Math.abs(d) >= 1000 ? String.format(Locale.ROOT, "%,.0f", d) : String.format(Locale.ROOT, "%.2f", d);
    }
}
