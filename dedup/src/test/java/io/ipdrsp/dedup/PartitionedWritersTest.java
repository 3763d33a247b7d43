package io.ipdrsp.dedup;

import static io.ipdrsp.dedup.HazelcastTestSupport.await;
import static io.ipdrsp.dedup.HazelcastTestSupport.freePort;
import static io.ipdrsp.dedup.HazelcastTestSupport.member;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.DuplicateCount;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.RecordWriter;
import io.ipdrsp.storage.SequenceRange;
import io.ipdrsp.storage.StorageConfig;
import io.ipdrsp.storage.StoredRecord;
import io.ipdrsp.storage.StoredSequences;
import io.ipdrsp.storage.WriteOutcome;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two writers that cannot see each other's shared state — two dedup instances on two separate Hazelcast clusters, as
 * in a split brain or two sites — against one real Cassandra. Integrity and counting come from Cassandra's key and
 * receipts, not from the shared view: differing bytes are both kept and alarmed exactly once, identical re-sends are
 * one record counted by the audit's rule (receipts − versions).
 */
class PartitionedWritersTest {
    private static CassandraStorage storage;
    private static HazelcastInstance siteA;
    private static HazelcastInstance siteP;

    @BeforeAll
    static void start() {
        CassandraServer server = CassandraServer.shared();
        storage = CassandraStorage.open(StorageConfig.defaults(List.of(server.contactPoint()),
                server.localDatacenter(), "it_partition"));
        int a = freePort();
        int p = freePort();
        siteA = member("it-part-a-" + System.nanoTime(), "a", a, List.of("127.0.0.1:" + a));
        siteP = member("it-part-p-" + System.nanoTime(), "p", p, List.of("127.0.0.1:" + p));
    }

    @AfterAll
    static void stop() {
        if (siteA != null) {
            siteA.shutdown();
        }
        if (siteP != null) {
            siteP.shutdown();
        }
        if (storage != null) {
            storage.close();
        }
    }

    private static RecordKey newDocument() {
        return new RecordKey("cmts-" + UUID.randomUUID().toString().substring(0, 8), 1, UUID.randomUUID(),
                1_700_000_000L);
    }

    private static ByteBuffer bytes(long seq, String variant) {
        return ByteBuffer.wrap(("record " + seq + " " + variant).getBytes(StandardCharsets.UTF_8));
    }

    /** Publishes every 5 ms or 5 records, reads back 500 ms after the write. */
    private static DedupSettings settings() {
        return new DedupSettings(Duration.ofMillis(5), 5, 0, Duration.ofMillis(500));
    }

    /** Writes first..last through {@code d} (7 with {@code seven}'s bytes) and returns the outcomes. */
    private static List<WriteOutcome> send(RecordDeduplicator d, RecordWriter w, DocumentHandle h, long first,
            long last, boolean dupFlag, String seven) throws Exception {
        List<CompletableFuture<WriteOutcome>> f = new ArrayList<>();
        for (long seq = first; seq <= last; seq++) {
            f.add(d.write(h, seq, 256, 1, dupFlag, bytes(seq, seq == 7 ? seven : "x")).toCompletableFuture());
        }
        w.flush();
        List<WriteOutcome> out = new ArrayList<>();
        for (CompletableFuture<WriteOutcome> o : f) {
            out.add(o.get(30, TimeUnit.SECONDS));
        }
        return out;
    }

