package io.ipdrsp.dedup;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Plain counters of the dedup path, for the node to export. Thread-safe, monotonic unless stated. */
public final class DedupMetrics {
    final LongAdder plainWrites = new LongAdder();
    final LongAdder checkedWrites = new LongAdder();
    final LongAdder checkedAbsent = new LongAdder();
    final LongAdder duplicatesFlagged = new LongAdder();
    final LongAdder duplicatesUnflagged = new LongAdder();
    final LongAdder lateDuplicates = new LongAdder();
    final LongAdder integrityAlarms = new LongAdder();
    final LongAdder failoversObserved = new LongAdder();
    final LongAdder takeovers = new LongAdder();
    final LongAdder takeoverMillisTotal = new LongAdder();
    final AtomicLong takeoverMillisMax = new AtomicLong();
    final AtomicLong lastTakeoverMillis = new AtomicLong(-1);
    final LongAdder rangeFlushes = new LongAdder();
    final LongAdder rangeFlushFailures = new LongAdder();
    final LongAdder rebuilds = new LongAdder();
    /** Told each takeover time as it is measured (a histogram/timer in the node); set once at start. */
    private volatile java.util.function.LongConsumer takeoverListener = ms -> { };

    /** Records written on the plain batched path (classified NEW). */
    public long plainWrites() {
        return plainWrites.sum();
    }

    /** Records classified SUSPECT: their stored row was read before anything was written. */
    public long checkedWrites() {
        return checkedWrites.sum();
    }

    /** Of the checked records, those found absent and then written (plain batched write). */
    public long checkedAbsent() {
        return checkedAbsent.sum();
    }

    /** Duplicates (same bytes already stored) that carried the D flag. */
    public long duplicatesFlagged() {
        return duplicatesFlagged.sum();
    }

    /** Duplicates without the D flag (e.g. the last resent record, which real exporters send unflagged). */
    public long duplicatesUnflagged() {
        return duplicatesUnflagged.sum();
    }

    /** Of all duplicates, those found only after a plain write (rewritten with the same bytes, found on publish). */
    public long lateDuplicates() {
        return lateDuplicates.sum();
    }

    /** Duplicates whose bytes differ from the stored record. */
    public long integrityAlarms() {
        return integrityAlarms.sum();
    }

    /** SESSION_STARTs as primary for a session whose previous primary was another node. */
    public long failoversObserved() {
        return failoversObserved.sum();
    }

    /** Takeovers measured (failover SESSION_START → first durable record on this node). */
    public long takeovers() {
        return takeovers.sum();
    }

    public long takeoverMillisTotal() {
        return takeoverMillisTotal.sum();
    }

    public long takeoverMillisMax() {
        return takeoverMillisMax.get();
    }

    /** The most recent takeover time, -1 if none (a gauge). */
    public long lastTakeoverMillis() {
        return lastTakeoverMillis.get();
    }

    /** Entry-processor calls that published durable ranges, and those that failed (retried later). */
    public long rangeFlushes() {
        return rangeFlushes.sum();
    }

    public long rangeFlushFailures() {
        return rangeFlushFailures.sum();
    }

    /** Documents whose range set was rebuilt from Cassandra. */
    public long rebuilds() {
        return rebuilds.sum();
    }

    /** Receives every takeover time (ms) from now on, on a driver thread; must not block. */
    public void onTakeover(java.util.function.LongConsumer listener) {
        takeoverListener = java.util.Objects.requireNonNull(listener, "listener");
    }

    void takeover(long millis) {
        takeoverListener.accept(millis);
        takeovers.increment();
        takeoverMillisTotal.add(millis);
        takeoverMillisMax.accumulateAndGet(millis, Math::max);
        lastTakeoverMillis.set(millis);
    }
}
