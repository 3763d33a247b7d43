package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The record path for records that may already be stored (a resend after failover, a record below the session's
 * firstRecordSequenceNumber, a sequence number the cluster already knows): one lightweight transaction per record,
 * {@code INSERT ... IF NOT EXISTS}. When the row exists Cassandra returns it instead of writing, and the bytes decide:
 * {@link WriteOutcome#DUPLICATE} (equal) or {@link WriteOutcome#CONFLICT} (different). Nothing is ever overwritten
 * through this path, so a conflicting resend never replaces the stored version.
 *
 * <p><b>Serial consistency</b> ({@code SERIAL} or {@code LOCAL_SERIAL}) decides how far the "if not exists" is
 * linearizable: {@code SERIAL} runs Paxos across every data center, so two sites (separate Hazelcast clusters, one
 * Cassandra) cannot both store different bytes for the same key; {@code LOCAL_SERIAL} is cheaper (local round trips
 * only) but two sites may then both see "absent" and the later commit wins silently. Use SERIAL when collectors of
 * one CMTS sit in more than one site (the default of the dedup module), LOCAL_SERIAL only for single-site keyspaces.
 *
 * <p>Not idempotent in the driver's sense and never retried: after a timeout the write may or may not have happened;
 * the future then fails with {@link StorageException} (record not acked, the exporter resends, the resend sees the
 * row and reports DUPLICATE). Never blocks; at most {@code maxRequestsInFlight} transactions run at once, the rest
 * wait in a queue. Futures complete on driver threads.
 */
public final class ConditionalRecordWriter {
    private final CqlSession session;
    private final PreparedStatement insertIfAbsent;
    private final PreparedStatement insertBucket;
    private final StorageConfig config;
    private final DefaultConsistencyLevel serialConsistency;
    private final String nodeId;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ConcurrentLinkedQueue<Runnable> queued = new ConcurrentLinkedQueue<>();

    ConditionalRecordWriter(CqlSession session, PreparedStatement insertIfAbsent, PreparedStatement insertBucket,
            StorageConfig config, DefaultConsistencyLevel serialConsistency, String nodeId) {
        if (serialConsistency != DefaultConsistencyLevel.SERIAL
                && serialConsistency != DefaultConsistencyLevel.LOCAL_SERIAL) {
            throw new IllegalArgumentException("serial consistency must be SERIAL or LOCAL_SERIAL: "
                    + serialConsistency);
        }
        this.session = session;
        this.insertIfAbsent = insertIfAbsent;
        this.insertBucket = insertBucket;
        this.config = config;
        this.serialConsistency = serialConsistency;
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    }

    /**
     * Stores the record unless a record with the same key exists. The future completes with the outcome once the
     * transaction (and the bucket index row) is written at the configured write consistency, or exceptionally with
     * {@link StorageException}: then nothing is known and the record must not be acked.
     *
     * @param data the raw record bytes (position to limit); copied, the caller may release its buffer at once
     */
    public CompletionStage<ConditionalWrite> writeIfAbsent(RecordKey key, long seq, int templateId, int configId,
            boolean dupFlag, ByteBuffer data) {
        Objects.requireNonNull(key, "key");
        if (seq < 0) {
            throw new IllegalArgumentException("negative sequence number: " + seq);
        }
        if ((templateId & ~0xFFFF) != 0 || (configId & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("templateId and configId are UINT16: " + templateId + ", " + configId);
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data.duplicate()).flip();
        CompletableFuture<ConditionalWrite> done = new CompletableFuture<>();
        queued.add(() -> execute(key, seq, templateId, configId, dupFlag, copy, done));
        dispatch();
        return done;
    }

    /** Transactions running now. */
    public int inFlight() {
        return inFlight.get();
    }

    private void dispatch() {
        while (!queued.isEmpty()) {
            int n = inFlight.get();
            if (n >= config.maxRequestsInFlight()) {
                return;
            }
            if (!inFlight.compareAndSet(n, n + 1)) {
                continue;
            }
            Runnable next = queued.poll();
            if (next == null) {
                inFlight.decrementAndGet();
                continue;
            }
            next.run();
        }
    }

    private void execute(RecordKey key, long seq, int templateId, int configId, boolean dupFlag, ByteBuffer copy,
            CompletableFuture<ConditionalWrite> done) {
        long bucket = RecordKey.bucketOf(seq);
        CompletableFuture<ConditionalWrite> result;
        try {
            BoundStatement lwt = insertIfAbsent.boundStatementBuilder()
                    .setString(0, key.exporter()).setInt(1, key.sessionId()).setUuid(2, key.documentId())
                    .setLong(3, key.bootTime()).setLong(4, bucket).setLong(5, seq)
                    .setInt(6, templateId).setInt(7, configId).setByteBuffer(8, copy).setBoolean(9, dupFlag)
                    .setString(10, nodeId).setInstant(11, Instant.now())
                    .build().setIdempotent(false).setConsistencyLevel(config.writeConsistency())
                    .setSerialConsistencyLevel(serialConsistency);
            BoundStatement index = insertBucket.bind(key.exporter(), key.sessionId(), key.documentId(),
                    key.bootTime(), bucket).setIdempotent(true).setConsistencyLevel(config.writeConsistency());
            CompletableFuture<AsyncResultSet> written = session.executeAsync(lwt).toCompletableFuture();
            CompletableFuture<AsyncResultSet> indexed = session.executeAsync(index).toCompletableFuture();
            result = written.thenCombine(indexed, (rs, ignored) -> outcome(key, rs, copy));
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete((r, error) -> {
            inFlight.decrementAndGet();
            if (error == null) {
                done.complete(r);
            } else {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                done.completeExceptionally(cause instanceof StorageException ? cause
                        : new StorageException("conditional write of " + key + " seq " + seq + " failed", cause));
            }
            dispatch();
        });
    }

    private static ConditionalWrite outcome(RecordKey key, AsyncResultSet rs, ByteBuffer ours) {
        if (rs.wasApplied()) {
            return new ConditionalWrite(WriteOutcome.STORED, Optional.empty());
        }
        Row row = rs.one();
        if (row == null) {
            throw new StorageException("conditional write of " + key + " not applied but no existing row returned");
        }
        ByteBuffer stored = Objects.requireNonNull(row.getByteBuffer("data"), "stored data");
        StoredRecord existing = new StoredRecord(key, row.getLong("seq"), row.getInt("template_id"),
                row.getInt("config_id"), row.getBoolean("dup_flag"), stored, row.getString("received_by"),
                row.getInstant("received_at"));
        WriteOutcome o = stored.equals(ours) ? WriteOutcome.DUPLICATE : WriteOutcome.CONFLICT;
        return new ConditionalWrite(o, Optional.of(existing));
    }
}
