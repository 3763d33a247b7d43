package io.ipdrsp.dedup;

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
 *                           stored, which a takeover adds to the suspect window
 * @param continuationWindow when a document is opened that already has stored records (a takeover or a reconnect),
 *                           records up to {@code known max + continuationWindow} are read before they are written
 *                           even without the D flag: they may have been stored by a node that died before it
 *                           published them; plus two publish batches when the known numbers came from Hazelcast (a
 *                           view rebuilt from Cassandra has no publish lag). A batch is {@code publishBatch}, or twice
 *                           what the document's recent publishes carried if that is less (a slow stream's batches are
 *                           small). At least the exporter's window of unacknowledged records.
 * @param verifyDelay        a record stored after its check found it absent is read back after this delay (longer
 *                           than the old primary's write timeout and the cross-site replication delay) to catch a
 *                           write of the same key the check could not see; zero: no read-back
 */
public record DedupSettings(Duration flushInterval, int publishBatch, long continuationWindow, Duration verifyDelay) {
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
    }

    /**
     * Publishes once a second or every 2 000 records per document, a 10 000-record continuation window, read-back
     * after 15 s. A publish costs the same few hundred µs of cluster CPU (remote call, the owner's and the backup's
     * update) whether it carries 10 or 2 000 numbers, so the shared-state path costs at most one publish per 2 000
     * records of a busy document (docs/performance.md "Cluster"). The lag costs no correctness: after a takeover the
     * lagging numbers fall inside the suspect window and are read before they are written.
     */
    public static DedupSettings defaults() {
        return new DedupSettings(Duration.ofSeconds(1), 2_000, 10_000, Duration.ofSeconds(15));
    }

    public DedupSettings withVerifyDelay(Duration d) {
        return new DedupSettings(flushInterval, publishBatch, continuationWindow, d);
    }
}
