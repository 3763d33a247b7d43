package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;

/**
 * Documents and their segments: the document row, the time index {@code documents_by_time}, the segment rows, and the
 * document's <b>start time claimed once</b> (migration 6). Obtained from {@link CassandraStorage#documents()}.
 *
 * <h2>One document, one start time, whichever node writes it</h2>
 * A document's identity is (exporter, session, documentId, exporterBootTime) — nothing else, since all-zero and random
 * documentIds are legal (SP 2.1 digest §1.9, §4.1). The time index needs a start time, and no exporter fact gives
 * one for every documentId, so the first node that writes anything about the document <em>claims</em> it: a
 * lightweight transaction {@code INSERT INTO document_starts ... IF NOT EXISTS} with its own clock; every later writer
 * (another node, a failover, another site, the same node again) gets the claimed time back and indexes the document
 * under it. So {@code documents_by_time} holds one entry per document. Segment writes claim and index too: a
 * collector that receives a whole document on a {@code primary=false} segment still makes it visible to the audit
 * and the finalizer. Claims are cached per node (bounded), so a document costs one LWT per node.
 *
 * <p>Rows written before migration 6 (several index entries per document, one per node clock) and claims made by two
 * sites at once under LOCAL_SERIAL are tolerated by {@link #documentsStarted}: it returns each document once, at its
 * earliest entry in the asked interval. Synchronous methods page on the calling thread: never on an event loop.
 */
