package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's record path into Cassandra. Every record is one row of {@code record_versions}, keyed by its sequence
 * number and the digest of its bytes ({@link RecordDigest}), with the writer's {@link Receipt} added to the row's
 * receipts: an identical re-send rewrites the same row (one more receipt), a differing one is a second row, so no
 * write can replace a version with another and nothing is read first. Records of one partition (document bucket) are
 * grouped into UNLOGGED batches, sent when {@code batchSize} records or {@code maxBatchBytes} are reached, on
 * {@link #flush()}, or after {@code batchLinger}. In flight at once: {@code maxRequestsInFlight} batches, or more
 * while they are small — up to {@code maxRequestsInFlight × batchSize} records in at most
 * {@value #SMALL_BATCHES} × {@code maxRequestsInFlight} requests; the rest wait in a queue. A single-partition batch is
 * one mutation: half the server work per row of single inserts (shared recipes §8).
 *
 * <p>Why records and not only batches: a fleet of CMTSes writes a few records per second per document, so its batches
 * hold one record each; 32 of them in flight carried 32 / latency records per second — ~500/s on a loaded 2-core
 * machine, below 1 000 CMTSes' traffic, and the queue grew until sessions stalled (issue 19, ops/bin/bench-fleet).
 * Full batches are bounded exactly as before (32 × 100 records).
 *
 * <p>Never blocks: {@link #write} only copies the bytes, hashes them and appends to a batch, so it may be called from
 * Netty event loops. Back-pressure is the caller's job: stop reading from exporters while {@link #hasCapacity()} is
 * false, and resume from a {@link #onCapacity capacity listener}. Writes beyond twice {@code maxPendingRecords} are
 * refused with {@link StorageOverloadedException}.
 *
 * <p>Futures complete on a driver thread: keep their continuations short or hop to your own executor.
 */
public final class RecordWriter implements AutoCloseable {
    /** How many more requests than {@code maxRequestsInFlight} small batches may use (their records still bounded). */
    static final int SMALL_BATCHES = 16;
    private final CqlSession session;
    private final PreparedStatement upsertVersion;
    private final PreparedStatement insertBucket;
    private final StorageConfig config;
    /** The receipt of writes that name none: one stretch for the writer's lifetime. */
    private final Receipt ownReceipt;
    private final Map<PartitionKey, Batch> open = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Batch> ready = new ConcurrentLinkedQueue<>();
    /** Buckets whose record_buckets row is known to be written; bounded by clearing (re-writing it is harmless). */
    private final Set<PartitionKey> indexedBuckets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger inFlightRecords = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean full = new AtomicBoolean();
    private final List<Runnable> capacityListeners = new CopyOnWriteArrayList<>();
    private final ScheduledThreadPoolExecutor linger;
    private volatile boolean closed;

    RecordWriter(RecordTables tables, String nodeId) {
        this.session = tables.session;
        this.upsertVersion = tables.upsertVersion;
        this.insertBucket = tables.insertBucket;
        this.config = tables.config;
        this.ownReceipt = Receipt.next(Objects.requireNonNull(nodeId, "nodeId"));
        this.linger = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "ipdr-storage-linger-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        linger.setRemoveOnCancelPolicy(true);
    }

    /**
     * Stores one record under this writer's own receipt (one stretch for the writer's lifetime). The future completes
     * when the batch holding it was written at the configured write consistency, or exceptionally
     * ({@link StorageException}) when it was not: then the record must not be acked. Idempotent: writing the same
     * record again changes nothing; other bytes for the same number are another version, kept beside it.
     *
     * @param data the raw record bytes (from position to limit); copied, so the caller may release its buffer at once
     */
    public CompletionStage<Void> write(RecordKey key, long seq, int templateId, int configId, boolean dupFlag,
            ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data.duplicate()).flip();
        return writeOwned(key, seq, templateId, configId, ownReceipt, dupFlag, copy);
    }

    /**
     * {@link #write} without the copy, for a caller that already holds its own copy of the record and never changes
     * it afterwards (the record path copies once out of the Netty frame; copying again per layer was waste).
     */
    public CompletionStage<Void> writeOwned(RecordKey key, long seq, int templateId, int configId, boolean dupFlag,
            ByteBuffer copy) {
        return writeOwned(key, seq, templateId, configId, ownReceipt, dupFlag, copy);
    }

    /**
     * Stores one record as received during {@code receipt}'s stretch ({@link Receipt}: what makes re-sends countable
     * from Cassandra). Same contract as {@link #write}; {@code copy} is owned by the writer from now on.
     */
    public CompletionStage<Void> writeOwned(RecordKey key, long seq, int templateId, int configId, Receipt receipt,
            boolean dupFlag, ByteBuffer copy) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(copy, "data");
        Objects.requireNonNull(receipt, "receipt");
        if (seq < 0) {
            throw new IllegalArgumentException("negative sequence number: " + seq);
        }
        if ((templateId & ~0xFFFF) != 0 || (configId & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("templateId and configId are UINT16: " + templateId + ", " + configId);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new StorageException("record writer is closed"));
            return done;
        }
        int now = pending.incrementAndGet();
        if (now > 2 * config.maxPendingRecords()) {
            pending.decrementAndGet();
            done.completeExceptionally(new StorageOverloadedException(
                    now - 1 + " records pending, limit " + 2 * config.maxPendingRecords()));
            return done;
        }
        if (now >= config.maxPendingRecords()) {
            full.set(true);
        }
        long bucket = RecordKey.bucketOf(seq);
        BoundStatement row = upsertVersion.boundStatementBuilder()
                .setInt(0, templateId).setInt(1, configId).setByteBuffer(2, copy).setInstant(3, Instant.now())
                .setBytesUnsafe(4, receipt.serializedSet(dupFlag))
                .setString(5, key.exporter()).setInt(6, key.sessionId()).setUuid(7, key.documentId())
                .setLong(8, key.bootTime()).setLong(9, bucket).setLong(10, seq)
                .setByteBuffer(11, RecordDigest.of(templateId, configId, copy))
                .build();
        PartitionKey pk = new PartitionKey(key, bucket);
        while (true) {
            Batch batch = open.computeIfAbsent(pk, this::newBatch);
            boolean send;
            synchronized (batch) {
                if (batch.sealed) {
                    continue; // sent meanwhile; its successor takes this record
                }
                batch.rows.add(row);
                batch.futures.add(done);
                batch.bytes += copy.remaining();
                send = batch.rows.size() >= config.batchSize() || batch.bytes >= config.maxBatchBytes();
                if (send) {
                    batch.sealed = true;
                    open.remove(pk, batch);
                }
            }
            if (send) {
                ready.add(batch);
                dispatch();
            }
            return done;
        }
    }

    /** Sends every partly filled batch now (e.g. at the end of a socket read) instead of after the linger. */
    public void flush() {
        for (Batch batch : open.values()) {
            seal(batch);
        }
        dispatch();
    }

    /** False while {@code maxPendingRecords} or more records wait to be stored: stop reading from exporters. */
    public boolean hasCapacity() {
        return pending.get() < config.maxPendingRecords();
    }

    /** Batches (write requests) in flight now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Records in the batches in flight now. */
    public int inFlightRecords() {
        return inFlightRecords.get();
    }

    /** Records accepted whose future has not completed yet. */
    public int pendingRecords() {
        return pending.get();
    }

    /**
     * Runs {@code listener} (on a driver thread) each time the writer had no capacity and pending records fell below
     * half of {@code maxPendingRecords}: the moment to resume reading.
     */
    public void onCapacity(Runnable listener) {
        capacityListeners.add(Objects.requireNonNull(listener));
    }

    /**
     * Flushes, then waits up to {@code timeoutMillis} until every accepted record's future has completed.
     *
     * @return whether nothing is pending any more
     */
    public boolean drain(long timeoutMillis) throws InterruptedException {
        flush();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (pending.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }

    /** Refuses new writes, sends what is buffered and waits (up to the request timeout x 2) for it; the session stays open. */
    @Override
    public void close() {
        closed = true;
        try {
            drain(2 * config.requestTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            linger.shutdownNow();
        }
    }

    private Batch newBatch(PartitionKey pk) {
        Batch batch = new Batch(pk);
        long lingerNanos = config.batchLinger().toNanos();
        if (lingerNanos == 0) {
            linger.execute(() -> sealAndDispatch(batch));
        } else {
            linger.schedule(() -> sealAndDispatch(batch), lingerNanos, TimeUnit.NANOSECONDS);
        }
        return batch;
    }

    private void sealAndDispatch(Batch batch) {
        seal(batch);
        dispatch();
    }

    private void seal(Batch batch) {
        synchronized (batch) {
            if (batch.sealed) {
                return;
            }
            batch.sealed = true;
            open.remove(batch.pk, batch);
        }
        ready.add(batch);
    }

    /**
     * Starts queued batches while fewer than {@code maxRequestsInFlight} run, or, beyond that, while their records stay
     * under {@code maxRequestsInFlight × batchSize} (small batches) and the requests under {@value #SMALL_BATCHES} times
     * as many. Both a writer (enqueue, then check the in-flight count) and a completing request (decrement, then check
     * the queue) call it, so a queued batch never waits for a completion that already happened.
     */
    private void dispatch() {
        int requests = config.maxRequestsInFlight();
        long records = (long) requests * config.batchSize();
        while (!ready.isEmpty()) {
            int n = inFlight.get();
            if (n >= requests * SMALL_BATCHES || (n >= requests && inFlightRecords.get() >= records)) {
                return;
            }
            if (!inFlight.compareAndSet(n, n + 1)) {
                continue;
            }
            Batch batch = ready.poll();
            if (batch == null) {
                inFlight.decrementAndGet();
                continue;
            }
            inFlightRecords.addAndGet(batch.rows.size());
            execute(batch);
        }
    }

    private void execute(Batch batch) {
        Statement<?> statement;
        if (batch.rows.size() == 1) {
            statement = batch.rows.get(0);
        } else {
            statement = BatchStatement.newInstance(BatchType.UNLOGGED, new ArrayList<BatchableStatement<?>>(batch.rows));
        }
        statement = statement.setIdempotent(true).setConsistencyLevel(config.writeConsistency());
        CompletableFuture<?> write;
        try {
            write = session.executeAsync(statement).toCompletableFuture();
            if (!indexedBuckets.contains(batch.pk)) {
                // the bucket index lets readers find the partition; the records count as stored only with it
                BoundStatement index = insertBucket.bind(batch.pk.key.exporter(), batch.pk.key.sessionId(),
                        batch.pk.key.documentId(), batch.pk.key.bootTime(), batch.pk.bucket)
                        .setIdempotent(true).setConsistencyLevel(config.writeConsistency());
                CompletableFuture<?> indexed = session.executeAsync(index).toCompletableFuture()
                        .thenRun(() -> remember(batch.pk));
                write = CompletableFuture.allOf(write, indexed);
            }
        } catch (RuntimeException e) {
            write = CompletableFuture.failedFuture(e);
        }
        write.whenComplete((ok, error) -> {
            inFlightRecords.addAndGet(-batch.rows.size());
            inFlight.decrementAndGet();
            StorageException failure = error == null ? null : new StorageException(
                    "batch of " + batch.rows.size() + " records for " + batch.pk + " not stored", unwrap(error));
            for (CompletableFuture<Void> f : batch.futures) {
                if (failure == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(failure);
                }
            }
            int left = pending.addAndGet(-batch.futures.size());
            if (left < config.maxPendingRecords() / 2 && full.compareAndSet(true, false)) {
                for (Runnable listener : capacityListeners) {
                    try {
                        listener.run();
                    } catch (RuntimeException e) {
                        // a faulty listener must not leave the batch's bookkeeping half done
                        Thread t = Thread.currentThread();
                        t.getUncaughtExceptionHandler().uncaughtException(t, e);
                    }
                }
            }
            dispatch();
        });
    }

    private void remember(PartitionKey pk) {
        if (indexedBuckets.size() > 100_000) {
            indexedBuckets.clear();
        }
        indexedBuckets.add(pk);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private record PartitionKey(RecordKey key, long bucket) {
    }

    /** Records of one partition waiting to be sent; mutable only under its own lock until sealed. */
    private static final class Batch {
        final PartitionKey pk;
        final List<BoundStatement> rows = new ArrayList<>();
        final List<CompletableFuture<Void>> futures = new ArrayList<>();
        int bytes;
        boolean sealed;

        Batch(PartitionKey pk) {
            this.pk = pk;
        }
    }
}
