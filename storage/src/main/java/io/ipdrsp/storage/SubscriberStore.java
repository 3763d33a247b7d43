package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;

/**
 * The subscriber view's tables (migration 4): which cable modem (CM) or CPE MAC held which IP address when, built
 * from CMTS-CM-REG-STATUS-TYPE and CPE-TYPE records by the node's indexer. One row per binding period, written three
 * ways for the three lookups (by MAC, by IP, CPEs by their CM), newest first. Rows are upserts keyed by the period's
 * start, so writing a period again (a longer {@code lastSeen}, an end) is idempotent. Synchronous reads page on the
 * calling thread.
 */
public final class SubscriberStore {
    public static final String CM = "CM";
    public static final String CPE = "CPE";

    /**
     * One binding period.
     *
     * @param kind      {@link #CM} or {@link #CPE}
     * @param mac       the device MAC (48 bits in a long)
     * @param firstSeen the first record that showed the binding
     * @param lastSeen  the latest record that showed it (see the indexer's resolution)
     * @param endedAt   when it ended (a Stop record, the device took another address, the address went to another
     *                  device), or null while current
     * @param endReason why it ended, or null
     * @param cmMac     for a CPE, the CM it sits behind (null for a CM or when unknown)
     * @param exporter  the CMTS that reported it
     */
    public record Binding(String kind, long mac, InetAddress ip, Instant firstSeen, Instant lastSeen, Instant endedAt,
            String endReason, Long cmMac, String exporter) {
        public Binding {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(ip, "ip");
            Objects.requireNonNull(firstSeen, "firstSeen");
            Objects.requireNonNull(lastSeen, "lastSeen");
        }

        public Binding withLastSeen(Instant t) {
            return new Binding(kind, mac, ip, firstSeen, t, endedAt, endReason, cmMac, exporter);
        }

        public Binding ended(Instant at, String reason) {
            return new Binding(kind, mac, ip, firstSeen, lastSeen, at, reason, cmMac, exporter);
        }

        /** Whether the device held the address at {@code t}: started by then and not ended before. */
        public boolean heldAt(Instant t) {
            return !firstSeen.isAfter(t) && (endedAt == null || endedAt.isAfter(t));
        }
    }

    private static final String COLS = "first_seen, ip, kind, cm_mac, exporter, last_seen, ended_at, end_reason";

    private final CqlSession session;
    private final StorageConfig config;
    private final PreparedStatement insertByMac;
    private final PreparedStatement insertByIp;
    private final PreparedStatement insertCpeByCm;
    private final PreparedStatement selectByMac;
    private final PreparedStatement selectByIp;
    private final PreparedStatement selectByIpBefore;
    private final PreparedStatement selectCpes;
    private final PreparedStatement insertProgress;
    private final PreparedStatement selectProgress;

