package io.ipdrsp.dedup;

import io.ipdrsp.storage.FailureLog;
import io.ipdrsp.storage.Receipt;
import io.ipdrsp.storage.RecordReader;
import io.ipdrsp.storage.StoredRecord;
import io.ipdrsp.storage.VersionConflict;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Read-backs: a record that may exist elsewhere (see {@link DocumentState}) is read {@code verifyDelay} after its write,
 * every version of its number at once (batched per partition by {@link RecordReader}), never before the write and
 * never on the ack path. More than one version: the conflict's alarm ({@link ConflictAlarm}, once in the cluster).
 * This node's version found with an earlier receipt: a re-send (counted here, on the stretch and node-wide). Found as
 * the first receipt below the stretch's firstRecordSequenceNumber: a first send, counted apart. A failed read-back
 * loses nothing: the record is stored and the finalizer compares its versions again.
 */
final class VersionCheck {
    private static final Logger LOG = LoggerFactory.getLogger(VersionCheck.class);

    private final RecordReader reader;
    private final ScheduledExecutorService scheduler;
    private final long delayMillis;
    private final DedupMetrics metrics;
    private final ConflictAlarm alarm;
    private final String nodeId;
    private final FailureLog failures = new FailureLog(LOG, Level.WARN, "read-backs", Duration.ofSeconds(10));

    VersionCheck(RecordReader reader, ScheduledExecutorService scheduler, Duration delay, DedupMetrics metrics,
            ConflictAlarm alarm, String nodeId) {
        this.reader = reader;
        this.scheduler = scheduler;
        this.delayMillis = delay.toMillis();
        this.metrics = metrics;
        this.alarm = alarm;
        this.nodeId = nodeId;
    }

    /**
     * Reads {@code seq} back later. {@code h}: the stretch that wrote it, or null for a number this node wrote that
     * another node published too (found on publish; then any receipt of this node is ours). {@code counted}: already
     * counted as a re-send (the view held it), so only versions are compared.
     */
    void schedule(DocumentState doc, DocumentHandle h, long seq, boolean dupFlag, boolean counted) {
        try {
            scheduler.schedule(() -> run(doc, h, seq, dupFlag, counted), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // closing: the record is stored; the finalizer compares its versions
        }
    }

    private void run(DocumentState doc, DocumentHandle h, long seq, boolean dupFlag, boolean counted) {
        reader.readVersions(doc.key, seq).whenComplete((versions, e) -> {
            if (e != null) {
                metrics.readBackFailures.increment();
                metrics.readBacks.increment();
                failures.failure(doc.key + " seq " + seq, e);
                return;
            }
            failures.success();
            metrics.recordReads.add(versions.size());
            if (!counted) {
                count(h, seq, dupFlag, versions);
            }
            if (versions.size() > 1) {
                alarm.raise(new VersionConflict(doc.key, seq, versions), ConflictAlarm.Found.READ_BACK, "read back by " + nodeId
                        + " after its write").whenComplete((raised, error) -> metrics.readBacks.increment());
            } else {
                metrics.readBacks.increment();
            }
        });
    }

    private void count(DocumentHandle h, long seq, boolean dupFlag, List<StoredRecord> versions) {
        for (StoredRecord v : versions) {
            if (!v.receipts().stream().anyMatch(c -> ours(h, Receipt.parse(c).receipt()))) {
                continue;
            }
            if (!ours(h, Receipt.parse(v.receipts().get(0)).receipt())) {
                metrics.resend(dupFlag);
                metrics.lateDuplicates.increment();
                if (h != null) {
                    h.countResend();
                }
            } else if (h != null) {
                metrics.checkedAbsent.increment();
                if (seq < h.firstRecordSeq) {
                    metrics.firstSendsBelowFirst.increment();
                    h.countFirstSendBelowFirst();
                }
            }
            return;
        }
        // our version not visible (a replica that missed the write): nothing to count; the audit counts it exactly
    }

    private boolean ours(DocumentHandle h, Receipt r) {
        return h != null ? h.receipt.equals(r) : r.node().equals(nodeId);
    }
}
