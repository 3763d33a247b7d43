package io.ipdrsp.bench;

import io.ipdrsp.simulator.AckLatency;

/**
 * {@code nodeCpus}: cores per node over the measured window (node 1 first); {@code carrying}: how many of them
 * (from node 1 on) carry records, the rest are idle members; {@code loadBefore}: load average at the start of
 * the measured window, {@code load} at its end.
 */
record LoadResult(String mode, double ackedPerSecond, long ackedInWindow, Latency latency, double nodeCpu,
              double cassandraCpuCollector, double simulatorCpu, double ceilingPerSecond,
              double cassandraCpuCeiling, double bytesPerRecord, String load, double[] nodeCpus, int carrying,
              String loadBefore, String takeover, double[] jitCpus) {
    /** CPU of the nodes carrying records, in cores. */
    double carryingCpu() {
        double c = 0;
        for (int i = 0; i < carrying; i++) {
            c += nodeCpus[i];
        }
        return c;
    }

    /** CPU of the members that carry no records, in cores. */
    double idleCpu() {
        return nodeCpu - carryingCpu();
    }

    /** CPU of the JIT compiler threads of the members that carry no records, in cores. */
    double idleJit() {
        double jit = 0;
        for (int i = carrying; i < jitCpus.length; i++) {
            jit += jitCpus[i];
        }
        return jit;
    }

    /** CPU µs of the nodes carrying records per acknowledged record. */
    double carryingMicrosPerRecord() {
        return ackedPerSecond == 0 ? Double.NaN : carryingCpu() * 1e6 / ackedPerSecond;
    }

    /** As {@link #carryingMicrosPerRecord()} without the CPU of their JIT compiler threads. */
    double carryingMicrosPerRecordWithoutJit() {
        double jit = 0;
        for (int i = 0; i < carrying; i++) {
            jit += jitCpus[i];
        }
        return ackedPerSecond == 0 ? Double.NaN : (carryingCpu() - jit) * 1e6 / ackedPerSecond;
    }

    /** CPU µs of every node per acknowledged record. */
    double allMicrosPerRecord() {
        return ackedPerSecond == 0 ? Double.NaN : nodeCpu * 1e6 / ackedPerSecond;
    }

    /**
     * Ack latency percentiles of the measured window, taken at its end (the fleet keeps running through the
     * takeover of a 3-node run, whose records must not count).
     */
    /** Ack latency percentiles of the measured window. */
    record Latency(long p50, long p90, long p99, long max, String text) {
        static Latency of(AckLatency live) {
            return new Latency(live.percentileMicros(50), live.percentileMicros(90), live.percentileMicros(99),
                    live.maxMicros(), live.toString());
        }

        long percentileMicros(int percent) {
            return switch (percent) {
                case 50 -> p50;
                case 90 -> p90;
                case 99 -> p99;
                default -> throw new IllegalArgumentException("p" + percent);
            };
        }

        long maxMicros() {
            return max;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    // ------------------------------------------------------------------ ceiling
}
