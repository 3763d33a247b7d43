package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Point reads of stored records for the record path's duplicate check (read-before-write of records that may already
 * be stored, e.g. the resent window after a takeover). Reads queue per partition (document bucket); whatever queued
 * for one partition while earlier reads were under way leaves as one {@code SELECT ... WHERE <partition> AND seq IN ?}
 * (at most {@link #MAX_SEQS_PER_READ} numbers), so a resent window of hundreds of records costs a handful of
 * single-partition reads. At most {@code maxRequestsInFlight} reads run at once. Never blocks; futures complete on
 * driver threads. Reads are at the configured read consistency (LOCAL_QUORUM by default: a record written at
 * LOCAL_QUORUM in this site is seen).
 */
public final class RecordReader {
    /** Sequence numbers per IN-read: one page, and a bounded coordinator fan-out within the partition. */
    static final int MAX_SEQS_PER_READ = 100;

    private final CqlSession session;
    private final PreparedStatement selectIn;
    private final StorageConfig config;
    private final int perRead;
    /** Guarded by itself: reads waiting to be sent, per partition, oldest partition first. */
    private final LinkedHashMap<Partition, List<Pending>> queued = new LinkedHashMap<>();
    private int inFlight;

    private record Partition(RecordKey key, long bucket) {
    }

    private record Pending(long seq, CompletableFuture<Optional<StoredRecord>> result) {
    }

    RecordReader(CqlSession session, PreparedStatement selectIn, StorageConfig config) {
        this.session = session;
        this.selectIn = selectIn;
        this.config = config;
        this.perRead = Math.min(MAX_SEQS_PER_READ, config.readPageSize());
    }

    /** The stored record {@code (key, seq)}, empty if absent; fails with {@link StorageException}. */
    public CompletionStage<Optional<StoredRecord>> read(RecordKey key, long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("negative sequence number: " + seq);
        }
        CompletableFuture<Optional<StoredRecord>> f = new CompletableFuture<>();
        synchronized (queued) {
            queued.computeIfAbsent(new Partition(key, RecordKey.bucketOf(seq)), p -> new ArrayList<>())
                    .add(new Pending(seq, f));
        }
        dispatch();
        return f;
    }

    /** Reads running now. */
    public int inFlight() {
        synchronized (queued) {
            return inFlight;
        }
    }

    private void dispatch() {
        while (true) {
            Partition partition;
            List<Pending> batch;
            synchronized (queued) {
                if (inFlight >= config.maxRequestsInFlight() || queued.isEmpty()) {
                    return;
                }
                Iterator<Map.Entry<Partition, List<Pending>>> it = queued.entrySet().iterator();
                Map.Entry<Partition, List<Pending>> first = it.next();
                partition = first.getKey();
                List<Pending> waiting = first.getValue();
                it.remove();
                if (waiting.size() <= perRead) {
                    batch = waiting;
                } else {
                    batch = new ArrayList<>(waiting.subList(0, perRead));
                    // the rest goes to the back of the queue: one busy partition does not starve the others
                    queued.put(partition, new ArrayList<>(waiting.subList(perRead, waiting.size())));
                }
                inFlight++;
            }
            send(partition, batch);
        }
    }

    private void send(Partition p, List<Pending> batch) {
        List<Long> seqs = batch.stream().map(Pending::seq).distinct().toList();
        CompletionStage<AsyncResultSet> call;
        try {
            RecordKey k = p.key();
            BoundStatement s = selectIn.boundStatementBuilder().setString(0, k.exporter()).setInt(1, k.sessionId())
                    .setUuid(2, k.documentId()).setLong(3, k.bootTime()).setLong(4, p.bucket())
                    .setList(5, seqs, Long.class).build().setIdempotent(true)
                    .setConsistencyLevel(config.readConsistency()).setPageSize(perRead);
            call = session.executeAsync(s);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((rs, error) -> {
            synchronized (queued) {
                inFlight--;
            }
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                StorageException failure = new StorageException("read of " + p.key() + " bucket " + p.bucket()
                        + " (" + seqs.size() + " records) failed", cause);
                batch.forEach(r -> r.result().completeExceptionally(failure));
            } else {
                Map<Long, StoredRecord> found = new HashMap<>();
                for (Row row : rs.currentPage()) {
                    StoredRecord r = CassandraStorage.toRecord(p.key(), row);
                    found.put(r.seq(), r);
                }
                // seqs.size() <= page size, so the first page holds every row
                batch.forEach(r -> r.result().complete(Optional.ofNullable(found.get(r.seq()))));
            }
            dispatch();
        });
    }
}
