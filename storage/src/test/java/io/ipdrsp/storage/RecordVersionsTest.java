package io.ipdrsp.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The storage model of docs/storage.md "Versions": the digest of the bytes is part of the key, so identical re-sends
 * are one stored record and differing ones are two that cannot overwrite each other; receipts make re-sends countable
 * from Cassandra, idempotently; rows of the pre-version table are read alongside.
 */
class RecordVersionsTest {
    private static CassandraStorage storage;

    @BeforeAll
    static void open() {
        storage = CassandraStorage.open(CassandraTestSupport.config("it_versions"));
    }

    @AfterAll
    static void close() {
        storage.close();
    }

    static ByteBuffer bytes(long seq, String variant) {
        return ByteBuffer.wrap(("record " + seq + " " + variant).getBytes(StandardCharsets.UTF_8));
    }

    private static void await(List<CompletableFuture<Void>> writes) throws Exception {
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        writes.clear();
    }

    /**
     * Two nodes write one document: node-2 re-sends 1..5 with the same bytes and 6 with other bytes. Readers see ten
     * records; 6 is stored in two versions with who received which; the audit counts five duplicates removed.
     */
    @Test
    void identicalResendsAreOneRecordAndDifferingOnesAreBothKept() throws Exception {
        RecordKey doc = CassandraTestSupport.newDocument("cmts-v");
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        try (RecordWriter a = storage.recordWriter("node-1"); RecordWriter b = storage.recordWriter("node-2")) {
            for (long seq = 1; seq <= 10; seq++) {
                writes.add(a.write(doc, seq, 256, 1, false, bytes(seq, "x")).toCompletableFuture());
            }
            await(writes);
            for (long seq = 1; seq <= 5; seq++) {
                writes.add(b.write(doc, seq, 256, 1, true, bytes(seq, "x")).toCompletableFuture());
            }
            writes.add(b.write(doc, 6, 256, 1, true, bytes(6, "CHANGED")).toCompletableFuture());
            await(writes);
        }
        List<StoredRecord> records = storage.streamRecords(doc).toList();
        assertThat(records).extracting(StoredRecord::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(storage.storedSequences(doc)).containsExactly(new SequenceRange(1, 10));
        assertThat(records.get(0).receipts()).hasSize(2);
        assertThat(records.get(0).receivedBy()).isEqualTo("node-1");

        List<VersionConflict> conflicts = storage.versionConflicts(doc);
        assertThat(conflicts).singleElement().satisfies(c -> {
            assertThat(c.seq()).isEqualTo(6);
            assertThat(c.versions()).extracting(StoredRecord::data)
                    .containsExactlyInAnyOrder(bytes(6, "x"), bytes(6, "CHANGED"));
            assertThat(c.versions()).extracting(StoredRecord::receivedBy)
                    .containsExactlyInAnyOrder("node-1", "node-2");
            // what readers see is the first version of the two, whichever that is, every time
            assertThat(records.get(5).data()).isEqualTo(c.versions().get(0).data());
        });

        StoredSequences audit = storage.audit().storedSequences(doc, null);
        assertThat(audit.ranges()).containsExactly(new SequenceRange(1, 10));
        assertThat(audit.duplicates()).containsExactly(new DuplicateCount("node-2", 5, 0));
        assertThat(audit.duplicatesRemoved()).isEqualTo(5);
        assertThat(audit.perNode()).isEqualTo(Map.of("node-1", 10L, "node-2", 1L)); // 11 versions
        assertThat(audit.conflicting()).containsExactly(6L);
    }

    /**
     * A write the driver gave up on (client-side timeout) may still land; the node retries it with the same receipt.
     * Whatever landed twice is one receipt: the audit counts no duplicate, and every record is stored.
     */
    @Test
    void aRetriedWriteThatHadLandedIsNotCountedTwice() throws Exception {
        RecordKey doc = CassandraTestSupport.newDocument("cmts-retry");
        Receipt stretch = Receipt.next("node-t");
        List<Long> failed = new ArrayList<>();
        StorageConfig hasty = storage.config().withRequestTimeout(Duration.ofMillis(1));
        try (CassandraStorage s = CassandraStorage.open(hasty); RecordWriter writer = s.recordWriter("node-t")) {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (long seq = 0; seq < 2_000; seq++) {
                writes.add(writer.writeOwned(doc, seq, 1, 1, stretch, false, bytes(seq, "x")).toCompletableFuture());
            }
            writer.flush();
            for (int seq = 0; seq < writes.size(); seq++) {
                try {
                    writes.get(seq).get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    failed.add((long) seq);
                }
            }
        }
        long landedAnyway = storage.storedSequences(doc).stream().mapToLong(SequenceRange::count).sum()
                - (2_000 - failed.size());
        System.out.printf("1 ms timeout: %d of 2000 writes failed, %d of them had landed%n", failed.size(),
                landedAnyway);
        assertThat(failed).as("a 1 ms request timeout fails writes").isNotEmpty();
        try (RecordWriter retry = storage.recordWriter("node-t")) {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (long seq : failed) {
                writes.add(retry.writeOwned(doc, seq, 1, 1, stretch, false, bytes(seq, "x")).toCompletableFuture());
            }
            retry.flush();
            await(writes);
        }
        StoredSequences audit = storage.audit().storedSequences(doc, null);
        assertThat(audit.ranges()).containsExactly(new SequenceRange(0, 1_999));
        assertThat(audit.duplicatesRemoved()).isZero();
        assertThat(audit.perNode()).isEqualTo(Map.of("node-t", 2_000L));
    }

    /**
     * Rows of the pre-version {@code records} table (written before the upgrade, or by a node not yet upgraded) stay
     * part of their document: a re-send of the same bytes through the new table is one record with two receipts,
     * other bytes are a conflict, and the legacy-only numbers are read as they were.
     */
    @Test
    void rowsOfThePreVersionTableAreReadAlongside() throws Exception {
        RecordKey doc = CassandraTestSupport.newDocument("cmts-legacy");
        var insert = storage.session().prepare("INSERT INTO it_versions.records (exporter, session_id, document_id,"
                + " boot_time, bucket, seq, template_id, config_id, data, dup_flag, received_by, received_at)"
                + " VALUES (?, ?, ?, ?, 0, ?, 256, 1, ?, false, 'old-node', ?)");
        for (long seq = 1; seq <= 4; seq++) {
            storage.session().execute(insert.bind(doc.exporter(), doc.sessionId(), doc.documentId(), doc.bootTime(),
                    seq, bytes(seq, "x"), Instant.now()));
        }
        storage.session().execute("INSERT INTO it_versions.record_buckets (exporter, session_id, document_id,"
                + " boot_time, bucket) VALUES (?, ?, ?, ?, 0)", doc.exporter(), doc.sessionId(), doc.documentId(),
                doc.bootTime());
        storage.recheckLegacyRows(); // the storage looks at the table at open and every 10 minutes (LegacyRows)
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        try (RecordWriter w = storage.recordWriter("new-node")) {
            writes.add(w.write(doc, 3, 256, 1, true, bytes(3, "x")).toCompletableFuture());
            writes.add(w.write(doc, 4, 256, 1, true, bytes(4, "CHANGED")).toCompletableFuture());
            writes.add(w.write(doc, 5, 256, 1, false, bytes(5, "x")).toCompletableFuture());
            await(writes);
        }
        assertThat(storage.storedSequences(doc)).containsExactly(new SequenceRange(1, 5));
        assertThat(storage.streamRecords(doc)).extracting(StoredRecord::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(new DocumentReads(storage).recordsAfter(doc, 2)).extracting(StoredRecord::seq)
                .containsExactly(3L, 4L, 5L);
        StoredSequences audit = storage.audit().storedSequences(doc, null);
        assertThat(audit.duplicatesRemoved()).isEqualTo(1);
        assertThat(audit.duplicates()).containsExactly(new DuplicateCount("new-node", 1, 0));
        assertThat(audit.conflicting()).containsExactly(4L);
        assertThat(storage.versionConflicts(doc)).singleElement().satisfies(c -> assertThat(c.versions())
                .extracting(StoredRecord::receivedBy).containsExactlyInAnyOrder("old-node", "new-node"));
        assertThat(storage.readRecord(doc, 1).toCompletableFuture().get().orElseThrow().data())
                .isEqualTo(bytes(1, "x"));
        assertThat(storage.recordReader().readVersions(doc, 3).toCompletableFuture().get()).singleElement()
                .satisfies(v -> assertThat(v.receipts()).hasSize(2));
    }

    /**
     * A verdict counts each number stored in differing versions once: found in the versions themselves, whether or not
     * anyone recorded its alarm yet, with the numbers the pre-version table's alarms name (one row per detection).
     */
    @Test
    void aVerdictCountsEachConflictingNumberOnce() throws Exception {
        RecordKey doc = CassandraTestSupport.newDocument("cmts-count");
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        try (RecordWriter a = storage.recordWriter("node-a"); RecordWriter b = storage.recordWriter("node-b")) {
            writes.add(a.write(doc, 1, 256, 1, false, bytes(1, "x")).toCompletableFuture());
            writes.add(b.write(doc, 1, 256, 1, true, bytes(1, "y")).toCompletableFuture());
            writes.add(a.write(doc, 2, 256, 1, false, bytes(2, "x")).toCompletableFuture());
            await(writes);
        }
        assertThat(storage.integrityConflicts(doc)).as("no alarm recorded").isEmpty();
        assertThat(storage.conflictCount(doc, storage.audit().storedSequences(doc, null))).isEqualTo(1);

        var legacy = storage.session().prepare("INSERT INTO it_versions.integrity_conflicts (exporter, session_id,"
                + " document_id, boot_time, seq, detected_at, detected_by) VALUES (?, ?, ?, ?, ?, ?, ?)");
        for (Object[] row : List.of(new Object[] {1L, "old-a"}, new Object[] {1L, "old-b"}, new Object[] {7L, "old-a"})) {
            storage.session().execute(legacy.bind(doc.exporter(), doc.sessionId(), doc.documentId(), doc.bootTime(),
                    row[0], Instant.now(), row[1]));
        }
        storage.recheckLegacyRows(); // the storage looks at the table at open and every 10 minutes (LegacyRows)
        assertThat(storage.conflictCount(doc, storage.audit().storedSequences(doc, null)))
                .as("numbers 1 (in the versions and twice in the old alarms) and 7").isEqualTo(2);
    }

    /** However many detectors find a conflict, its alarm is recorded once: only the first call is told to raise it. */
    @Test
    void aConflictIsRecordedOnceWhoeverFindsIt() throws Exception {
        RecordKey doc = CassandraTestSupport.newDocument("cmts-once");
        IntegrityConflict byA = new IntegrityConflict(doc, 9, Instant.now(), "node-a", bytes(9, "x"),
                bytes(9, "y"), "read-back");
        IntegrityConflict byB = new IntegrityConflict(doc, 9, Instant.now(), "node-b", bytes(9, "y"),
                bytes(9, "x"), "read-back");
        DefaultConsistencyLevel serial = DefaultConsistencyLevel.SERIAL;
        List<CompletableFuture<Boolean>> calls = List.of(
                storage.conflicts().recordConflict(byA, serial).toCompletableFuture(),
                storage.conflicts().recordConflict(byB, serial).toCompletableFuture());
        long raised = 0;
        for (CompletableFuture<Boolean> c : calls) {
            raised += c.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertThat(raised).isEqualTo(1);
        assertThat(storage.conflicts().recordConflict(byA, serial).toCompletableFuture().get()).isFalse();
        assertThat(storage.integrityConflicts(doc)).singleElement().satisfies(c -> {
            assertThat(c.seq()).isEqualTo(9);
            assertThat(List.of(c.storedData(), c.receivedData())).containsExactlyInAnyOrder(bytes(9, "x"),
                    bytes(9, "y"));
        });
    }

    @Test
    void digestsTellVersionsApartAndIgnoreTheBuffersPosition() {
        ByteBuffer a = bytes(1, "x");
        ByteBuffer shifted = ByteBuffer.allocate(a.remaining() + 3).put(new byte[3]).put(a.duplicate());
        shifted.position(3);
        assertThat(RecordDigest.of(256, 1, a)).isEqualTo(RecordDigest.of(256, 1, shifted));
        assertThat(a.position()).isZero();
        assertThat(RecordDigest.of(256, 1, a)).isNotEqualTo(RecordDigest.of(256, 1, bytes(1, "y")))
                .isNotEqualTo(RecordDigest.of(257, 1, a)).isNotEqualTo(RecordDigest.of(256, 2, a));
        assertThat(RecordDigest.of(256, 1, a).remaining()).isEqualTo(RecordDigest.LENGTH);
    }

    @Test
    void receiptsRoundTripAndOrderByStretch() {
        Receipt first = Receipt.next("node with spaces");
        Receipt second = Receipt.next("n2");
        assertThat(second.stretch()).isGreaterThan(first.stretch());
        assertThat(Receipt.parse(first.cell(true))).isEqualTo(new Receipt.Cell(first, true));
        assertThat(Receipt.parse(second.cell(false))).isEqualTo(new Receipt.Cell(second, false));
        assertThat(Receipt.parse("garbage").receipt().node()).isEqualTo("garbage");
        List<String> cells = new ArrayList<>(List.of(second.cell(false), first.cell(true)));
        cells.sort(StoredRecord.FIRST_RECEIPT_FIRST);
        assertThat(cells).containsExactly(first.cell(true), second.cell(false));
    }
}
