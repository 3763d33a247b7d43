package io.ipdrsp.bench;

import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.RecordWriter;
import io.ipdrsp.storage.StorageConfig;
import io.ipdrsp.storage.StoredRecord;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The ceiling of a load run: on the same server and keyspace, records written by the storage module alone (its
 * public API: {@link CassandraStorage#recordWriter}, UNLOGGED per-partition batches of 100, 32 in flight, the
 * node's write consistency), as fast as the writer takes them: what the collector's record path could reach with
 * no IPDR/SP, dedup or ack work. The record bytes are the very ones the collector stored, so the row sizes match.
 */
final class CeilingPhase {
    private CeilingPhase() {
    }

    /** Returns {records/s, Cassandra cores}. */
    static double[] run(LoadOptions o, CassandraServer cassandra) throws Exception {
        // the node's request timeout (5 s): on a crowded machine the driver's 2 s default times out batches
        StorageConfig config = StorageConfig.defaults(List.of(cassandra.contactPoint()), cassandra.localDatacenter(),
                "bench").withBatching(32, 100, Duration.ofMillis(2)).withRequestTimeout(Duration.ofSeconds(5));
        try (CassandraStorage storage = CassandraStorage.open(config)) {
            List<ByteBuffer> pool = storedRecords(storage, 256);
            if (pool.isEmpty()) {
                throw new IllegalStateException("the collector stored nothing");
            }
            double avg = pool.stream().mapToInt(ByteBuffer::remaining).average().orElse(0);
            int partitions = o.cmtses() * o.sessions();
            RecordKey[] docs = new RecordKey[partitions];
            long[] next = new long[partitions];
            for (int p = 0; p < partitions; p++) {
                docs[p] = new RecordKey("ceiling-" + (p / o.sessions()), 1 + p % o.sessions(), UUID.randomUUID(),
                        1_700_000_000L);
            }
            System.out.printf(Locale.ROOT, "ceiling: %d partitions, the storage module's RecordWriter (UNLOGGED "
                    + "batches of 100, 32 in flight), %.0f-byte records ...%n", partitions, avg);
            AtomicLong stored = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long warmEnd = System.nanoTime() + o.warmup().toNanos();
            long end = warmEnd + o.duration().toNanos();
            long s0 = -1;
            CpuSample cpu0 = null;
            long t0 = 0;
            try (RecordWriter writer = storage.recordWriter("bench-ceiling")) {
                int p = 0;
                while (System.nanoTime() < end && failure.get() == null) {
                    if (s0 < 0 && System.nanoTime() >= warmEnd) {
                        s0 = stored.get();
                        cpu0 = CpuSample.sample(-1, cassandra.process().pid());
                        t0 = System.nanoTime();
                    }
                    while (!writer.hasCapacity()) {
                        LockSupport.parkNanos(100_000); // the writer's own bound on pending records
                    }
                    long seq = next[p]++;
                    writer.write(docs[p], seq, 1, 1, false, pool.get((int) (seq % pool.size())).duplicate())
                            .whenComplete((ok, ex) -> {
                                if (ex == null) {
                                    stored.incrementAndGet();
                                } else if (failed.incrementAndGet() > 10_000) {
                                    failure.compareAndSet(null, ex); // a few timeouts are load; many: broken server
                                }
                            });
                    p = (p + 1) % partitions;
                }
                writer.drain(30_000);
            }
            if (failure.get() != null) {
                throw new IllegalStateException("ceiling writes failed", failure.get());
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double rate = (stored.get() - s0) / seconds;
            double cpu = CpuSample.sample(-1, cassandra.process().pid()).cassandra(cpu0, seconds);
            System.out.printf(Locale.ROOT, "ceiling: %,.0f records/s (%,d in %.1f s, %d records failed), Cassandra "
                    + "%.2f cores, load average %s%n", rate, stored.get() - s0, seconds, failed.get(), cpu,
                    CpuSample.loadAverage());
            return new double[] {rate, cpu};
        }
    }

    /** Up to {@code max} records the collector stored for cmts-1, read back through the storage module. */
    private static List<ByteBuffer> storedRecords(CassandraStorage storage, int max) {
        List<ByteBuffer> pool = new ArrayList<>();
        Instant now = Instant.now();
        for (RecordKey key : storage.documentsStarted("cmts-1", now.minus(Duration.ofDays(1)), now.plusSeconds(60))) {
            try (Stream<StoredRecord> records = storage.streamRecords(key)) {
                records.limit(max - pool.size()).forEach(r -> pool.add(r.data()));
            }
            if (pool.size() >= max) {
                break;
            }
        }
        return pool;
    }
}
