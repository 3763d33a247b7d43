package io.ipdrsp.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One process at one instant, from {@code /proc}: CPU time (utime + stime), the CPU time of each of its JIT compiler
 * threads, resident memory now and at its peak (VmRSS, VmHWM). Two snapshots give a phase's CPU with and without the
 * JIT ({@link #cpuSince}, {@link #jitSince}).
 */
record ProcessUsage(long pid, long cpuNs, Map<Long, Long> jitNs, long rssKb, long peakRssKb) {
    /** A snapshot of {@code pid}; zeros when it is gone or not readable. */
    static ProcessUsage of(long pid) {
        long rss = 0;
        long peak = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kilobytes(line);
                } else if (line.startsWith("VmHWM:")) {
                    peak = kilobytes(line);
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the process ended: no memory figure
        }
        return new ProcessUsage(pid, CpuSample.procCpu(pid), CpuSample.jitThreads(pid), rss, peak);
    }

    /** This JVM. */
    static ProcessUsage self() {
        return of(ProcessHandle.current().pid());
    }

    /** CPU ns used since {@code before}. */
    long cpuSince(ProcessUsage before) {
        return cpuNs - before.cpuNs;
    }

    /**
     * CPU ns of the JIT compiler threads since {@code before}: a lower bound, as a compiler thread that ended in
     * between is not counted (HotSpot starts and stops C2 threads with the load).
     */
    long jitSince(ProcessUsage before) {
        long ns = 0;
        for (var e : jitNs.entrySet()) {
            ns += e.getValue() - before.jitNs.getOrDefault(e.getKey(), 0L);
        }
        return ns;
    }

    private static long kilobytes(String statusLine) {
        String[] f = statusLine.trim().split("\\s+");
        return Long.parseLong(f[1]);
    }
}
