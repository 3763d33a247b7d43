package io.ipdrsp.dedup.audit;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@link DocumentFinalizer}.
 *
 * @param interval          time between passes over the led exporters' recent documents
 * @param grace             wait after the finalization trigger (SESSION_STOP 0/2/6, reboot, idle) before reading the
 *                          verdict's inputs: lets writes in flight from other nodes and other sites land. Across sites
 *                          it must exceed the cross-site replication delay (or use {@code readConsistency} QUORUM)
 * @param idleTimeout       a document with no segment activity for this long while a newer document has started on
 *                          its session is final (an exporter that never sent SESSION_STOP, e.g. reason 7 or 1 then
 *                          moved on)
 * @param lookback          how far back in {@code documents_by_time} a pass looks for documents to finalize
 * @param recheckAfter      a finalized document is evaluated once more this long after finalization (late writes that
 *                          came without a new segment, e.g. replicated from another site); then only on new segments
 * @param readConsistency   consistency of the finalization reads; null = the storage's read consistency
 * @param serialConsistency the fence and verdict lightweight transactions (SERIAL across sites, LOCAL_SERIAL in one)
 * @param startsAtZero      a document's expected range starts at DSN 0 (SP 2.1 §2.5)
 * @param parallelism       exporters whose passes run at the same time (each pass is sequential within its exporter;
 *                          each worker holds one Cassandra request at a time)
 */
public record FinalizerSettings(Duration interval, Duration grace, Duration idleTimeout, Duration lookback,
        Duration recheckAfter, DefaultConsistencyLevel readConsistency, DefaultConsistencyLevel serialConsistency,
        boolean startsAtZero, int parallelism) {
    /**
     * Parallel exporter passes by default. 32 was tried against a fleet (docs/performance.md "Fleet"): faster bursts
     * at 100 CMTSes, no gain at 1,000 where the two cores were saturated, so the default stays until an A B A B run
     * shows otherwise.
     */
    public static final int DEFAULT_PARALLELISM = 8;

    /** As the canonical constructor with {@link #DEFAULT_PARALLELISM}. */
    public FinalizerSettings(Duration interval, Duration grace, Duration idleTimeout, Duration lookback,
            Duration recheckAfter, DefaultConsistencyLevel readConsistency, DefaultConsistencyLevel serialConsistency,
            boolean startsAtZero) {
        this(interval, grace, idleTimeout, lookback, recheckAfter, readConsistency, serialConsistency, startsAtZero,
                DEFAULT_PARALLELISM);
    }

    public FinalizerSettings {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(lookback, "lookback");
        Objects.requireNonNull(recheckAfter, "recheckAfter");
        Objects.requireNonNull(serialConsistency, "serialConsistency");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive");
        }
        if (parallelism < 1 || parallelism > 64) {
            throw new IllegalArgumentException("parallelism must be 1..64: " + parallelism);
        }
    }

    /** 10 s passes, 30 s grace, 15 min idle, 7 days look-back, re-check after 5 min, LOCAL_SERIAL, from DSN 0. */
    public static FinalizerSettings defaults() {
        return new FinalizerSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(15),
                Duration.ofDays(7), Duration.ofMinutes(5), null, DefaultConsistencyLevel.LOCAL_SERIAL, true);
    }

    public FinalizerSettings withInterval(Duration d) {
        return new FinalizerSettings(d, grace, idleTimeout, lookback, recheckAfter, readConsistency,
                serialConsistency, startsAtZero, parallelism);
    }

    public FinalizerSettings withGrace(Duration d) {
        return new FinalizerSettings(interval, d, idleTimeout, lookback, recheckAfter, readConsistency,
                serialConsistency, startsAtZero, parallelism);
    }

    public FinalizerSettings withIdleTimeout(Duration d) {
        return new FinalizerSettings(interval, grace, d, lookback, recheckAfter, readConsistency, serialConsistency,
                startsAtZero, parallelism);
    }

    public FinalizerSettings withRecheckAfter(Duration d) {
        return new FinalizerSettings(interval, grace, idleTimeout, lookback, d, readConsistency, serialConsistency,
                startsAtZero, parallelism);
    }

    public FinalizerSettings withConsistency(DefaultConsistencyLevel read, DefaultConsistencyLevel serial) {
        return new FinalizerSettings(interval, grace, idleTimeout, lookback, recheckAfter, read, serial,
                startsAtZero, parallelism);
    }

    public FinalizerSettings withParallelism(int n) {
        return new FinalizerSettings(interval, grace, idleTimeout, lookback, recheckAfter, readConsistency,
                serialConsistency, startsAtZero, n);
    }
}
