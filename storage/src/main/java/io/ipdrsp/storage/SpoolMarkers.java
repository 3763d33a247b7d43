package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code export_spool} (migration 4): which finalized documents were written to the spool directory, so that each
 * document is written once per format even across restarts, leadership moves and nodes. Every write is a lightweight
 * transaction (the partition is LWT-only): a node {@link #claim claims} a (document, format) before writing and
 * marks it {@link #done} after the atomic rename; a claim whose writer died is taken over after {@code staleAfter}.
 * Synchronous: call from worker threads.
 */
public final class SpoolMarkers {
    public static final String WRITING = "WRITING";
    public static final String DONE = "DONE";
    private static final String KEY_WHERE = "exporter = ? AND session_id = ? AND document_id = ? AND boot_time = ?"
            + " AND format = ?";

    /** One marker row. {@code file}, {@code records}, {@code bytes} and {@code writtenAt} are set once DONE. */
    public record Marker(String state, String claimedBy, Instant claimedAt, String file, long records, long bytes,
            Instant writtenAt) {
    }

    private final CqlSession session;
    private final StorageConfig config;
    private final DefaultConsistencyLevel serial;
    private final PreparedStatement insertClaim;
    private final PreparedStatement takeOver;
    private final PreparedStatement markDone;
    private final PreparedStatement release;
    private final PreparedStatement select;

    /** @param serial {@code LOCAL_SERIAL} for single-site keyspaces, {@code SERIAL} across sites */
    public SpoolMarkers(CassandraStorage storage, DefaultConsistencyLevel serial) {
        this.session = storage.session();
        this.config = storage.config();
        this.serial = serial;
        String t = config.keyspace() + ".export_spool";
        insertClaim = Prepared.of(session, "INSERT INTO " + t + " (exporter, session_id, document_id, boot_time, format,"
                + " state, claimed_by, claimed_at) VALUES (?, ?, ?, ?, ?, '" + WRITING + "', ?, ?) IF NOT EXISTS");
        takeOver = Prepared.of(session, "UPDATE " + t + " SET claimed_by = ?, claimed_at = ? WHERE " + KEY_WHERE
                + " IF state = '" + WRITING + "' AND claimed_at = ?");
        markDone = Prepared.of(session, "UPDATE " + t + " SET state = '" + DONE + "', file = ?, records = ?, bytes = ?,"
                + " written_at = ? WHERE " + KEY_WHERE + " IF claimed_by = ?");
        release = Prepared.of(session, "DELETE FROM " + t + " WHERE " + KEY_WHERE + " IF claimed_by = ? AND state = '"
                + WRITING + "'");
        select = Prepared.of(session, "SELECT state, claimed_by, claimed_at, file, records, bytes, written_at FROM " + t
                + " WHERE " + KEY_WHERE);
    }

    /**
     * Claims (document, format) for {@code node}: true when the caller should write the file now — nobody claimed it
     * yet, or a claim in WRITING is older than {@code staleAfter} (its writer is presumed dead). False when it is DONE
     * or being written by someone else.
     */
    public boolean claim(RecordKey key, String format, String node, Duration staleAfter) {
        Instant now = Instant.now();
        ResultSet rs = lwt(insertClaim.bind(key.exporter(), key.sessionId(), key.documentId(), key.bootTime(), format,
                node, now));
        if (rs.wasApplied()) {
            return true;
        }
        Row cur = rs.one();
        if (cur == null || !WRITING.equals(cur.getString("state"))) {
            return false;
        }
        Instant claimedAt = cur.getInstant("claimed_at");
        if (claimedAt == null || claimedAt.plus(staleAfter).isAfter(now)) {
            return false;
        }
        return lwt(takeOver.bind(node, now, key.exporter(), key.sessionId(), key.documentId(), key.bootTime(), format,
                claimedAt)).wasApplied();
    }

    /** Records a written file; false when the claim was taken over meanwhile (the other writer's file stands). */
    public boolean done(RecordKey key, String format, String node, String file, long records, long bytes) {
        return lwt(markDone.bind(file, records, bytes, Instant.now(), key.exporter(), key.sessionId(),
                key.documentId(), key.bootTime(), format, node)).wasApplied();
    }

    /** Gives a claim back after a failed write, so that the next attempt (here or elsewhere) starts at once. */
    public void release(RecordKey key, String format, String node) {
        lwt(release.bind(key.exporter(), key.sessionId(), key.documentId(), key.bootTime(), format, node));
    }

    public Optional<Marker> marker(RecordKey key, String format) {
        Row r = session.execute(select.bind(key.exporter(), key.sessionId(), key.documentId(), key.bootTime(), format)
                .setConsistencyLevel(serial)).one();
        return Optional.ofNullable(r).map(x -> new Marker(x.getString(0), x.getString(1), x.getInstant(2),
                x.getString(3), x.isNull(4) ? 0 : x.getLong(4), x.isNull(5) ? 0 : x.getLong(5), x.getInstant(6)));
    }

    private ResultSet lwt(Statement<?> s) {
        return session.execute(s.setConsistencyLevel(config.writeConsistency()).setSerialConsistencyLevel(serial));
    }
}