    /**
     * Node a stores 1..10. Cut off from it, node p receives the re-sent 5..10 with the D flag, 7 with other bytes.
     * The exporter then fails back to a, which receives 5..10 again with the original bytes. Both nodes read 7 back
     * and find two versions; the alarm is raised once in all (not per node, not zero), both versions are kept and
     * visible to whoever asks storage, readers see one record per number, and the finalizer's check adds nothing.
     */
    @Test
    void differentBytesInAPartitionAreBothKeptAndAlarmedOnce() throws Exception {
        RecordKey key = newDocument();
        try (RecordWriter wa = storage.recordWriter("a"); RecordWriter wp = storage.recordWriter("p");
             RecordDeduplicator a = RecordDeduplicator.start("a", siteA, storage, wa, settings());
             RecordDeduplicator p = RecordDeduplicator.start("p", siteP, storage, wp, settings())) {
            DocumentHandle a1 = a.sessionStarted(key, 1, true);
            await("a loaded", 20_000, a1::isReady);
            assertThat(send(a, wa, a1, 1, 10, false, "x")).containsOnly(WriteOutcome.STORED);
            a.flush();

            DocumentHandle p1 = p.sessionStarted(key, 5, true);
            await("p loaded", 20_000, p1::isReady);
            assertThat(send(p, wp, p1, 5, 10, true, "CHANGED")).hasSize(6);
            DocumentHandle a2 = a.sessionStarted(key, 5, true);
            await("a reloaded", 20_000, a2::isReady);
            assertThat(send(a, wa, a2, 5, 10, true, "x")).containsOnly(WriteOutcome.DUPLICATE);

            await("both nodes found the conflict", 30_000,
                    () -> a.metrics().conflictsFound() >= 1 && p.metrics().conflictsFound() >= 1);
            assertThat(a.metrics().integrityAlarms() + p.metrics().integrityAlarms()).as("alarms in all").isEqualTo(1);
            assertThat(storage.integrityConflicts(key)).singleElement().satisfies(c -> assertThat(c.seq())
                    .isEqualTo(7));
            assertThat(storage.versionConflicts(key)).singleElement().satisfies(c -> {
                assertThat(c.seq()).isEqualTo(7);
                assertThat(c.versions()).extracting(StoredRecord::data)
                        .containsExactlyInAnyOrder(bytes(7, "x"), bytes(7, "CHANGED"));
                assertThat(c.versions()).extracting(StoredRecord::receivedBy).containsExactlyInAnyOrder("a", "p");
            });
            assertThat(storage.streamRecords(key)).extracting(StoredRecord::seq)
                    .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
            assertThat(a.conflictAlarm().checkDocument(key)).as("the finalizer's check: already raised").isZero();
            assertThat(p.conflictAlarm().checkDocument(key)).isZero();
            assertThat(a.metrics().integrityAlarms() + p.metrics().integrityAlarms()).isEqualTo(1);
            // receipts: a 10 + p 6 + a again 6 = 22; versions 11 (7 twice): 11 duplicates removed
            StoredSequences audit = storage.audit().storedSequences(key, null);
            assertThat(audit.duplicatesRemoved()).isEqualTo(11);
            assertThat(audit.conflicting()).containsExactly(7L);
        }
    }

    /**
     * Nodes a and p, cut off from each other, both open the document; a stores 1..20, then p receives the re-sent
     * 11..20 (D flag), same bytes. One record per number, no alarm; the audit counts ten duplicates removed (p's
     * receipts after a's), and p's read-backs find them too (its view, loaded before a's records, did not hold them: a
     * late count, on the stretch and node-wide).
     */
    @Test
    void identicalResendsThroughTwoPartitionedWritersAreOneRecordCountedOnce() throws Exception {
        RecordKey key = newDocument();
        try (RecordWriter wa = storage.recordWriter("a"); RecordWriter wp = storage.recordWriter("p");
             RecordDeduplicator a = RecordDeduplicator.start("a", siteA, storage, wa, settings());
             RecordDeduplicator p = RecordDeduplicator.start("p", siteP, storage, wp, settings())) {
            DocumentHandle ha = a.sessionStarted(key, 1, true);
            DocumentHandle hp = p.sessionStarted(key, 11, true);
            await("a and p loaded", 20_000, () -> ha.isReady() && hp.isReady());
            assertThat(send(a, wa, ha, 1, 20, false, "x")).containsOnly(WriteOutcome.STORED);
            assertThat(send(p, wp, hp, 11, 20, true, "x")).containsOnly(WriteOutcome.STORED);

            await("p's read-backs", 30_000, () -> p.metrics().lateDuplicates() == 10);
            assertThat(hp.resends()).isEqualTo(10);
            assertThat(a.metrics().resends()).isZero();
            assertThat(storage.streamRecords(key).count()).isEqualTo(20);
            assertThat(storage.storedSequences(key)).containsExactly(new SequenceRange(1, 20));
            assertThat(storage.versionConflicts(key)).isEmpty();
            StoredSequences audit = storage.audit().storedSequences(key, null);
            assertThat(audit.duplicatesRemoved()).isEqualTo(10);
            assertThat(audit.duplicates()).containsExactly(new DuplicateCount("p", 10, 0));
            assertThat(a.metrics().integrityAlarms() + p.metrics().integrityAlarms()).isZero();
        }
    }

