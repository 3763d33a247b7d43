package io.ipdrsp.dedup;

import static io.ipdrsp.dedup.HazelcastTestSupport.await;
import static io.ipdrsp.dedup.HazelcastTestSupport.freePort;
import static io.ipdrsp.dedup.HazelcastTestSupport.member;
import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.IntegrityConflict;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.RecordWriter;
import io.ipdrsp.storage.SequenceRange;
import io.ipdrsp.storage.StorageConfig;
import io.ipdrsp.storage.StoredRecord;
import io.ipdrsp.storage.WriteOutcome;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dedup against a real Cassandra and a real two-member Hazelcast cluster: every record is written at once (never read
 * first); those that may exist elsewhere are read back after their write; re-sends are counted, differing versions
 * both kept and alarmed. Partitions (separate clusters) are in {@link PartitionedWritersTest}.
 */
class DeduplicatorTest {
    private static CassandraStorage storage;
    private static HazelcastInstance hzA;
    private static HazelcastInstance hzB;

    @BeforeAll
    static void start() throws Exception {
        CassandraServer server = CassandraServer.shared();
        storage = CassandraStorage.open(StorageConfig.defaults(List.of(server.contactPoint()),
                server.localDatacenter(), "it_dedup"));
        String cluster = "it-dedup-" + System.nanoTime();
        int portA = freePort();
        int portB = freePort();
        List<String> join = List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB);
        hzA = member(cluster, "a", portA, join);
        hzB = member(cluster, "b", portB, join);
        await("2 members", 20_000, () -> hzA.getCluster().getMembers().size() == 2);
    }

    @AfterAll
    static void stop() {
        if (hzA != null) {
            hzA.shutdown();
        }
        if (hzB != null) {
            hzB.shutdown();
        }
        if (storage != null) {
            storage.close();
        }
    }

    private static RecordKey newDocument() {
        return new RecordKey("cmts-" + UUID.randomUUID().toString().substring(0, 8), 3, UUID.randomUUID(),
                1_700_000_000L);
    }

    static ByteBuffer bytes(long seq, String variant) {
        return ByteBuffer.wrap(("record " + seq + " " + variant + " ".repeat((int) (seq % 50)))
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Publishes every 5 ms or 5 records; suspect after a continuation from Hazelcast: 10 (twice the batch, the publish
     * lag) + {@code window} records.
     */
    private static DedupSettings settings(long window) {
        return new DedupSettings(Duration.ofMillis(5), 5, window, Duration.ofMillis(300));
    }

    private static <T> T get(java.util.concurrent.CompletionStage<T> s) throws Exception {
        return s.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    /** Writes {@code first..last} (no D flag) through {@code d}, flushes the writer, and asserts each was STORED. */
    private static void writeStored(RecordDeduplicator d, RecordWriter writer, DocumentHandle doc, long first,
            long last) throws Exception {
        List<CompletableFuture<WriteOutcome>> outcomes = new ArrayList<>();
        for (long seq = first; seq <= last; seq++) {
            outcomes.add(d.write(doc, seq, 256, 1, false, bytes(seq, "x")).toCompletableFuture());
        }
        writer.flush();
        for (CompletableFuture<WriteOutcome> o : outcomes) {
            assertThat(o.get(20, TimeUnit.SECONDS)).isEqualTo(WriteOutcome.STORED);
        }
    }

    /**
     * One node: a D-flagged record is written at once (STORED) and read back later. A re-send of the same bytes in a
     * new stretch (a reconnect) is a DUPLICATE that changes nothing; other bytes in a third stretch are a second
     * version, kept beside the first, found by the read-back: the alarm is raised once and recorded with both.
     */
    @Test
    void differingBytesAreKeptAsASecondVersionAndAlarmedOnce() throws Exception {
        RecordKey key = newDocument();
        try (RecordWriter writer = storage.recordWriter("n1");
             RecordDeduplicator d = RecordDeduplicator.start("n1", hzA, storage, writer, settings(0))) {
            DocumentHandle first = d.sessionStarted(key, 0, true);
            await("document loaded", 20_000, first::isReady);
            CompletableFuture<WriteOutcome> stored = d.write(first, 42, 1, 7, true, bytes(42, "x"))
                    .toCompletableFuture();
            writer.flush();
            assertThat(stored.get(20, TimeUnit.SECONDS)).isEqualTo(WriteOutcome.STORED);
            DocumentHandle second = d.sessionStarted(key, 42, true);
            await("reloaded", 20_000, second::isReady);
            assertThat(get(flushed(writer, d.write(second, 42, 1, 7, true, bytes(42, "x")))))
                    .isEqualTo(WriteOutcome.DUPLICATE);
            DocumentHandle third = d.sessionStarted(key, 42, true);
            await("reloaded again", 20_000, third::isReady);
            assertThat(get(flushed(writer, d.write(third, 42, 1, 7, true, bytes(42, "CHANGED")))))
                    .isEqualTo(WriteOutcome.DUPLICATE); // a re-send of 42; its bytes are compared by the read-back

            await("alarm", 20_000, () -> d.metrics().integrityAlarms() == 1);
            assertThat(storage.streamRecords(key)).extracting(StoredRecord::seq).containsExactly(42L);
            assertThat(storage.versionConflicts(key)).singleElement().satisfies(c -> assertThat(c.versions())
                    .extracting(StoredRecord::data).containsExactlyInAnyOrder(bytes(42, "x"), bytes(42, "CHANGED")));
            assertThat(storage.integrityConflicts(key)).singleElement().satisfies(c -> {
                assertThat(c.seq()).isEqualTo(42);
                assertThat(List.of(c.storedData(), c.receivedData())).containsExactlyInAnyOrder(bytes(42, "x"),
                        bytes(42, "CHANGED"));
            });
            assertThat(d.metrics().resends()).isEqualTo(2);
            assertThat(second.resends()).isEqualTo(1);
            assertThat(third.resends()).isEqualTo(1);
            // the audit's rule: receipts beyond each version's first; the changed bytes are a version, not a duplicate
            assertThat(storage.audit().storedSequences(key, null).duplicatesRemoved()).isEqualTo(1);
            await("every read-back answered", 20_000, () -> d.metrics().readBacks() == 3);
            assertThat(d.metrics().checkedWrites()).isEqualTo(3);
            assertThat(d.metrics().conflictsFound()).isBetween(2L, 3L); // the first read-back may come too early
            assertThat(d.metrics().integrityAlarms()).isEqualTo(1);
            assertThat(d.conflictAlarm().checkDocument(key)).as("the finalizer's check raises nothing new").isZero();
        }
    }

    /** Writes through the writer now instead of after its linger. */
    private static <T> java.util.concurrent.CompletionStage<T> flushed(RecordWriter writer,
            java.util.concurrent.CompletionStage<T> write) {
        writer.flush();
        return write;
    }

    /**
     * A takeover: node b stores a re-sent record; then the dead primary's in-flight write of the same number lands
     * late with other bytes. It cannot replace b's version (another digest, another row); the read-back after
     * verifyDelay finds both and raises the alarm with both versions.
     */
    @Test
    void aLateWriteOfTheDeadPrimaryIsASecondVersionFoundByTheReadBack() throws Exception {
        RecordKey key = newDocument();
        try (RecordWriter oldPrimary = storage.recordWriter("dead");
             RecordWriter writer = storage.recordWriter("b");
             RecordDeduplicator b = RecordDeduplicator.start("b", hzB, storage, writer,
                     settings(0).withVerifyDelay(Duration.ofSeconds(3)))) {
            DocumentHandle doc = b.sessionStarted(key, 7, true);
            await("document loaded", 20_000, doc::isReady);
            assertThat(get(flushed(writer, b.write(doc, 7, 256, 1, true, bytes(7, "x")))))
                    .isEqualTo(WriteOutcome.STORED);
            get(oldPrimary.write(key, 7, 256, 1, false, bytes(7, "LATE")));
            assertThat(b.metrics().integrityAlarms()).isZero(); // not yet: the read-back runs verifyDelay later
            await("alarm", 20_000, () -> b.metrics().integrityAlarms() == 1);
            IntegrityConflict c = storage.integrityConflicts(key).get(0);
            assertThat(c.seq()).isEqualTo(7);
            assertThat(c.detectedBy()).isEqualTo("b");
            assertThat(List.of(c.storedData(), c.receivedData())).containsExactlyInAnyOrder(bytes(7, "LATE"),
                    bytes(7, "x"));
            assertThat(storage.versionConflicts(key)).singleElement().satisfies(v -> assertThat(v.versions())
                    .extracting(StoredRecord::receivedBy).containsExactlyInAnyOrder("b", "dead"));
        }
    }

    /**
     * Node a is primary and stores 1..100, never reading; the exporter fails over to node b, which resends the unacked
     * tail with the D flag, the last one without it, one with changed bytes, and one below its
     * firstRecordSequenceNumber; then new records. Every re-send is a DUPLICATE (the view holds it) and one record;
     * the changed one is a second version whose read-back raises the alarm; the first records past the known maximum
     * (the publish lag and the window) are read back, the rest never.
     */
    @Test
    void failoverResendsAreDuplicatesAndChangedBytesRaiseTheAlarm() throws Exception {
        RecordKey key = newDocument();
        try (RecordWriter writerA = storage.recordWriter("a"); RecordWriter writerB = storage.recordWriter("b");
             RecordDeduplicator a = RecordDeduplicator.start("a", hzA, storage, writerA, settings(10));
             RecordDeduplicator b = RecordDeduplicator.start("b", hzB, storage, writerB, settings(10))) {
            DocumentHandle docA = a.sessionStarted(key, 1, true);
            await("document loaded on a", 20_000, docA::isReady);
            writeStored(a, writerA, docA, 1, 100);
            assertThat(a.metrics().plainWrites()).isEqualTo(100);
            IMap<String, DocumentRanges> ranges = hzB.getMap(RecordDeduplicator.RANGES_MAP);
            await("a's ranges published", 10_000, () -> {
                DocumentRanges v = ranges.get(DocumentKeys.of(key));
                return v != null && v.stored().containsAll(1, 100);
            });

            // two batches: publishBatch (5), or twice what a's recent publishes carried if that is less
            long recent = ranges.get(DocumentKeys.of(key)).recentBatch();
            assertThat(recent).isPositive();
            long lag = 2 * Math.min(5, 2 * recent);

            // failover: b gets SESSION_START as primary, firstRecordSequenceNumber 95
            DocumentHandle docB = b.sessionStarted(key, 95, true);
            await("document loaded on b", 20_000, docB::isReady);
            assertThat(docB.knownSnapshot().containsAll(1, 100)).isTrue();
            for (long seq = 95; seq <= 98; seq++) {
                assertThat(get(flushed(writerB, b.write(docB, seq, 256, 1, true, bytes(seq, "x")))))
                        .isEqualTo(WriteOutcome.DUPLICATE);
            }
            assertThat(get(flushed(writerB, b.write(docB, 99, 256, 1, true, bytes(99, "CHANGED")))))
                    .isEqualTo(WriteOutcome.DUPLICATE);
            // the last resent record without the D flag, and an old one below firstRecordSequenceNumber
            assertThat(b.classify(docB, 100, false)).isEqualTo(RecordDeduplicator.Verdict.SUSPECT);
            assertThat(get(flushed(writerB, b.write(docB, 100, 256, 1, false, bytes(100, "x")))))
                    .isEqualTo(WriteOutcome.DUPLICATE);
            assertThat(get(flushed(writerB, b.write(docB, 10, 256, 1, false, bytes(10, "x")))))
                    .isEqualTo(WriteOutcome.DUPLICATE);
            // new records: the first lag + 10 above the known max are read back after their write, the rest never
            long last = 100 + lag + 10 + 10;
            writeStored(b, writerB, docB, 101, last);

            DedupMetrics m = b.metrics();
            assertThat(m.duplicatesFlagged()).isEqualTo(5);
            assertThat(m.duplicatesUnflagged()).isEqualTo(2);
            assertThat(docB.resends()).isEqualTo(7);
            assertThat(m.checkedWrites()).isEqualTo(7 + lag + 10);
            assertThat(m.plainWrites()).isEqualTo(10);
            await("read-backs done", 20_000, () -> m.checkedAbsent() == lag + 10 && m.integrityAlarms() == 1);
            assertThat(m.lateDuplicates()).isZero();
            assertThat(m.failoversObserved()).isEqualTo(1);
            assertThat(m.takeovers()).isEqualTo(1);
            assertThat(a.metrics().failoversObserved()).isZero();
            assertThat(a.metrics().checkedWrites()).as("a brand-new document: nothing read back").isZero();

            assertThat(storage.storedSequences(key)).containsExactly(new SequenceRange(1, last));
            assertThat(storage.streamRecords(key).count()).isEqualTo(last);
            assertThat(storage.versionConflicts(key)).singleElement().satisfies(c -> {
                assertThat(c.seq()).isEqualTo(99);
                assertThat(c.versions()).extracting(StoredRecord::data)
                        .containsExactlyInAnyOrder(bytes(99, "x"), bytes(99, "CHANGED"));
            });
            IntegrityConflict c = storage.integrityConflicts(key).get(0);
            assertThat(c.seq()).isEqualTo(99);
            assertThat(c.detectedBy()).isEqualTo("b");
            assertThat(storage.audit().storedSequences(key, null).duplicatesRemoved()).isEqualTo(6);
            await("b's ranges published", 10_000, () -> ranges.get(DocumentKeys.of(key)).stored().rangeCount() == 1
                    && ranges.get(DocumentKeys.of(key)).stored().max() == last);
            // the primary of the session as the cluster view shows it
            HazelcastStreamRegistry registry = new HazelcastStreamRegistry(hzA, 60);
            registry.publish(new SessionState("b", key.exporter(), 3, "s", "PRIMARY", key.documentId().toString(),
                    key.bootTime(), 40, 36, last, 6, 1L, 9));
            registry.publish(new SessionState("a", key.exporter(), 3, "s", "BACKUP", "", 0, 0, 0, -1, 0, 1L));
            await("view", 10_000, () -> registry.all().size() >= 2);
            SessionView view = registry.session(key.exporter(), 3).orElseThrow();
            assertThat(view.primaryNodeId()).isEqualTo("b");
            assertThat(view.backupNodeIds()).containsExactly("a");
            assertThat(view.lastAckedDsn()).isEqualTo(last);
            assertThat(view.configId()).isEqualTo(9);
        }
    }

    /**
     * Cold start: records are in Cassandra but the cluster has never heard of the document. Opening it rebuilds the
     * range set from storage, publishes it (complete) to Hazelcast, and a resend without the D flag is a duplicate.
     */
    /**
     * An exporter opens the session as primary on both collectors at once and hands one off before any DATA (seed
     * 004's start-up). The stretch that never carried data claims nothing: the data's first move afterwards, from b to
     * a, is counted on a as a failover, and b's own start is not.
     */
    @Test
    void aPrimaryStretchWithoutDataIsNotAFailoverSource() throws Exception {
        RecordKey key = newDocument();
        try (RecordWriter writerA = storage.recordWriter("a"); RecordWriter writerB = storage.recordWriter("b");
             RecordDeduplicator a = RecordDeduplicator.start("a", hzA, storage, writerA, settings(10));
             RecordDeduplicator b = RecordDeduplicator.start("b", hzB, storage, writerB, settings(10))) {
            DocumentHandle idleOnA = a.sessionStarted(key, 1, true);
            DocumentHandle onB = b.sessionStarted(key, 1, true);
            await("document loaded on both", 20_000, () -> idleOnA.isReady() && onB.isReady());
            a.sessionStopped(idleOnA);
            writeStored(b, writerB, onB, 1, 50);
            IMap<String, PrimaryClaim> primaries = hzA.getMap(RecordDeduplicator.PRIMARY_MAP);
            String session = PrimaryClaim.key(key.exporter(), key.sessionId());
            await("b's claim", 10_000, () -> primaries.get(session) != null
                    && "b".equals(primaries.get(session).nodeId()));
            assertThat(b.metrics().failoversObserved()).as("b took over from nobody that carried data").isZero();

            DocumentHandle onA = a.sessionStarted(key, 51, true);
            await("document loaded on a", 20_000, onA::isReady);
            assertThat(a.metrics().failoversObserved()).as("no data on a yet").isZero();
            writeStored(a, writerA, onA, 51, 60);
            await("a's takeover counted", 10_000, () -> a.metrics().failoversObserved() == 1
                    && a.metrics().takeovers() == 1);
            assertThat(primaries.get(session).nodeId()).isEqualTo("a");
            assertThat(b.metrics().failoversObserved()).isZero();
        }
    }

    @Test
    void coldClusterRebuildsRangeSetFromCassandra() throws Exception {
        RecordKey key = newDocument();
        try (RecordWriter plain = storage.recordWriter("old-node")) {
            List<CompletableFuture<Void>> w = new ArrayList<>();
            for (long seq = 0; seq < 500; seq++) {
                w.add(plain.write(key, seq, 256, 1, false, bytes(seq, "x")).toCompletableFuture());
            }
            for (long seq = 600; seq < 700; seq++) {
                w.add(plain.write(key, seq, 256, 1, false, bytes(seq, "x")).toCompletableFuture());
            }
            plain.flush();
            CompletableFuture.allOf(w.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
        IMap<String, DocumentRanges> ranges = hzA.getMap(RecordDeduplicator.RANGES_MAP);
        assertThat(ranges.containsKey(DocumentKeys.of(key))).isFalse();
        try (RecordWriter writer = storage.recordWriter("a");
             RecordDeduplicator a = RecordDeduplicator.start("a", hzA, storage, writer, settings(0))) {
            DocumentHandle doc = a.sessionStarted(key, 700, false);
            assertThat(a.classify(doc, 450, false)).isEqualTo(RecordDeduplicator.Verdict.SUSPECT);
            await("rebuilt", 20_000, doc::isReady);
            assertThat(a.metrics().rebuilds()).isEqualTo(1);
            assertThat(doc.knownSnapshot().ranges()).containsExactly(new SequenceRange(0, 499),
                    new SequenceRange(600, 699));
            DocumentRanges published = ranges.get(DocumentKeys.of(key));
            assertThat(published.complete()).isTrue();
            assertThat(published.stored().ranges()).containsExactly(new SequenceRange(0, 499),
                    new SequenceRange(600, 699));
            assertThat(get(a.write(doc, 450, 256, 1, false, bytes(450, "x")))).isEqualTo(WriteOutcome.DUPLICATE);
            assertThat(get(a.write(doc, 550, 256, 1, false, bytes(550, "x")))).isEqualTo(WriteOutcome.STORED);
            assertThat(a.metrics().duplicatesUnflagged()).isEqualTo(1);
        }
    }

    /**
     * The lag a takeover allows for follows what the writer's publishes carried. A slow stream (batches of 10 with a
     * publishBatch of 1 000) makes the new primary check 40 records past the known maximum (two batches of twice 10),
     * not 2 000; after a burst the allowance decays by half per publish. Before any writer published (the view came
     * from a rebuild), a full batch is allowed for twice.
     */
    @Test
    void aTakeoverAllowsForTheLagOfTheWritersRecentBatches() throws Exception {
        RecordKey key = newDocument();
        DedupSettings settings = new DedupSettings(Duration.ofSeconds(10), 1_000, 0, Duration.ZERO);
        IMap<String, DocumentRanges> ranges = hzB.getMap(RecordDeduplicator.RANGES_MAP);
        try (RecordWriter plain = storage.recordWriter("old-node")) {
            for (long seq = 1; seq <= 50; seq++) {
                plain.write(key, seq, 256, 1, false, bytes(seq, "x"));
            }
            plain.flush();
            await("old records stored", 20_000, () -> storage.storedSequences(key).size() == 1
                    && storage.storedSequences(key).get(0).last() == 50);
        }
        try (RecordWriter writerA = storage.recordWriter("a"); RecordWriter writerB = storage.recordWriter("b");
             RecordDeduplicator a = RecordDeduplicator.start("a", hzA, storage, writerA, settings);
             RecordDeduplicator b = RecordDeduplicator.start("b", hzB, storage, writerB, settings)) {
            DocumentHandle docA = a.sessionStarted(key, 51, true);
            await("rebuilt on a", 20_000, docA::isReady);
            DocumentHandle before = b.sessionStarted(key, 51, false);
            await("loaded on b", 20_000, before::isReady);
            // nobody published yet: twice publishBatch
            assertThat(b.classify(before, 50 + 2_000, false)).isEqualTo(RecordDeduplicator.Verdict.SUSPECT);
            assertThat(b.classify(before, 50 + 2_001, false)).isEqualTo(RecordDeduplicator.Verdict.NEW);
            b.sessionStopped(before);

            long next = 51;
            for (int batch : new int[] {40, 10, 10, 10}) {
                writeStored(a, writerA, docA, next, next + batch - 1);
                next += batch;
                a.flush();
                long max = next - 1;
                await("batch published", 10_000, () -> ranges.get(DocumentKeys.of(key)).stored().max() == max);
            }
            // 40, then max(10, 20), max(10, 10), 10
            assertThat(ranges.get(DocumentKeys.of(key)).recentBatch()).isEqualTo(10);
            long max = next - 1;
            DocumentHandle after = b.sessionStarted(key, next, true);
            await("loaded on b again", 20_000, after::isReady);
            assertThat(b.classify(after, max + 40, false)).isEqualTo(RecordDeduplicator.Verdict.SUSPECT);
            assertThat(b.classify(after, max + 41, false)).isEqualTo(RecordDeduplicator.Verdict.NEW);
        }
    }

    /**
     * The other half of that bound: a slow stream that suddenly speeds up must not hold more unpublished than a
     * takeover allows for. After publishes of 10, a burst of 300 records with a 10 s timer is published in growing
     * batches right away: what is left waiting for the timer is within what a takeover would allow for then (two
     * batches of twice the recent publishes).
     */
    @Test
    void aStreamThatSpeedsUpPublishesBeforeItOutgrowsTheAllowance() throws Exception {
        RecordKey key = newDocument();
        DedupSettings settings = new DedupSettings(Duration.ofSeconds(10), 1_000, 0, Duration.ZERO);
        IMap<String, DocumentRanges> ranges = hzB.getMap(RecordDeduplicator.RANGES_MAP);
        try (RecordWriter writer = storage.recordWriter("a");
             RecordDeduplicator a = RecordDeduplicator.start("a", hzA, storage, writer, settings)) {
            DocumentHandle doc = a.sessionStarted(key, 1, true);
            await("document loaded", 20_000, doc::isReady);
            long next = 1;
            for (int slow = 0; slow < 2; slow++) {
                writeStored(a, writer, doc, next, next + 9);
                next += 10;
                a.flush();
                long max = next - 1;
                await("slow batch published", 10_000, () -> ranges.get(DocumentKeys.of(key)) != null
                        && ranges.get(DocumentKeys.of(key)).stored().max() == max);
            }
            long flushesBefore = a.metrics().rangeFlushes();
            writeStored(a, writer, doc, next, next + 299);
            long total = next + 299;
            await("unpublished within the takeover allowance", 5_000, () -> {
                DocumentRanges v = ranges.get(DocumentKeys.of(key));
                return total - v.stored().cardinality() <= 2 * Math.min(1_000, 2 * v.recentBatch());
            });
            assertThat(a.metrics().rangeFlushes() - flushesBefore).as("published in batches, not per record")
                    .isBetween(1L, 10L);
        }
    }

    /**
     * A busy document does not wait for the timer: with a 10 s flush interval and batches of 50, all but less than a
     * batch of 120 stored records are in the cluster's range set within seconds, in at most 3 publishes.
     */
    @Test
    void aFullBatchIsPublishedBeforeTheFlushInterval() throws Exception {
        RecordKey key = newDocument();
        DedupSettings slowTimer = new DedupSettings(Duration.ofSeconds(10), 50, 0, Duration.ZERO);
        try (RecordWriter writer = storage.recordWriter("a");
             RecordDeduplicator a = RecordDeduplicator.start("a", hzA, storage, writer, slowTimer)) {
            DocumentHandle doc = a.sessionStarted(key, 1, true);
            await("document loaded", 20_000, doc::isReady);
            writeStored(a, writer, doc, 1, 120);
            IMap<String, DocumentRanges> ranges = hzB.getMap(RecordDeduplicator.RANGES_MAP);
            // a publish takes whatever is pending when it runs, so the batches are not aligned: what is left for
            // the timer is less than one batch, i.e. at least 120 - 49 numbers are published
            await("every full batch published", 5_000, () -> {
                DocumentRanges v = ranges.get(DocumentKeys.of(key));
                return v != null && v.stored().cardinality() >= 120 - 49;
            });
            assertThat(a.metrics().rangeFlushes()).isBetween(1L, 3L); // per batch, not per record
        }
    }

    @Test
    void leadershipFenceInCassandraRefusesAnOlderTerm() throws Exception {
        String exporter = "cmts-" + UUID.randomUUID();
        DefaultConsistencyLevel serial = DefaultConsistencyLevel.SERIAL;
        assertThat(get(storage.advanceFence(exporter, "finalize", 3, "n1", serial))).isTrue();
        assertThat(get(storage.advanceFence(exporter, "finalize", 2, "n2", serial))).isFalse();
        assertThat(get(storage.advanceFence(exporter, "finalize", 3, "n1", serial))).isTrue();
        assertThat(get(storage.advanceFence(exporter, "finalize", 4, "n3", serial))).isTrue();
        assertThat(get(storage.advanceFence(exporter, "finalize", 3, "n1", serial))).isFalse();
    }

    /**
     * A real node membership (Hazelcast + Curator + registry + leadership). ZooKeeper stops: leadership is given up,
     * but classification, plain and checked writes and range publishing go on.
     */
    @Test
    void losingZooKeeperStopsLeadershipButNotIngest() throws Exception {
        TestingServer zk = new TestingServer(true);
        int port = freePort();
        ClusterSettings s = new ClusterSettings("it-zkloss-" + System.nanoTime(), "127.0.0.1", port,
                List.of("127.0.0.1:" + port), zk.getConnectString(), "ipdr-zkloss");
        RecordKey key = newDocument();
        try (ClusterMember member = ClusterMember.join(s, new NodeInfo("z1", "site1", "127.0.0.1", 8081, 4737,
                "test node"), 10_000);
             RecordWriter writer = storage.recordWriter("z1");
             RecordDeduplicator dedup = RecordDeduplicator.start("z1", member.hazelcast(), storage, writer,
                     settings(0))) {
            await("registry cache", 10_000, () -> !member.zooKeeperMembers().isEmpty());
            assertThat(member.zooKeeperMembers()).containsExactly(new NodeInfo("z1", "site1", "127.0.0.1", 8081,
                    4737, "test node"));
            assertThat(member.hazelcastMembers()).singleElement().satisfies(m -> {
                assertThat(m.nodeId()).isEqualTo("z1");
                assertThat(m.site()).isEqualTo("site1");
                assertThat(m.local()).isTrue();
            });
            member.leadership().setExporters(List.of(key.exporter()));
            await("leader", 10_000, () -> member.leadership().isLeader(key.exporter()));

            zk.stop();
            await("leadership given up", 30_000, () -> !member.leadership().isLeader(key.exporter()));
            assertThat(member.zooKeeperConnected()).isFalse();

            DocumentHandle doc = dedup.sessionStarted(key, 1, true);
            await("document loaded", 20_000, doc::isReady);
            writeStored(dedup, writer, doc, 1, 50);
            DocumentHandle reconnected = dedup.sessionStarted(key, 50, true);
            await("reloaded", 20_000, reconnected::isReady);
            assertThat(get(flushed(writer, dedup.write(reconnected, 50, 256, 1, true, bytes(50, "x")))))
                    .isEqualTo(WriteOutcome.DUPLICATE);
            IMap<String, DocumentRanges> ranges = member.hazelcast().getMap(RecordDeduplicator.RANGES_MAP);
            await("ranges published", 10_000, () -> {
                DocumentRanges v = ranges.get(DocumentKeys.of(key));
                return v != null && v.stored().containsAll(1, 50);
            });
            assertThat(dedup.metrics().plainWrites()).isEqualTo(50);
            assertThat(dedup.metrics().duplicatesFlagged()).isEqualTo(1);
        } finally {
            zk.close();
        }
    }
}
