package io.ipdrsp.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Process CPU time (ns) of the nodes (summed, and each), Cassandra and this JVM at one instant. */
record CpuSample(long node, long cassandra, long self, long[] nodes,
                   List<java.util.Map<Long, Long>> jit) {
    static CpuSample sample(long nodePid, long cassandraPid) {
        return sample(new long[] {nodePid}, cassandraPid);
    }

    /** The nodes' CPU summed. */
    static CpuSample sample(long[] nodePids, long cassandraPid) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long[] each = new long[nodePids.length];
        List<java.util.Map<Long, Long>> jit = new ArrayList<>();
        long nodes = 0;
        for (int i = 0; i < nodePids.length; i++) {
            each[i] = procCpu(nodePids[i]);
            jit.add(jitThreads(nodePids[i]));
            nodes += each[i];
        }
        return new CpuSample(nodes, procCpu(cassandraPid), os.getProcessCpuTime(), each, jit);
    }

    double node(int i, CpuSample before, double seconds) {
        return (nodes[i] - before.nodes[i]) / 1e9 / seconds;
    }

    /**
     * CPU of node i's JIT compiler threads over the interval, in cores (a lower bound: a compiler thread that
     * ended within the interval is not counted). On a starved machine the JIT is still busy long after a short
     * warm-up; it is no part of the per-record cost.
     */
    double jit(int i, CpuSample before, double seconds) {
        long ns = 0;
        for (var e : jit.get(i).entrySet()) {
            ns += e.getValue() - before.jit.get(i).getOrDefault(e.getKey(), 0L);
        }
        return ns / 1e9 / seconds;
    }

    /** CPU (ns) per thread id of the JVM's JIT compiler threads ("C1/C2 CompilerThreadN"). */
    static java.util.Map<Long, Long> jitThreads(long pid) {
        java.util.Map<Long, Long> out = new java.util.HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String comm = Files.readString(t.resolve("comm")).trim();
                    if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
                        out.put(Long.parseLong(t.getFileName().toString()), statCpu(t.resolve("stat")));
                    }
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: no JIT figure
        }
        return out;
    }

    double node(CpuSample before, double seconds) {
        return (node - before.node) / 1e9 / seconds;
    }

    double cassandra(CpuSample before, double seconds) {
        return (cassandra - before.cassandra) / 1e9 / seconds;
    }

    double self(CpuSample before, double seconds) {
        return (self - before.self) / 1e9 / seconds;
    }

    /** utime + stime of /proc/PID/stat (fields 14 and 15), in ns; 0 if unreadable. */
    static long procCpu(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            return statCpu(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** utime + stime of a /proc stat file (process or task), in ns. */
    static long statCpu(Path stat) throws IOException {
        String s = Files.readString(stat);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * (1_000_000_000L / CLK_TCK);
    }

    private static final long CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat counts in these

    /** The load average (1, 5, 15 min) of this machine, or "?". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }
}