public final class DocumentStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DocumentStore.class);
    private static final String KEY_WHERE = "exporter = ? AND session_id = ? AND document_id = ? AND boot_time = ?";
    /** Claimed start times remembered per node (a few hours of a large fleet's documents). */
    private static final int CLAIM_CACHE = 20_000;

    private final CqlSession session;
    private final StorageConfig config;
    private final PreparedStatement claim;
    private final PreparedStatement insertSeen;
    private final PreparedStatement selectSeen;
    private final PreparedStatement insertDocument;
    private final PreparedStatement insertDocumentByTime;
    private final PreparedStatement selectDocument;
    private final PreparedStatement selectDocumentsByTime;
    private final PreparedStatement insertSegment;
    private final PreparedStatement stopSegment;
    private final PreparedStatement segmentProgress;
    private final PreparedStatement selectSegments;
    /** Serial consistency of the claims: the audit's ({@code audit.serialConsistency}), LOCAL_SERIAL until set. */
    private volatile DefaultConsistencyLevel serialConsistency = DefaultConsistencyLevel.LOCAL_SERIAL;
    /**
     * Claims made or under way, per document: a claim in flight is shared, so a burst of writes about one document
     * (its segments, its row) costs one LWT, not one each (they would contend on one Paxos partition).
     */
    private final Map<RecordKey, CompletableFuture<Instant>> claimed = Collections.synchronizedMap(
            new LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<RecordKey, CompletableFuture<Instant>> eldest) {
                    return size() > CLAIM_CACHE;
                }
            });

    DocumentStore(CqlSession session, StorageConfig config) {
        this.session = session;
        this.config = config;
        String ks = config.keyspace();
        claim = Prepared.of(session, "INSERT INTO " + ks + ".document_starts (exporter, session_id, document_id,"
                + " boot_time, started_at, claimed_by, claimed_at) VALUES (?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS");
        insertSeen = Prepared.of(session, "INSERT INTO " + ks + ".exporters_seen (part, exporter, first_seen)"
                + " VALUES (0, ?, ?)");
        selectSeen = Prepared.of(session, "SELECT exporter FROM " + ks + ".exporters_seen WHERE part = 0");
        insertDocument = Prepared.of(session, "INSERT INTO " + ks + ".documents (exporter, session_id, document_id,"
                + " boot_time, state, started_at, first_seen, last_seen, verdict, detail, updated_by, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        insertDocumentByTime = Prepared.of(session, "INSERT INTO " + ks + ".documents_by_time (exporter, day, started_at,"
                + " session_id, document_id, boot_time, touched_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
        selectDocument = Prepared.of(session, "SELECT state, started_at, first_seen, last_seen, verdict, detail,"
                + " updated_by FROM " + ks + ".documents WHERE " + KEY_WHERE);
        selectDocumentsByTime = Prepared.of(session, "SELECT started_at, session_id, document_id, boot_time, touched_at"
                + " FROM " + ks
                + ".documents_by_time WHERE exporter = ? AND day = ? AND started_at >= ? AND started_at < ?");
        insertSegment = Prepared.of(session, "INSERT INTO " + ks + ".segments (exporter, session_id, document_id,"
                + " boot_time, started_at, node, is_primary, first_record_seq, dropped_record_count,"
                + " ack_time_interval, ack_sequence_interval, stopped_at, stop_reason_code, stop_reason_info,"
                + " highest_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        stopSegment = Prepared.of(session, "UPDATE " + ks + ".segments SET stopped_at = ?, stop_reason_code = ?,"
                + " stop_reason_info = ?, highest_seq = ? WHERE " + KEY_WHERE + " AND started_at = ? AND node = ?");
        segmentProgress = Prepared.of(session, "UPDATE " + ks + ".segments SET highest_seq = ? WHERE " + KEY_WHERE
                + " AND started_at = ? AND node = ?");
        selectSegments = Prepared.of(session, "SELECT started_at, node, is_primary, first_record_seq,"
                + " dropped_record_count, ack_time_interval, ack_sequence_interval, stopped_at, stop_reason_code,"
                + " stop_reason_info, highest_seq FROM " + ks + ".segments WHERE " + KEY_WHERE);
    }

    // ---------------------------------------------------------------- identity

    /** SERIAL when collectors of one CMTS sit in several sites (so two sites cannot both claim a document). */
    public void serialConsistency(DefaultConsistencyLevel serial) {
        this.serialConsistency = java.util.Objects.requireNonNull(serial, "serial");
    }

    /**
     * The document's start time: {@code proposed} if this is the first claim anywhere, else the time the first
     * claimant recorded. One lightweight transaction at {@link #serialConsistency(DefaultConsistencyLevel)}, once per
     * document per node.
     */
    public CompletionStage<Instant> claimStart(RecordKey key, Instant proposed, String node) {
        CompletableFuture<Instant> mine = new CompletableFuture<>();
        CompletableFuture<Instant> known = claimed.putIfAbsent(key, mine);
        if (known != null) {
            return known;
        }
        claim(key, proposed, node).whenComplete((start, e) -> {
            if (e != null) {
                claimed.remove(key, mine); // the next write about the document tries again
                mine.completeExceptionally(e);
            } else {
                mine.complete(start);
            }
        });
        return mine;
    }

    private CompletionStage<Instant> claim(RecordKey key, Instant proposed, String node) {
        DefaultConsistencyLevel serial = serialConsistency;
        return claim(key, proposed, node, serial).exceptionallyCompose(e -> {
            if (serial == DefaultConsistencyLevel.SERIAL && otherSiteUnreachable(e)) {
                // a data center is down: SERIAL cannot be had, and the document must not stay unindexed (invisible to
                // the audit) until it is back. Claim within this site; if the other site claims the same document
                // while they are apart, the index holds two entries and every reader takes the earliest (documentsStarted)
                LOG.warn("{}: start claimed at LOCAL_SERIAL ({} unreachable at SERIAL: {})", key,
                        "another data center", e.getClass().getSimpleName());
                return claim(key, proposed, node, DefaultConsistencyLevel.LOCAL_SERIAL);
            }
            return CompletableFuture.failedFuture(e);
        });
    }

    /** Unavailable or a CAS write timeout, directly or from every node the driver tried. */
    private static boolean otherSiteUnreachable(Throwable e) {
        Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (c instanceof com.datastax.oss.driver.api.core.AllNodesFailedException all) {
            return !all.getAllErrors().isEmpty() && all.getAllErrors().values().stream().flatMap(List::stream)
                    .allMatch(DocumentStore::otherSiteUnreachable);
        }
        return c instanceof com.datastax.oss.driver.api.core.servererrors.UnavailableException
                || c instanceof com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
    }

    private CompletionStage<Instant> claim(RecordKey key, Instant proposed, String node,
            DefaultConsistencyLevel serial) {
        BoundStatement s = bindKey(claim.boundStatementBuilder(), key).setInstant(4, proposed).setString(5, node)
                .setInstant(6, Instant.now()).build().setConsistencyLevel(config.writeConsistency())
                .setSerialConsistencyLevel(serial);
        return session.executeAsync(s).thenCompose(rs -> {
            boolean applied = rs.wasApplied(); // before one(): the driver reads [applied] from the first row
            Row row = applied ? null : rs.one();
            Instant start = row == null || row.getInstant("started_at") == null ? proposed
                    : row.getInstant("started_at");
            if (!applied) {
                return CompletableFuture.completedFuture(start);
            }
            // the first claim of a document: the exporter is known from now on (audit: unknown CMTS vs no documents)
            return session.executeAsync(write(insertSeen.bind(key.exporter(), Instant.now()))).thenApply(x -> start);
        });
    }

    /** Every exporter that has had a document claimed (since migration 6), by name. Synchronous. */
    public List<String> exportersSeen() {
        TreeSet<String> out = new TreeSet<>();
        for (Row r : rows(selectSeen.bind(), null)) {
            out.add(r.getString(0));
        }
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------- documents

    /**
     * Writes a document's row and its time-index entry (a logged batch: both or neither) under the claimed start time
     * ({@code d.startedAt()} is only the proposal). Idempotent.
     */
    public CompletionStage<Void> saveDocument(DocumentInfo d) {
        RecordKey k = d.key();
        return claimStart(k, d.startedAt(), d.updatedBy()).thenCompose(start -> {
            BatchStatement batch = BatchStatement.newInstance(BatchType.LOGGED,
                    bindKey(insertDocument.boundStatementBuilder(), k).setString(4, d.state())
                            .setInstant(5, start).setInstant(6, d.firstSeen()).setInstant(7, d.lastSeen())
                            .setString(8, d.verdict()).setString(9, d.detail()).setString(10, d.updatedBy())
                            .setInstant(11, Instant.now()).build(),
                    index(k, start));
            return session.executeAsync(write(batch)).thenApply(rs -> null);
        });
    }

    public CompletionStage<Optional<DocumentInfo>> document(RecordKey key) {
        return session.executeAsync(read(bindKey(selectDocument.boundStatementBuilder(), key).build(), null))
                .thenApply(rs -> Optional.ofNullable(rs.one()).map(r -> new DocumentInfo(key, r.getString(0),
                        r.getInstant(1), r.getInstant(2), r.getInstant(3), r.getString(4), r.getString(5),
                        r.getString(6))));
    }

    /**
     * The documents of an exporter indexed with a start in [from, to), in start order, <b>each once</b> (at its
     * earliest entry, with the latest {@code touchedAt} of its entries: rows written before migration 6 may index one
     * document under several nodes' clocks).
     * {@code consistency} null = the configured read consistency. Synchronous.
     */
    public List<IndexedDocument> documentsStarted(String exporter, Instant from, Instant to,
            DefaultConsistencyLevel consistency) {
        Map<RecordKey, IndexedDocument> first = new LinkedHashMap<>();
        for (int day = day(from); day <= day(to); day++) {
            for (Row r : rows(selectDocumentsByTime.bind(exporter, day, from, to), consistency)) {
                RecordKey key = new RecordKey(exporter, r.getInt(1), r.getUuid(2), r.getLong(3));
                IndexedDocument entry = new IndexedDocument(key, r.getInstant(0), r.getInstant(4));
                first.merge(key, entry, DocumentStore::touchedLast); // rows come in start order
            }
        }
        return new ArrayList<>(first.values());
    }

    private static IndexedDocument touchedLast(IndexedDocument earliest, IndexedDocument later) {
        Instant a = earliest.touchedAt();
        Instant b = later.touchedAt();
        return b == null || (a != null && !b.isAfter(a)) ? earliest
                : new IndexedDocument(earliest.key(), earliest.startedAt(), b);
    }

    // ---------------------------------------------------------------- segments

    /**
     * Writes a whole segment row (at SESSION_START; again with the stop fields when a stretch ends without
     * SESSION_STOP) and indexes its document under the claimed start time, so that a document is visible to the audit
     * whichever collector received it and whatever its {@code primary} flag. The index entry is written (touched)
     * <em>after</em> the segment row: a finalizer that sees the touch and then reads the segments finds the new row.
     * Idempotent.
     */
    public CompletionStage<Void> saveSegment(Segment s) {
        BoundStatement b = bindKey(insertSegment.boundStatementBuilder(), s.key()).setInstant(4, s.startedAt())
                .setString(5, s.node()).setBoolean(6, s.primary()).setLong(7, s.firstRecordSeq())
                .setLong(8, s.droppedRecordCount()).setInt(9, s.ackTimeInterval()).setInt(10, s.ackSequenceInterval())
                .setInstant(11, s.stoppedAt()).set(12, s.stopReasonCode(), Integer.class)
                .setString(13, s.stopReasonInfo()).set(14, s.highestSeq(), Long.class).build();
        CompletableFuture<Instant> start = claimStart(s.key(), s.startedAt(), s.node()).toCompletableFuture();
        return session.executeAsync(write(b)).thenCompose(rs -> touch(s.key(), start));
    }

    /** Writes the document's index entry with {@code touched_at} now, once its start is claimed. */
    private CompletionStage<Void> touch(RecordKey key, CompletionStage<Instant> start) {
        return start.thenCompose(t -> session.executeAsync(write(index(key, t)))).thenApply(rs -> null);
    }

    /**
     * Records SESSION_STOP on a segment started earlier, then touches the document's index entry (as
     * {@link #saveSegment}).
     *
     * @param highestSeq the highest DSN received in the stretch (-1: none), or null when not known
     */
    public CompletionStage<Void> stopSegment(RecordKey key, Instant startedAt, String node, Instant stoppedAt,
            int reasonCode, String reasonInfo, Long highestSeq) {
        BoundStatement b = stopSegment.boundStatementBuilder().setInstant(0, stoppedAt).setInt(1, reasonCode)
                .setString(2, reasonInfo).set(3, highestSeq, Long.class).setString(4, key.exporter())
                .setInt(5, key.sessionId()).setUuid(6, key.documentId()).setLong(7, key.bootTime())
                .setInstant(8, startedAt).setString(9, node).build();
        return session.executeAsync(write(b)).thenCompose(rs -> touch(key, claimStart(key, startedAt, node)));
    }

    /**
     * How far an open segment has got: the highest DSN received in it so far, so that a stretch whose node dies
     * before its SESSION_STOP still says where the exporter was (dedup's SegmentOrder). Does not touch the index:
     * progress within a stretch whose start was written changes no finalization trigger.
     */
    public CompletionStage<Void> segmentProgress(RecordKey key, Instant startedAt, String node, long highestSeq) {
        BoundStatement b = segmentProgress.boundStatementBuilder().setLong(0, highestSeq)
                .setString(1, key.exporter()).setInt(2, key.sessionId()).setUuid(3, key.documentId())
                .setLong(4, key.bootTime()).setInstant(5, startedAt).setString(6, node).build();
        return session.executeAsync(write(b)).thenApply(rs -> null);
    }

    /** The segments of a document (in the row order: this node's clock, then node; see dedup's SegmentOrder). */
    public List<Segment> segments(RecordKey key, DefaultConsistencyLevel consistency) {
        List<Segment> out = new ArrayList<>();
        for (Row r : rows(bindKey(selectSegments.boundStatementBuilder(), key).build(), consistency)) {
            out.add(new Segment(key, r.getInstant(0), r.getString(1), r.getBoolean(2), r.getLong(3), r.getLong(4),
                    r.getInt(5), r.getInt(6), r.getInstant(7), r.get(8, Integer.class), r.getString(9),
                    r.get(10, Long.class)));
        }
        return out;
    }

    // ---------------------------------------------------------------- plumbing

    private BoundStatement index(RecordKey k, Instant start) {
        return insertDocumentByTime.bind(k.exporter(), day(start), start, k.sessionId(), k.documentId(),
                k.bootTime(), Instant.now());
    }

    static int day(Instant t) {
        return (int) LocalDate.ofInstant(t, ZoneOffset.UTC).toEpochDay();
    }

    private static BoundStatementBuilder bindKey(BoundStatementBuilder b, RecordKey k) {
        return b.setString(0, k.exporter()).setInt(1, k.sessionId()).setUuid(2, k.documentId())
                .setLong(3, k.bootTime());
    }

    private <S extends Statement<S>> S write(S s) {
        return s.setIdempotent(true).setConsistencyLevel(config.writeConsistency());
    }

    private <S extends Statement<S>> S read(S s, DefaultConsistencyLevel consistency) {
        return s.setIdempotent(true).setConsistencyLevel(consistency == null ? config.readConsistency() : consistency);
    }

    private Iterable<Row> rows(Statement<?> s, DefaultConsistencyLevel consistency) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        var rs = session.execute(read((Statement) s, consistency));
        return () -> StreamSupport.stream(rs.spliterator(), false).iterator();
    }
}
