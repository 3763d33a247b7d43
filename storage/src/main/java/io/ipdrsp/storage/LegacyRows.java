package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether a pre-version table (schema migrations 1-4: {@code records}, {@code integrity_conflicts}) may hold rows.
 * Every read of a document's records also read {@code records} for each bucket, and every evaluation read
 * {@code integrity_conflicts}: two requests in six of a finalizer's evaluation and one per read-back, although no node
 * since migration 5 writes them. So each is asked once when the storage opens and then at most every
 * {@link #RECHECK}, in the background: while it holds no row, those reads are skipped. A node of a version before
 * migration 5 may still write it during a rolling upgrade; its rows are read at the latest {@code RECHECK} after the
 * first of them lands (a verdict given meanwhile is corrected by a later re-check). A check that fails counts
 * as rows present: reading them is always correct.
 */
final class LegacyRows {
    static final Duration RECHECK = Duration.ofMinutes(10);

    private final RecordTables tables;
    private final SimpleStatement probe;
    private final AtomicBoolean checking = new AtomicBoolean();
    private volatile boolean present = true;
    private volatile long checkedAtNanos;

    /** @param table a pre-version table of the keyspace (its partition key starts with {@code exporter}) */
    LegacyRows(RecordTables tables, String table) {
        this.tables = tables;
        this.probe = SimpleStatement.newInstance("SELECT exporter FROM " + tables.config.keyspace() + "." + table
                + " LIMIT 1");
        recheck();
    }

    /** Whether reads must look at the legacy table too; starts a background check when the last one is stale. */
    boolean mayHold() {
        if (System.nanoTime() - checkedAtNanos > RECHECK.toNanos() && checking.compareAndSet(false, true)) {
            tables.session.executeAsync(tables.read(probe, null)).whenComplete((rs, e) -> {
                present = e != null || rs.one() != null;
                checkedAtNanos = System.nanoTime();
                checking.set(false);
            });
        }
        return present;
    }

    /** Asks now (blocking): at open, and after a test wrote legacy rows. */
    void recheck() {
        try {
            present = tables.session.execute(tables.read(probe, null)).one() != null;
        } catch (RuntimeException e) {
            present = true;
        }
        checkedAtNanos = System.nanoTime();
    }
}
