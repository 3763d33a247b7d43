package io.ipdrsp.dedup;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of {@link RecordDeduplicator}.
 *
 * @param flushInterval      the longest durable sequence numbers wait per document before one entry-processor call
 *                           adds them to the cluster's range set (the only Hazelcast traffic of the record path)
 * @param publishBatch       a document's pending numbers are published as soon as this many have accumulated (or
 *                           twice what its recent publishes carried, if less), before {@code flushInterval} is up: it
 *                           bounds, in records, how far the cluster's view of a busy document may lag behind what is
 *                           stored, which a takeover adds to the window of records read back
 * @param continuationWindow when a document is opened that already has stored records (a takeover or a reconnect),
 *                           records up to {@code known max + continuationWindow} are read back after their write even
 *                           without the D flag: a node that died before publishing them may have stored them (with
 *                           other bytes, or as an earlier receipt); plus two publish batches when the known numbers
 *                           came from Hazelcast (a view rebuilt from Cassandra has no publish lag). A batch is
 *                           {@code publishBatch}, or twice what the document's recent publishes carried if that is
 *                           less. At least the exporter's window of unacknowledged records.
 * @param verifyDelay        how long after its write a record that may exist elsewhere is read back (longer than the
 *                           old primary's write timeout and the cross-site replication delay, so the other version or
 *                           receipt has landed); zero: at once
 * @param serialConsistency  of the lightweight transaction that records a conflict's alarm once: SERIAL when the
 *                           collectors of one CMTS span sites (one alarm across them), LOCAL_SERIAL otherwise
 */
public record DedupSettings(Duration flushInterval, int publishBatch, long continuationWindow, Duration verifyDelay,
        DefaultConsistencyLevel serialConsistency) {
    public DedupSettings {
        if (flushInterval.isNegative() || flushInterval.isZero() || flushInterval.toMillis() > 10_000) {
            throw new IllegalArgumentException("flushInterval must be within (0, 10 s]: " + flushInterval);
        }
        if (publishBatch < 1) {
            throw new IllegalArgumentException("publishBatch must be >= 1: " + publishBatch);
        }
        if (continuationWindow < 0) {
            throw new IllegalArgumentException("continuationWindow must be >= 0");
        }
        Objects.requireNonNull(verifyDelay, "verifyDelay");
        if (verifyDelay.isNegative()) {
            throw new IllegalArgumentException("verifyDelay must be >= 0: " + verifyDelay);
        }
        if (serialConsistency != DefaultConsistencyLevel.SERIAL
                && serialConsistency != DefaultConsistencyLevel.LOCAL_SERIAL) {
            throw new IllegalArgumentException("serialConsistency must be SERIAL or LOCAL_SERIAL: " + serialConsistency);
        }
    }

    /** With LOCAL_SERIAL conflict alarms (one site). */
    public DedupSettings(Duration flushInterval, int publishBatch, long continuationWindow, Duration verifyDelay) {
        this(flushInterval, publishBatch, continuationWindow, verifyDelay, DefaultConsistencyLevel.LOCAL_SERIAL);
    }

    /**
     * Publishes once a second or every 2 000 records per document, a 10 000-record continuation window, read-back
     * after 15 s, LOCAL_SERIAL. A publish costs the same few hundred µs of cluster CPU (remote call, the owner's and the
     * backup's update) whether it carries 10 or 2 000 numbers, so the shared-state path costs at most one publish per
     * 2 000 records of a busy document (docs/performance.md "Cluster"). The lag costs no correctness: after a takeover
     * the lagging numbers fall inside the window of records read back.
     */
    public static DedupSettings defaults() {
        return new DedupSettings(Duration.ofSeconds(1), 2_000, 10_000, Duration.ofSeconds(15));
    }

    public DedupSettings withVerifyDelay(Duration d) {
        return new DedupSettings(flushInterval, publishBatch, continuationWindow, d, serialConsistency);
    }

    /** The node passes {@code audit.serialConsistency}: SERIAL when a CMTS's collectors span sites. */
    public DedupSettings withSerialConsistency(DefaultConsistencyLevel serial) {
        return new DedupSettings(flushInterval, publishBatch, continuationWindow, verifyDelay, serial);
    }
}
