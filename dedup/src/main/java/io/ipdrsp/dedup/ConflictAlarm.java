package io.ipdrsp.dedup;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.FailureLog;
import io.ipdrsp.storage.IntegrityConflict;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.StoredRecord;
import io.ipdrsp.storage.VersionConflict;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Raises the integrity alarm for a sequence number stored in differing versions — exactly once in the cluster, however
 * many nodes (or sites, with SERIAL) find it and however often: the alarm is the {@code record_conflicts} row, written
 * by a lightweight transaction ({@link io.ipdrsp.storage.RecordConflicts#recordConflict}); only the caller whose
 * transaction applied logs it and counts it in {@link DedupMetrics#integrityAlarms()}. Who finds conflicts: dedup's
 * read-backs, seconds after the second version's write, for records that may exist elsewhere; and the finalizer
 * ({@link #checkDocument}) for every document, which catches those nobody expected.
 */
public final class ConflictAlarm {
    private static final Logger LOG = LoggerFactory.getLogger(ConflictAlarm.class);

    private final CassandraStorage storage;
    private final String nodeId;
    private final DefaultConsistencyLevel serial;
    private final DedupMetrics metrics;
    private final FailureLog failures = new FailureLog(LOG, Level.WARN, "recording integrity conflicts",
            Duration.ofSeconds(10));

    /** Who found a conflict: the {@code kind} of its alarm in the metrics ({@link DedupMetrics#integrityAlarms}). */
    public enum Found {
        /** dedup's read-back, seconds after the second version's write */
        READ_BACK("read_back"),
        /** a scan of every record of a document ({@link #checkDocument}) */
        DOCUMENT_CHECK("document_check");

        private final String label;

        Found(String label) {
            this.label = label;
        }

        /** The metric label value. */
        public String label() {
            return label;
        }
    }

    ConflictAlarm(CassandraStorage storage, String nodeId, DefaultConsistencyLevel serial, DedupMetrics metrics) {
        this.storage = storage;
        this.nodeId = nodeId;
        this.serial = serial;
        this.metrics = metrics;
    }

    /**
     * Records the conflict unless recorded before; true when this call recorded it (and raised the alarm here). A
     * failed transaction is logged (one line per burst) and answers false: the finalizer finds the conflict again.
     */
    public CompletionStage<Boolean> raise(VersionConflict c, Found found, String how) {
        IntegrityConflict row = c.toIntegrityConflict(Instant.now(), nodeId, how);
        return storage.conflicts().recordConflict(row, serial).handle((applied, e) -> {
            if (e != null) {
                failures.failure(c.key() + " seq " + c.seq(), e);
                return false;
            }
            failures.success();
            metrics.conflictsFound.increment();
            if (applied) {
                metrics.integrityAlarm(c.key().exporter(), found);
                StringBuilder versions = new StringBuilder();
                for (StoredRecord v : c.versions()) {
                    versions.append(versions.length() == 0 ? "" : "; ").append(v.data().remaining())
                            .append(" bytes received by ").append(v.receipts());
                }
                LOG.error("INTEGRITY ALARM {} seq {}: {} differing versions stored ({}), {}; all are kept, see"
                        + " record_conflicts", c.key(), c.seq(), c.versions().size(), how, versions);
            }
            return applied;
        });
    }

    /**
     * For the finalizer: compares the versions of every record of the document (digests only, then the bytes of the
     * conflicting numbers) and raises the alarm for each conflict not raised before. Synchronous: not on an event
     * loop. Returns how many alarms this call raised.
     */
    public int checkDocument(RecordKey key) {
        int raised = 0;
        for (VersionConflict c : storage.versionConflicts(key)) {
            if (raise(c, Found.DOCUMENT_CHECK, "found when the document was checked by " + nodeId).toCompletableFuture().join()) {
                raised++;
            }
        }
        return raised;
    }
}