    /**
     * The driver gives up on writes (a 1 ms request timeout) that may still land; the node retries each with the same
     * stretch until it succeeds. Nothing is counted twice: no re-send on the stretch, none in the audit, one receipt
     * per record.
     */
    @Test
    void aRetriedWriteThatHadLandedIsNotCountedTwice() throws Exception {
        RecordKey key = newDocument();
        StorageConfig hasty = storage.config().withRequestTimeout(Duration.ofMillis(1));
        int failedFirst = 0;
        int retries = 0;
        long written = 0;
        try (CassandraStorage slow = CassandraStorage.open(hasty); RecordWriter w = slow.recordWriter("r");
             RecordDeduplicator d = RecordDeduplicator.start("r", siteA, storage, w, settings())) {
            DocumentHandle h = d.sessionStarted(key, 0, true);
            await("loaded", 20_000, h::isReady);
            // rounds of 1 000 until the driver has given up on some (its timer ticks every 100 ms, so not every time)
            for (long round = 0; round < 10 && failedFirst == 0; round++) {
                List<CompletableFuture<WriteOutcome>> first = new ArrayList<>();
                for (long seq = round * 1_000; seq < (round + 1) * 1_000; seq++) {
                    first.add(d.write(h, seq, 256, 1, false, bytes(seq, "x")).toCompletableFuture());
                }
                w.flush();
                for (int i = 0; i < first.size(); i++) {
                    long seq = round * 1_000 + i;
                    WriteOutcome o = null;
                    try {
                        o = first.get(i).get(30, TimeUnit.SECONDS);
                    } catch (ExecutionException timedOut) {
                        failedFirst++;
                    }
                    while (o == null) { // the node's retry: same stretch, same record
                        retries++;
                        try {
                            o = d.write(h, seq, 256, 1, false, bytes(seq, "x")).toCompletableFuture()
                                    .get(30, TimeUnit.SECONDS);
                        } catch (ExecutionException again) {
                            assertThat(retries).as("retries").isLessThan(100_000);
                        }
                    }
                    assertThat(o).as("seq %d", seq).isEqualTo(WriteOutcome.STORED);
                }
                written = (round + 1) * 1_000;
            }
            System.out.printf("1 ms timeout: %d of %d first writes failed, %d retries%n", failedFirst, written,
                    retries);
            assertThat(failedFirst).as("writes the driver gave up on").isPositive();
            assertThat(d.metrics().resends()).isZero();
            assertThat(h.resends()).isZero();
        }
        StoredSequences audit = storage.audit().storedSequences(key, null);
        assertThat(audit.ranges()).containsExactly(new SequenceRange(0, written - 1));
        assertThat(audit.duplicatesRemoved()).isZero();
        assertThat(storage.streamRecords(key)).allSatisfy(r -> assertThat(r.receipts()).hasSize(1));
    }

    /**
     * A brand-new document (nothing stored anywhere): its records are written as they arrive, even before its view has
     * loaded, and none is ever read — one read of the document's buckets to learn it is new, no read per record.
     */
    @Test
    void aBrandNewDocumentsRecordsAreWrittenWithoutARead() throws Exception {
        RecordKey key = newDocument();
        try (RecordWriter w = storage.recordWriter("n");
             RecordDeduplicator d = RecordDeduplicator.start("n", siteA, storage, w, settings())) {
            DocumentHandle h = d.sessionStarted(key, 0, true);
            assertThat(send(d, w, h, 0, 199, false, "x")).containsOnly(WriteOutcome.STORED);
            await("view loaded and every record decided", 20_000,
                    () -> h.isReady() && d.metrics().plainWrites() + d.metrics().checkedWrites() == 200);
            assertThat(d.metrics().plainWrites()).isEqualTo(200);
            assertThat(d.metrics().checkedWrites()).isZero();
            assertThat(d.metrics().recordReads()).isZero();
            assertThat(d.metrics().rebuilds()).isEqualTo(1);
            assertThat(storage.storedSequences(key)).containsExactly(new SequenceRange(0, 199));
        }
    }
}
