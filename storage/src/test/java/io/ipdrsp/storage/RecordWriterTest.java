package io.ipdrsp.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RecordWriterTest {
    private static CassandraStorage storage;

    @BeforeAll
    static void open() {
        storage = CassandraStorage.open(CassandraTestSupport.config("it_records"));
    }

    @AfterAll
    static void close() {
        storage.close();
    }

    @Test
    void tenThousandRecordsComeBackByteForByteInOrderAcrossBuckets() throws Exception {
        RecordKey doc = CassandraTestSupport.newDocument("cmts-a");
        Map<Long, byte[]> written = new HashMap<>();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        long first = 5_000;
        long last = 25_499; // buckets 0, 1 and 2
        long t0 = System.nanoTime();
        try (RecordWriter writer = storage.recordWriter("node-1")) {
            for (long seq = first; seq <= last; seq++) {
                ByteBuffer data = CassandraTestSupport.recordBytes(seq);
                written.put(seq, array(data));
                futures.add(writer.write(doc, seq, 256, 3, false, data).toCompletableFuture());
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        }
        long writeMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("wrote %d records in %d ms%n", written.size(), writeMs);

        long t1 = System.nanoTime();
        List<StoredRecord> read = storage.streamRecords(doc).toList();
        System.out.printf("streamed %d records in %d ms%n", read.size(), (System.nanoTime() - t1) / 1_000_000);
        assertThat(read).hasSize(written.size());
        long expected = first;
        for (StoredRecord r : read) {
            assertThat(r.seq()).isEqualTo(expected++);
            assertThat(r.dataBytes()).isEqualTo(written.get(r.seq()));
            assertThat(r.templateId()).isEqualTo(256);
            assertThat(r.configId()).isEqualTo(3);
            assertThat(r.receivedBy()).isEqualTo("node-1");
            assertThat(r.dupFlag()).isFalse();
        }
        assertThat(storage.storedSequences(doc)).containsExactly(new SequenceRange(first, last));
        StoredRecord one = storage.readRecord(doc, 10_000).toCompletableFuture().get().orElseThrow();
        assertThat(one.dataBytes()).isEqualTo(written.get(10_000L));
        assertThat(storage.readRecord(doc, last + 1).toCompletableFuture().get()).isEmpty();
    }

    @Test
    void rewritingTheSameRecordsStoresThemOnceAndGapsShowInTheRanges() throws Exception {
        RecordKey doc = CassandraTestSupport.newDocument("cmts-b");
        long[] seqs = {0, 1, 2, 3, 7, 8, 9_999, 10_000, 10_001};
        Map<Long, byte[]> written = new HashMap<>();
        try (RecordWriter a = storage.recordWriter("node-1"); RecordWriter b = storage.recordWriter("node-2")) {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (long seq : seqs) {
                ByteBuffer data = CassandraTestSupport.recordBytes(seq);
                written.put(seq, array(data));
                futures.add(a.write(doc, seq, 1, 1, false, data).toCompletableFuture());
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            futures.clear();
            for (long seq : seqs) { // a resend to another collector, D flag set, same bytes
                futures.add(b.write(doc, seq, 1, 1, true, ByteBuffer.wrap(written.get(seq))).toCompletableFuture());
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
        List<StoredRecord> read = storage.streamRecords(doc).toList();
        assertThat(read).extracting(StoredRecord::seq).containsExactly(0L, 1L, 2L, 3L, 7L, 8L, 9_999L, 10_000L,
                10_001L);
        read.forEach(r -> assertThat(r.dataBytes()).isEqualTo(written.get(r.seq())));
        assertThat(storage.storedSequences(doc)).containsExactly(new SequenceRange(0, 3), new SequenceRange(7, 8),
                new SequenceRange(9_999, 10_001));
    }

    /**
     * The duplicate check's reads: many point reads across two buckets (stored and absent numbers mixed, one number
     * asked twice) each get their own row or empty, byte for byte, whatever batch they travelled in.
     */
    @Test
    void batchedPointReadsAnswerEachNumberWithItsRowOrEmpty() throws Exception {
        RecordKey doc = CassandraTestSupport.newDocument("cmts-r");
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        Map<Long, byte[]> written = new HashMap<>();
        try (RecordWriter writer = storage.recordWriter("node-r")) {
            for (long seq = 9_900; seq < 10_100; seq += 2) { // even numbers only, buckets 0 and 1
                ByteBuffer data = CassandraTestSupport.recordBytes(seq);
                written.put(seq, array(data));
                writes.add(writer.write(doc, seq, 256, 3, false, data).toCompletableFuture());
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        RecordReader reader = storage.recordReader();
        Map<Long, CompletableFuture<java.util.Optional<StoredRecord>>> reads = new HashMap<>();
        for (long seq = 9_850; seq < 10_150; seq++) {
            reads.put(seq, reader.read(doc, seq).toCompletableFuture());
        }
        CompletableFuture<java.util.Optional<StoredRecord>> again = reader.read(doc, 10_000).toCompletableFuture();
        CompletableFuture.allOf(reads.values().toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        for (Map.Entry<Long, CompletableFuture<java.util.Optional<StoredRecord>>> e : reads.entrySet()) {
            long seq = e.getKey();
            java.util.Optional<StoredRecord> r = e.getValue().get();
            if (written.containsKey(seq)) {
                assertThat(r).as("seq %d", seq).isPresent();
                assertThat(r.get().seq()).isEqualTo(seq);
                assertThat(r.get().dataBytes()).isEqualTo(written.get(seq));
                assertThat(r.get().receivedBy()).isEqualTo("node-r");
            } else {
                assertThat(r).as("seq %d", seq).isEmpty();
            }
        }
        assertThat(again.get(20, TimeUnit.SECONDS).orElseThrow().seq()).isEqualTo(10_000);
        assertThat(reader.inFlight()).isZero();
    }

    @Test
    void theCallersBufferMayBeReusedRightAfterWrite() throws Exception {
        RecordKey doc = CassandraTestSupport.newDocument("cmts-c");
        ByteBuffer reused = ByteBuffer.allocate(16);
        try (RecordWriter writer = storage.recordWriter("node-1")) {
            reused.putLong(0, 111).putLong(8, 111);
            CompletableFuture<Void> first = writer.write(doc, 1, 1, 1, false, reused).toCompletableFuture();
            reused.putLong(0, 222).putLong(8, 222);
            CompletableFuture<Void> second = writer.write(doc, 2, 1, 1, false, reused).toCompletableFuture();
            CompletableFuture.allOf(first, second).get(30, TimeUnit.SECONDS);
        }
        assertThat(storage.readRecord(doc, 1).toCompletableFuture().get().orElseThrow().data().getLong(0))
                .isEqualTo(111);
        assertThat(storage.readRecord(doc, 2).toCompletableFuture().get().orElseThrow().data().getLong(0))
                .isEqualTo(222);
    }

    @Test
    void backPressureIsSignalledAndExcessWritesAreRefusedNotLost() throws Exception {
        StorageConfig tight = storage.config().withMaxPendingRecords(200).withBatching(2, 50, Duration.ofMillis(5));
        RecordKey doc = CassandraTestSupport.newDocument("cmts-d");
        AtomicInteger resumed = new AtomicInteger();
        boolean sawNoCapacity = false;
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        try (CassandraStorage s = CassandraStorage.open(tight); RecordWriter writer = s.recordWriter("node-1")) {
            writer.onCapacity(resumed::incrementAndGet);
            for (long seq = 0; seq < 2_000; seq++) {
                futures.add(writer.write(doc, seq, 1, 1, false, CassandraTestSupport.recordBytes(seq))
                        .toCompletableFuture());
                sawNoCapacity |= !writer.hasCapacity();
                // full batches: 2 in flight as before; with a partly filled one, one more while under 2 x 50 records
                assertThat(writer.inFlightRecords()).isLessThan(2 * 50 + 50);
            }
            assertThat(writer.drain(60_000)).isTrue();
            assertThat(writer.hasCapacity()).isTrue();
        }
        List<Long> acked = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < futures.size(); i++) {
            try {
                futures.get(i).join();
                acked.add((long) i);
            } catch (CompletionException e) {
                assertThat(e.getCause()).isInstanceOf(StorageOverloadedException.class);
                refused++;
            }
        }
        System.out.printf("back-pressure: %d stored, %d refused, %d resumes%n", acked.size(), refused, resumed.get());
        assertThat(sawNoCapacity).isTrue();
        assertThat(refused).isPositive();
        assertThat(resumed.get()).isPositive();
        assertThat(storage.streamRecords(doc).map(StoredRecord::seq).toList()).isEqualTo(acked);
    }

    /**
     * A fleet's traffic: a record or two per document at a time, so one record per batch. Bounded by records, not
     * batches, many such batches go at once (32 one-record batches in flight capped a node at 32 / latency records per
     * second, below a thousand CMTSes' traffic: issue 19); their records stay within the same bound.
     */
    @Test
    void smallBatchesOfManyDocumentsGoOutTogetherWithinTheRecordBound() throws Exception {
        StorageConfig small = storage.config().withBatching(2, 50, Duration.ofMillis(500));
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        int inFlightAfterFlush;
        try (CassandraStorage s = CassandraStorage.open(small); RecordWriter writer = s.recordWriter("node-1")) {
            for (int d = 0; d < 40; d++) {
                futures.add(writer.write(CassandraTestSupport.newDocument("cmts-fleet-" + d), 0, 1, 1, false,
                        CassandraTestSupport.recordBytes(d)).toCompletableFuture());
            }
            writer.flush();
            inFlightAfterFlush = writer.inFlight();
            assertThat(writer.inFlightRecords()).isLessThanOrEqualTo(2 * 50);
            assertThat(writer.drain(60_000)).isTrue();
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        System.out.printf("40 one-record batches of 40 documents: %d in flight right after the flush%n",
                inFlightAfterFlush);
        assertThat(inFlightAfterFlush).as("more than maxRequestsInFlight (2) one-record batches at once")
                .isGreaterThan(10);
    }

    static byte[] array(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
