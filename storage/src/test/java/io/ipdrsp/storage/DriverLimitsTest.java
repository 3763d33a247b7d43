package io.ipdrsp.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.RequestThrottlingException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The driver's pool and throttler are what {@link DriverLimits} says: a burst waits, it does not fail. */
class DriverLimitsTest {
    private static final int BURST = 2_000;

    /** Fires {@link #BURST} segment writes at once (what a fleet's SESSION_STARTs do) and counts the failures. */
    private static List<Throwable> burst(DriverLimits limits) throws Exception {
        StorageConfig config = CassandraTestSupport.config("it_driver").withDriver(limits);
        List<Throwable> failures = new ArrayList<>();
        try (CassandraStorage s = CassandraStorage.open(config)) {
            RecordKey doc = CassandraTestSupport.newDocument("cmts-burst");
            Instant t = Instant.now();
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                writes.add(s.saveSegment(new Segment(doc, t.plusMillis(i), "node-1", true, 0, 0, 60, 100, null, null,
                        null)).toCompletableFuture());
            }
            for (CompletableFuture<Void> w : writes) {
                try {
                    w.get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
            if (failures.isEmpty()) {
                assertThat(s.segments(doc)).hasSize(BURST);
            }
        }
        return failures;
    }

    @Test
    void aBurstBeyondTheConcurrencyLimitWaitsInTheThrottlersQueue() throws Exception {
        assertThat(burst(new DriverLimits(1, 1, 256, 64, 10_000))).isEmpty();
    }

    @Test
    void theThrottlerIsInForceWhenItsQueueIsFull() throws Exception {
        List<Throwable> failures = burst(new DriverLimits(1, 1, 256, 8, 0));
        assertThat(failures).isNotEmpty().allSatisfy(e -> assertThat(e).isInstanceOf(RequestThrottlingException.class));
    }

    @Test
    void aThrottlerAboveThePoolIsRefusedWithTheFix() {
        assertThatThrownBy(() -> new DriverLimits(1, 1, 512, 1024, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConcurrentRequests (1024)").hasMessageContaining("raise the pool");
    }

    /** Timeouts fire on the driver timer's ticks: a 1 ms timeout must not wait for a 100 ms tick. */
    @Test
    void theTimerTicksATenthOfTheRequestTimeoutWithinOneTo100Milliseconds() {
        assertThat(CassandraStorage.timerTick(Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(1));
        assertThat(CassandraStorage.timerTick(Duration.ofMillis(500))).isEqualTo(Duration.ofMillis(50));
        assertThat(CassandraStorage.timerTick(Duration.ofSeconds(10))).isEqualTo(Duration.ofMillis(100));
    }
}
