package io.ipdrsp.dedup;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Plain counters of the dedup path, for the node to export. Thread-safe, monotonic unless stated. No record is read
 * before it is written; "checked" records are read back after their write (docs/storage.md "Read-backs").
 */
public final class DedupMetrics {
    final LongAdder plainWrites = new LongAdder();
    final LongAdder checkedWrites = new LongAdder();
    final LongAdder checkedAbsent = new LongAdder();
    final LongAdder duplicatesFlagged = new LongAdder();
    final LongAdder duplicatesUnflagged = new LongAdder();
    final LongAdder lateDuplicates = new LongAdder();
    final LongAdder firstSendsBelowFirst = new LongAdder();
    final LongAdder recordReads = new LongAdder();
    final LongAdder readBackFailures = new LongAdder();
    final LongAdder readBacks = new LongAdder();
    /** exporter → alarms raised here, indexed by {@link ConflictAlarm.Found#ordinal()} (an alarm names its CMTS). */
    private final Map<String, LongAdder[]> integrityAlarms = new ConcurrentHashMap<>();
    final LongAdder conflictsFound = new LongAdder();
    /** exporter → failovers observed (rare events: a map lookup per event is nothing). */
    private final Map<String, LongAdder> failoversObserved = new ConcurrentHashMap<>();
    final LongAdder takeovers = new LongAdder();
    final LongAdder takeoverMillisTotal = new LongAdder();
    final AtomicLong takeoverMillisMax = new AtomicLong();
    final AtomicLong lastTakeoverMillis = new AtomicLong(-1);
    final LongAdder rangeFlushes = new LongAdder();
    final LongAdder rangeFlushFailures = new LongAdder();
    final LongAdder rebuilds = new LongAdder();
    /** Told each takeover time as it is measured (a histogram/timer in the node); set once at start. */
    private volatile java.util.function.LongConsumer takeoverListener = ms -> { };

    /** Records written that need no read-back (no other version or earlier receipt of them is possible). */
    public long plainWrites() {
        return plainWrites.sum();
    }

    /** Records written and then read back: another version or an earlier receipt of them was possible. */
    public long checkedWrites() {
        return checkedWrites.sum();
    }

    /** Of the checked records, those whose read-back found them the first and only receipt: not re-sends. */
    public long checkedAbsent() {
        return checkedAbsent.sum();
    }

    /** Re-sends (the number was already durable: view, another stretch here, or an earlier receipt) with the D flag. */
    public long duplicatesFlagged() {
        return duplicatesFlagged.sum();
    }

    /** Re-sends without the D flag (e.g. the last resent record, which real exporters send unflagged). */
    public long duplicatesUnflagged() {
        return duplicatesUnflagged.sum();
    }

    /** All re-sends this node received: {@link #duplicatesFlagged} + {@link #duplicatesUnflagged}. */
    public long resends() {
        return duplicatesFlagged() + duplicatesUnflagged();
    }

    /** Of the re-sends, those found only by a read-back (the cluster's view did not hold them at write time). */
    public long lateDuplicates() {
        return lateDuplicates.sum();
    }

    /**
     * Records below their stretch's firstRecordSequenceNumber that no node had received before: first sends, not
     * re-sends (e.g. records an exporter held while no collector was up).
     */
    public long firstSendsBelowFirstRecordSequence() {
        return firstSendsBelowFirst.sum();
    }

    /** Record versions read from Cassandra by read-backs (never before a write). */
    public long recordReads() {
        return recordReads.sum();
    }

    /** Read-backs done (one per checked record or overlap), answered or failed. */
    public long readBacks() {
        return readBacks.sum();
    }

    /** Read-backs that failed (the record stays stored; the finalizer still compares its versions). */
    public long readBackFailures() {
        return readBackFailures.sum();
    }

    /** Sequence numbers found stored in differing versions whose alarm this node raised (each raised once). */
    public long integrityAlarms() {
        long n = 0;
        for (LongAdder[] byKind : integrityAlarms.values()) {
            for (LongAdder a : byKind) {
                n += a.sum();
            }
        }
        return n;
    }

    /** {@link #integrityAlarms} per exporter and how the conflict was found; only exporters with an alarm. */
    public Map<String, Map<ConflictAlarm.Found, Long>> integrityAlarmsByExporter() {
        Map<String, Map<ConflictAlarm.Found, Long>> out = new TreeMap<>();
        integrityAlarms.forEach((exporter, byKind) -> {
            Map<ConflictAlarm.Found, Long> counts = new java.util.EnumMap<>(ConflictAlarm.Found.class);
            for (ConflictAlarm.Found f : ConflictAlarm.Found.values()) {
                counts.put(f, byKind[f.ordinal()].sum());
            }
            out.put(exporter, counts);
        });
        return out;
    }

    /**
     * Conflicts this node found and recorded or found recorded already (its alarm raised here or elsewhere): each
     * once per finding, answered by Cassandra.
     */
    public long conflictsFound() {
        return conflictsFound.sum();
    }

    /** SESSION_STARTs as primary for a session whose previous primary was another node. */
    public long failoversObserved() {
        return failoversObserved.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** {@link #failoversObserved} per exporter; only exporters with a failover. */
    public Map<String, Long> failoversByExporter() {
        Map<String, Long> out = new TreeMap<>();
        failoversObserved.forEach((exporter, n) -> out.put(exporter, n.sum()));
        return out;
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

    /** Documents whose range set was rebuilt from Cassandra (one read of its buckets per document, not per record). */
    public long rebuilds() {
        return rebuilds.sum();
    }

    /** Receives every takeover time (ms) from now on, on a driver thread; must not block. */
    public void onTakeover(java.util.function.LongConsumer listener) {
        takeoverListener = java.util.Objects.requireNonNull(listener, "listener");
    }

    void integrityAlarm(String exporter, ConflictAlarm.Found found) {
        integrityAlarms.computeIfAbsent(exporter, e -> {
            LongAdder[] byKind = new LongAdder[ConflictAlarm.Found.values().length];
            java.util.Arrays.setAll(byKind, i -> new LongAdder());
            return byKind;
        })[found.ordinal()].increment();
    }

    void failover(String exporter) {
        failoversObserved.computeIfAbsent(exporter, e -> new LongAdder()).increment();
    }

    void resend(boolean dupFlag) {
        (dupFlag ? duplicatesFlagged : duplicatesUnflagged).increment();
    }

    void takeover(long millis) {
        if (millis < 0) {
            return;
        }
        takeoverListener.accept(millis);
        takeovers.increment();
        takeoverMillisTotal.add(millis);
        takeoverMillisMax.accumulateAndGet(millis, Math::max);
        lastTakeoverMillis.set(millis);
    }
}
