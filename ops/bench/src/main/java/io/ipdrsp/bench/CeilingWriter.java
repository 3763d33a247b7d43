package io.ipdrsp.bench;

import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.RecordWriter;
import io.ipdrsp.storage.StoredRecord;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The driver-only ceiling: the storage module's public {@link RecordWriter} writing rows as fast as it takes them, on
 * its own thread, round-robin over {@code documents} with sequence numbers from 0 (the collector's key shape), the
 * record bytes cycled from a pool of what the collector stored (the same row sizes). No IPDR/SP, dedup or ack work:
 * what the collector's record path could reach against the same server. {@link #stored()} counts durable records, as
 * the exporter's ledger counts acknowledged ones, so both are measured the same way.
 */
final class CeilingWriter implements AutoCloseable {
    private final RecordWriter writer;
    private final List<ByteBuffer> pool;
    private final RecordKey[] documents;
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stopping;

    private CeilingWriter(RecordWriter writer, List<ByteBuffer> pool, RecordKey[] documents) {
        this.writer = writer;
        this.pool = pool;
        this.documents = documents;
        this.thread = new Thread(this::loop, "bench-ceiling-writer");
        this.thread.setDaemon(true);
    }

    /** Starts writing at once through a writer of {@code storage} named {@code writerName}. */
    static CeilingWriter start(CassandraStorage storage, String writerName, List<ByteBuffer> pool,
            RecordKey[] documents) {
        if (pool.isEmpty()) {
            throw new IllegalStateException("no record bytes to write (the collector stored nothing)");
        }
        CeilingWriter w = new CeilingWriter(storage.recordWriter(writerName), pool, documents);
        w.thread.start();
        return w;
    }

    /** Records durably written so far. */
    long stored() {
        return stored.get();
    }

    /** Records whose write failed so far (a few timeouts are load; many mean a broken server). */
    long failed() {
        return failed.get();
    }

    /** Throws when more than 10 000 writes failed: the figures would describe a broken server. */
    void check() {
        if (failure.get() != null) {
            throw new IllegalStateException("ceiling writes failed", failure.get());
        }
    }

    private void loop() {
        long[] next = new long[documents.length];
        int p = 0;
        while (!stopping && failure.get() == null) {
            while (!writer.hasCapacity() && !stopping) {
                LockSupport.parkNanos(100_000); // the writer's own bound on pending records
            }
            long seq = next[p]++;
            writer.write(documents[p], seq, 1, 1, false, pool.get((int) (seq % pool.size())).duplicate())
                    .whenComplete((ok, ex) -> {
                        if (ex == null) {
                            stored.incrementAndGet();
                        } else if (failed.incrementAndGet() > 10_000) {
                            failure.compareAndSet(null, ex);
                        }
                    });
            p = (p + 1) % documents.length;
        }
    }

    /** Stops writing and waits (up to 30 s) for what is in flight. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        thread.join(10_000);
        writer.drain(30_000);
        writer.close();
    }

    /** Up to {@code max} records {@code exporter} stored, read back through the storage module. */
    static List<ByteBuffer> storedRecords(CassandraStorage storage, String exporter, int max) {
        List<ByteBuffer> pool = new ArrayList<>();
        Instant now = Instant.now();
        for (RecordKey key : storage.documentsStarted(exporter, now.minus(Duration.ofDays(1)), now.plusSeconds(60))) {
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