    public SubscriberStore(CassandraStorage storage) {
        this.session = storage.session();
        this.config = storage.config();
        String ks = config.keyspace();
        insertByMac = Prepared.of(session, "INSERT INTO " + ks + ".subscriber_by_mac (mac, " + COLS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        insertByIp = Prepared.of(session, "INSERT INTO " + ks + ".subscriber_by_ip (ip, mac, first_seen, kind, cm_mac,"
                + " exporter, last_seen, ended_at, end_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        insertCpeByCm = Prepared.of(session, "INSERT INTO " + ks + ".subscriber_cpes_by_cm (cm_mac, first_seen, mac, ip,"
                + " exporter, last_seen, ended_at, end_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        selectByMac = Prepared.of(session, "SELECT mac, " + COLS + " FROM " + ks + ".subscriber_by_mac WHERE mac = ?"
                + " LIMIT ?");
        String ipCols = "mac, first_seen, ip, kind, cm_mac, exporter, last_seen, ended_at, end_reason";
        selectByIp = Prepared.of(session, "SELECT " + ipCols + " FROM " + ks + ".subscriber_by_ip WHERE ip = ? LIMIT ?");
        selectByIpBefore = Prepared.of(session, "SELECT " + ipCols + " FROM " + ks + ".subscriber_by_ip WHERE ip = ?"
                + " AND first_seen <= ? LIMIT ?");
        selectCpes = Prepared.of(session, "SELECT mac, first_seen, ip, cm_mac, exporter, last_seen, ended_at, end_reason"
                + " FROM " + ks + ".subscriber_cpes_by_cm WHERE cm_mac = ? LIMIT ?");
        insertProgress = Prepared.of(session, "INSERT INTO " + ks + ".subscriber_index_progress (exporter, session_id,"
                + " document_id, boot_time, indexed_through, records, updated_at, updated_by)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        selectProgress = Prepared.of(session, "SELECT indexed_through FROM " + ks + ".subscriber_index_progress WHERE"
                + " exporter = ? AND session_id = ? AND document_id = ? AND boot_time = ?");
    }

    /** Upserts one binding period into every lookup table (a logged batch: the views never disagree). */
    public CompletionStage<Void> save(Binding b) {
        BatchStatement batch = BatchStatement.newInstance(BatchType.LOGGED,
                insertByMac.bind(b.mac(), b.firstSeen(), b.ip(), b.kind(), b.cmMac(), b.exporter(), b.lastSeen(),
                        b.endedAt(), b.endReason()),
                insertByIp.bind(b.ip(), b.mac(), b.firstSeen(), b.kind(), b.cmMac(), b.exporter(), b.lastSeen(),
                        b.endedAt(), b.endReason()));
        if (CPE.equals(b.kind()) && b.cmMac() != null) {
            batch = batch.add(insertCpeByCm.bind(b.cmMac(), b.firstSeen(), b.mac(), b.ip(), b.exporter(),
                    b.lastSeen(), b.endedAt(), b.endReason()));
        }
        return session.executeAsync(write(batch)).thenApply(rs -> null);
    }

    /** The binding periods of a MAC (CM or CPE), newest first. */
    public List<Binding> byMac(long mac, int limit) {
        return rows(selectByMac.bind(mac, limit)).map(r -> new Binding(r.getString(3), r.getLong(0),
                r.getInetAddress(2), r.getInstant(1), r.getInstant(6), r.getInstant(7), r.getString(8),
                r.get(4, Long.class), r.getString(5))).toList();
    }

    /** The binding periods of an address, newest first; with {@code startedBy}, only those started by then. */
    public List<Binding> byIp(InetAddress ip, Instant startedBy, int limit) {
        Statement<?> s = startedBy == null ? selectByIp.bind(ip, limit) : selectByIpBefore.bind(ip, startedBy, limit);
        return rows(s).map(r -> new Binding(r.getString(3), r.getLong(0), r.getInetAddress(2), r.getInstant(1),
                r.getInstant(6), r.getInstant(7), r.getString(8), r.get(4, Long.class), r.getString(5))).toList();
    }

    /** The CPE binding periods seen behind a CM, newest first. */
    public List<Binding> cpesOf(long cmMac, int limit) {
        return rows(selectCpes.bind(cmMac, limit)).map(r -> new Binding(CPE, r.getLong(0), r.getInetAddress(2),
                r.getInstant(1), r.getInstant(5), r.getInstant(6), r.getString(7), r.get(3, Long.class),
                r.getString(4))).toList();
    }

    /** The highest sequence number of the document the indexer has processed, if any. */
    public OptionalLong indexedThrough(RecordKey key) {
        Row r = session.execute(read(selectProgress.bind(key.exporter(), key.sessionId(), key.documentId(),
                key.bootTime()))).one();
        return r == null || r.isNull(0) ? OptionalLong.empty() : OptionalLong.of(r.getLong(0));
    }

    public CompletionStage<Void> saveProgress(RecordKey key, long indexedThrough, long records, String node) {
        return session.executeAsync(write(insertProgress.bind(key.exporter(), key.sessionId(), key.documentId(),
                key.bootTime(), indexedThrough, records, Instant.now(), node))).thenApply(rs -> null);
    }

    private <S extends Statement<S>> S write(S s) {
        return s.setIdempotent(true).setConsistencyLevel(config.writeConsistency());
    }

    private <S extends Statement<S>> S read(S s) {
        return s.setIdempotent(true).setConsistencyLevel(config.readConsistency());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private java.util.stream.Stream<Row> rows(Statement<?> s) {
        return StreamSupport.stream(session.execute(read((Statement) s)).spliterator(), false);
    }
}
