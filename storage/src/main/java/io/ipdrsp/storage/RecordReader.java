package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Point reads of stored versions, for dedup's read-backs (is this number stored in more than one version, and who
 * received it first?) — never before a write: the record path does not read. Reads queue per partition (document
 * bucket); whatever queued for one partition while earlier reads were under way leaves as one
 * {@code SELECT ... WHERE <partition> AND seq IN ?} of at most {@link #MAX_SEQS_PER_READ} numbers on
 * {@code record_versions}, with the same on the pre-version {@code records} table (rows written before the upgrade
 * count too). At most {@code maxRequestsInFlight} such reads run at once. Never blocks; futures complete on driver
 * threads. Reads are at the configured read consistency.
 */
public final class RecordReader {
    /** Sequence numbers per IN-read: a bounded coordinator fan-out within the partition. */
    static final int MAX_SEQS_PER_READ = 100;

    private final RecordTables tables;
    private final int perRead;
    /** Guarded by itself: reads waiting to be sent, per partition, oldest partition first. */
    private final LinkedHashMap<Partition, List<Pending>> queued = new LinkedHashMap<>();
    private int inFlight;

    private record Partition(RecordKey key, long bucket) {
    }

    private record Pending(long seq, CompletableFuture<List<StoredRecord>> result) {
    }

    RecordReader(RecordTables tables) {
        this.tables = tables;
        this.perRead = Math.min(MAX_SEQS_PER_READ, tables.config.readPageSize());
    }

    /**
     * Every stored version of {@code (key, seq)} in the order readers see them (empty if none); fails with
     * {@link StorageException}.
     */
    public CompletionStage<List<StoredRecord>> readVersions(RecordKey key, long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("negative sequence number: " + seq);
        }
        CompletableFuture<List<StoredRecord>> f = new CompletableFuture<>();
        synchronized (queued) {
            queued.computeIfAbsent(new Partition(key, RecordKey.bucketOf(seq)), p -> new ArrayList<>())
                    .add(new Pending(seq, f));
        }
        dispatch();
        return f;
    }

    /** The record {@code (key, seq)} as readers see it (its first version), empty if absent. */
    public CompletionStage<Optional<StoredRecord>> read(RecordKey key, long seq) {
        return readVersions(key, seq).thenApply(v -> v.isEmpty() ? Optional.empty() : Optional.of(v.get(0)));
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
                if (inFlight >= tables.config.maxRequestsInFlight() || queued.isEmpty()) {
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
        CompletionStage<List<StoredRecord>> current = select(tables.versionsIn, p, seqs,
                r -> RecordTables.version(p.key(), r));
        CompletionStage<List<StoredRecord>> legacy = !tables.legacyRows.mayHold()
                ? CompletableFuture.completedFuture(List.of())
                : select(tables.legacyIn, p, seqs, r -> RecordTables.legacy(p.key(), r));
        current.thenCombine(legacy, (a, b) -> VersionScan.merge(a.stream(), b).toList()).whenComplete((rows, error) -> {
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
                Map<Long, List<StoredRecord>> bySeq = new LinkedHashMap<>();
                for (StoredRecord r : rows) {
                    bySeq.computeIfAbsent(r.seq(), s -> new ArrayList<>()).add(r);
                }
                batch.forEach(r -> r.result().complete(List.copyOf(bySeq.getOrDefault(r.seq(), List.of()))));
            }
            dispatch();
        });
    }

    /** One IN-read, every page, sorted as the table sorts it. */
    private CompletionStage<List<StoredRecord>> select(PreparedStatement statement, Partition p, List<Long> seqs,
            Function<Row, StoredRecord> row) {
        try {
            return tables.session.executeAsync(tables.read(RecordTables.bindBucket(statement, p.key(), p.bucket())
                    .setList(5, seqs, Long.class).build().setPageSize(4 * perRead), null))
                    .thenCompose(rs -> collect(rs, row, new ArrayList<>()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static CompletionStage<List<StoredRecord>> collect(AsyncResultSet rs, Function<Row, StoredRecord> row,
            List<StoredRecord> out) {
        rs.currentPage().forEach(r -> out.add(row.apply(r)));
        return rs.hasMorePages() ? rs.fetchNextPage().thenCompose(next -> collect(next, row, out))
                : CompletableFuture.completedFuture(out);
    }
}
