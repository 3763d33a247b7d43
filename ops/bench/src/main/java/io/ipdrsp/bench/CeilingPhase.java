package io.ipdrsp.bench;

import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.StorageConfig;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The ceiling of a load run: on the same server and keyspace, records written by the storage module alone
 * ({@link CeilingWriter}: its public {@link CassandraStorage#recordWriter}, UNLOGGED per-partition batches of 100, 32
 * in flight, the node's write consistency), as fast as the writer takes them: what the collector's record path could
 * reach with no IPDR/SP, dedup or ack work. The record bytes are the very ones the collector stored, so the row sizes
 * match.
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
            List<ByteBuffer> pool = CeilingWriter.storedRecords(storage, "cmts-1", 256);
            double avg = pool.stream().mapToInt(ByteBuffer::remaining).average().orElse(0);
            int partitions = o.cmtses() * o.sessions();
            RecordKey[] docs = new RecordKey[partitions];
            for (int p = 0; p < partitions; p++) {
                docs[p] = new RecordKey("ceiling-" + (p / o.sessions()), 1 + p % o.sessions(), UUID.randomUUID(),
                        1_700_000_000L);
            }
            System.out.printf(Locale.ROOT, "ceiling: %d partitions, the storage module's RecordWriter (UNLOGGED "
                    + "batches of 100, 32 in flight), %.0f-byte records ...%n", partitions, avg);
            long s0;
            long s1;
            CpuSample cpu0;
            long t0;
            long failed;
            try (CeilingWriter writer = CeilingWriter.start(storage, "bench-ceiling", pool, docs)) {
                Thread.sleep(o.warmup().toMillis());
                writer.check();
                s0 = writer.stored();
                cpu0 = CpuSample.sample(-1, cassandra.process().pid());
                t0 = System.nanoTime();
                Thread.sleep(o.duration().toMillis());
                s1 = writer.stored();
                failed = writer.failed();
                writer.check();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double rate = (s1 - s0) / seconds;
            double cpu = CpuSample.sample(-1, cassandra.process().pid()).cassandra(cpu0, seconds);
            System.out.printf(Locale.ROOT, "ceiling: %,.0f records/s (%,d in %.1f s, %d records failed), Cassandra "
                    + "%.2f cores, load average %s%n", rate, s1 - s0, seconds, failed, cpu,
                    CpuSample.loadAverage());
            return new double[] {rate, cpu};
        }
    }
}
