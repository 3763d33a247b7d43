package io.ipdrsp.dedup;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of {@link RecordDeduplicator}.
 *
 * @param flushInterval      how long durable sequence numbers accumulate per document before one entry-processor
 *                           call adds them to the cluster's range set (the only Hazelcast traffic of the record path)
 * @param continuationWindow when a document is opened that already has stored records (a takeover or a reconnect),
 *                           records up to {@code known max + continuationWindow} are read before they are written
 *                           even without the D flag: they may have been stored by a node that died before it
 *                           published them. At least the exporter's window of unacknowledged records.
 * @param verifyDelay        a record stored after its check found it absent is read back after this delay (longer
 *                           than the old primary's write timeout and the cross-site replication delay) to catch a
 *                           write of the same key the check could not see; zero: no read-back
 */
public record DedupSettings(Duration flushInterval, long continuationWindow, Duration verifyDelay) {
    public DedupSettings {
        if (flushInterval.isNegative() || flushInterval.isZero() || flushInterval.toMillis() > 1000) {
            throw new IllegalArgumentException("flushInterval must be within (0, 1 s]: " + flushInterval);
        }
        if (continuationWindow < 0) {
            throw new IllegalArgumentException("continuationWindow must be >= 0");
        }
        Objects.requireNonNull(verifyDelay, "verifyDelay");
        if (verifyDelay.isNegative()) {
            throw new IllegalArgumentException("verifyDelay must be >= 0: " + verifyDelay);
        }
    }

    /**
     * 100 ms flushes, a 10 000-record continuation window, read-back after 15 s. The flush interval sets how many
     * publishes a document costs (at most 10/s, whatever its rate: the shared-state path's cost per record falls as
     * the rate rises) against how stale the cluster's view may be; staleness costs no correctness, because records
     * of a taken-over document within the continuation window are read before they are written anyway.
     */
    public static DedupSettings defaults() {
        return new DedupSettings(Duration.ofMillis(100), 10_000, Duration.ofSeconds(15));
    }

    public DedupSettings withVerifyDelay(Duration d) {
        return new DedupSettings(flushInterval, continuationWindow, d);
    }
}
