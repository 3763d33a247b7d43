package io.ipdrsp.bench;

import java.util.Locale;

/**
 * What one measured stretch of an ingest run cost: records made durable (acknowledged by the node, or stored by the
 * ceiling's writer) over wall time, CPU of the node, Cassandra and the bench JVM (the simulator, or the ceiling's
 * driver) with and without their JIT compiler threads, memory, and the load average around it.
 */
record PhaseFigures(String phase, long records, double seconds, long nodeCpuNs, long nodeJitNs, long cassandraCpuNs,
                    long cassandraJitNs, long benchCpuNs, long benchJitNs, long nodeRssKb, long nodePeakRssKb,
                    long cassandraRssKb, long cassandraPeakRssKb, String loadBefore, String loadAfter) {

    /** One instant of the processes a phase runs on; {@code done} is the records made durable so far. */
    record Instant(long nanos, long done, ProcessUsage node, ProcessUsage cassandra, ProcessUsage bench,
                   String load) {
        /** {@code nodePid} ≤ 0: no node (the ceiling). */
        static Instant take(long done, long nodePid, long cassandraPid) {
            return new Instant(System.nanoTime(), done, nodePid > 0 ? ProcessUsage.of(nodePid) : null,
                    ProcessUsage.of(cassandraPid), ProcessUsage.self(), CpuSample.loadAverage());
        }
    }

    static PhaseFigures between(String phase, Instant a, Instant b) {
        boolean node = a.node != null && b.node != null;
        return new PhaseFigures(phase, b.done - a.done, (b.nanos - a.nanos) / 1e9,
                node ? b.node.cpuSince(a.node) : 0, node ? b.node.jitSince(a.node) : 0,
                b.cassandra.cpuSince(a.cassandra), b.cassandra.jitSince(a.cassandra), b.bench.cpuSince(a.bench),
                b.bench.jitSince(a.bench), node ? b.node.rssKb() : 0, node ? b.node.peakRssKb() : 0,
                b.cassandra.rssKb(), b.cassandra.peakRssKb(), a.load, b.load);
    }

    double rate() {
        return records / seconds;
    }

    /** CPU seconds per 100 000 records. */
    static double per100k(long ns, long records) {
        return records == 0 ? Double.NaN : ns / 1e9 * 100_000 / records;
    }

    /** µs of CPU per record. */
    static double micros(long ns, long records) {
        return records == 0 ? Double.NaN : ns / 1e3 / records;
    }

    double nodeMicros() {
        return micros(nodeCpuNs, records);
    }

    double nodeMicrosWithoutJit() {
        return micros(nodeCpuNs - nodeJitNs, records);
    }

    double cassandraMicros() {
        return micros(cassandraCpuNs, records);
    }

    double cassandraMicrosWithoutJit() {
        return micros(cassandraCpuNs - cassandraJitNs, records);
    }

    double benchMicros() {
        return micros(benchCpuNs, records);
    }

    /** The phase as printed: rate, CPU-s per 100 k records (µs per record) with/without JIT, memory, load. */
    String describe() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s: %,d records in %.2f s = %,.0f records/s",
                phase, records, seconds, rate()));
        if (nodeCpuNs > 0) {
            b.append(String.format(Locale.ROOT, "; node %.2f CPU-s per 100 k (%.1f µs/record), without JIT %.2f "
                            + "(%.1f µs)", per100k(nodeCpuNs, records), nodeMicros(),
                    per100k(nodeCpuNs - nodeJitNs, records), nodeMicrosWithoutJit()));
        }
        b.append(String.format(Locale.ROOT, "; Cassandra %.2f CPU-s per 100 k (%.1f µs/record), without JIT %.2f "
                        + "(%.1f µs); bench JVM (%s) %.1f µs/record", per100k(cassandraCpuNs, records),
                cassandraMicros(), per100k(cassandraCpuNs - cassandraJitNs, records), cassandraMicrosWithoutJit(),
                nodeCpuNs > 0 ? "simulator" : "driver", benchMicros()));
        if (nodePeakRssKb > 0) {
            b.append(String.format(Locale.ROOT, "; node RSS %d MiB (peak %d MiB)", nodeRssKb / 1024,
                    nodePeakRssKb / 1024));
        }
        b.append(String.format(Locale.ROOT, "; Cassandra RSS %d MiB (peak %d MiB); load average %s -> %s",
                cassandraRssKb / 1024, cassandraPeakRssKb / 1024, loadBefore, loadAfter));
        return b.toString();
    }
}
