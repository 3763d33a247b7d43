package io.ipdrsp.dedup;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of {@link RecordDeduplicator}.
 *
 * @param flushInterval      how long durable sequence numbers accumulate per document before one entry-processor
 *                           call adds them to the cluster's range set (the only Hazelcast traffic of the record path)
 * @param continuationWindow when a document is opened that already has stored records (a takeover or a reconnect),
 *                           records up to {@code known max + continuationWindow} take the conditional path even
 *                           without the D flag: they may have been stored by a node that died before it published
 *                           them. At least the exporter's window of unacknowledged records.
 * @param verifyDelay        a record stored by the conditional path in a continued document is read back after this
 *                           delay (longer than the old primary's write timeout) to catch a late plain write of the
 *                           same key with different bytes
 * @param serialConsistency  SERIAL (several sites share the keyspace: Paxos across data centers) or LOCAL_SERIAL
 *                           (single site)
 */
public record DedupSettings(Duration flushInterval, long continuationWindow, Duration verifyDelay,
                            DefaultConsistencyLevel serialConsistency) {
    public DedupSettings {
        if (flushInterval.isNegative() || flushInterval.isZero() || flushInterval.toMillis() > 1000) {
            throw new IllegalArgumentException("flushInterval must be within (0, 1 s]: " + flushInterval);
        }
        if (continuationWindow < 0) {
            throw new IllegalArgumentException("continuationWindow must be >= 0");
        }
        Objects.requireNonNull(verifyDelay, "verifyDelay");
        Objects.requireNonNull(serialConsistency, "serialConsistency");
    }

    /** 5 ms flushes, a 10 000-record continuation window, verification after 15 s, SERIAL. */
    public static DedupSettings defaults() {
        return new DedupSettings(Duration.ofMillis(5), 10_000, Duration.ofSeconds(15), DefaultConsistencyLevel.SERIAL);
    }

    public DedupSettings withVerifyDelay(Duration d) {
        return new DedupSettings(flushInterval, continuationWindow, d, serialConsistency);
    }

    public DedupSettings withSerialConsistency(DefaultConsistencyLevel c) {
        return new DedupSettings(flushInterval, continuationWindow, verifyDelay, c);
    }
}
