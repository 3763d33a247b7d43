package io.ipdrsp.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pre-version {@code records} table is read only while it holds rows ({@link LegacyRows}): what Cassandra itself
 * counts as reads of that table ({@code system_views.local_read_latency}) does not move while it is empty, and the
 * rows are part of their document once there are some.
 */
class LegacyRowsTest {
    /** A keyspace of its own per run: the shared test server outlives runs locally, and this one must start empty. */
    private static final String KEYSPACE = "it_legacy_" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private static CassandraStorage storage;

    @BeforeAll
    static void open() {
        storage = CassandraStorage.open(CassandraTestSupport.config(KEYSPACE));
    }

    @AfterAll
    static void close() {
        storage.close();
    }

    private static long legacyReads() {
        var row = storage.session().execute("SELECT count FROM system_views.local_read_latency"
                + " WHERE keyspace_name = ? AND table_name = 'records'", KEYSPACE).one();
        return row == null ? 0 : row.getLong(0);
    }

    private static ByteBuffer bytes(long seq) {
        return ByteBuffer.wrap(("record " + seq).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theLegacyTableIsReadOnlyOnceItHoldsRows() throws Exception {
        RecordKey doc = CassandraTestSupport.newDocument("cmts-legacy-rows");
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        try (RecordWriter w = storage.recordWriter("node-1")) {
            for (long seq = 2; seq <= 10; seq++) {
                writes.add(w.write(doc, seq, 256, 1, false, bytes(seq)).toCompletableFuture());
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        long before = legacyReads();
        assertThat(storage.storedSequences(doc)).containsExactly(new SequenceRange(2, 10));
        assertThat(storage.audit().storedSequences(doc, null).ranges()).containsExactly(new SequenceRange(2, 10));
        assertThat(storage.streamRecords(doc)).hasSize(9);
        assertThat(storage.recordReader().readVersions(doc, 5).toCompletableFuture().get(20, TimeUnit.SECONDS))
                .hasSize(1);
        assertThat(legacyReads()).as("no read of an empty legacy table").isEqualTo(before);

        storage.session().execute("INSERT INTO " + KEYSPACE + ".records (exporter, session_id, document_id, boot_time,"
                + " bucket, seq, template_id, config_id, data, dup_flag, received_by, received_at)"
                + " VALUES (?, ?, ?, ?, 0, 1, 256, 1, ?, false, 'old-node', ?)", doc.exporter(), doc.sessionId(),
                doc.documentId(), doc.bootTime(), bytes(1), Instant.now());
        storage.recheckLegacyRows(); // what the storage does by itself every LegacyRows.RECHECK
        assertThat(storage.storedSequences(doc)).containsExactly(new SequenceRange(1, 10));
        assertThat(storage.audit().storedSequences(doc, null).perNode()).containsEntry("old-node", 1L);
        assertThat(storage.streamRecords(doc)).extracting(StoredRecord::receivedBy).first().isEqualTo("old-node");
        assertThat(storage.recordReader().readVersions(doc, 1).toCompletableFuture().get(20, TimeUnit.SECONDS))
                .singleElement().satisfies(v -> assertThat(v.receivedBy()).isEqualTo("old-node"));
        assertThat(legacyReads()).as("reads of the legacy table once it holds rows").isGreaterThan(before);
    }
}
