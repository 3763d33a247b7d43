package io.ipdrsp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One pass of each benchmark body, so a broken stream or setup fails the build instead of a benchmark run. */
class ProtocolCodecBenchmarkTest {
    @Test
    void everyBenchmarkWalksTheWholeStreamWithoutError() throws Exception {
        for (String kind : new String[] {"heap", "direct"}) {
            ProtocolCodecBenchmark b = new ProtocolCodecBenchmark();
            b.buffer = kind;
            b.setUp();
            try {
                assertThat(b.framing()).isPositive();
                long decoded = b.decode();
                long both = b.frameAndDecode();
                // frameAndDecode adds each DSN (0..4095) to the same per-record checksums decode sums
                assertThat(both - decoded).isEqualTo(4095L * 4096 / 2);
            } finally {
                b.tearDown();
            }
        }
    }
}
