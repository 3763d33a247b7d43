package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads a document's stored versions bucket by bucket, in (seq, digest) order, with the rows of the pre-version
 * {@code records} table merged in (a legacy row is one version with one receipt; a legacy row and a new row of the
 * same version are one version with both receipts). Everything readers call "the record" of a sequence number is the
 * first version in that order ({@link #firstPerSequence}): every reader picks the same one. Synchronous paging on the
 * calling thread: never on an event loop.
 */
final class VersionScan {
    /** Rows per page when only sequence numbers, digests and receipts are read (a few dozen bytes each). */
    private static final int SMALL_ROWS_PAGE = 10_000;

    private final RecordTables t;

    VersionScan(RecordTables tables) {
        this.t = tables;
    }

    /** Every version with {@code seq > afterSeq} ({@code -1}: all), bytes included. */
    Stream<StoredRecord> versions(RecordKey key, long afterSeq, DefaultConsistencyLevel consistency) {
        long first = afterSeq < 0 ? 0 : RecordKey.bucketOf(afterSeq);
        return buckets(key, first, consistency).stream().flatMap(bucket -> merge(
                t.rows(RecordTables.bindBucket(t.versionsAfter, key, bucket).setLong(5, afterSeq).build(),
                        consistency).map(r -> RecordTables.version(key, r)),
                legacy(key, bucket, afterSeq, consistency)));
    }

    /** Every version without its bytes (empty {@code data}): sequence numbers, digests and receipts, for counting. */
    Stream<StoredRecord> versionRefs(RecordKey key, DefaultConsistencyLevel consistency) {
        return buckets(key, 0, consistency).stream().flatMap(bucket -> merge(
                t.rows(RecordTables.bindBucket(t.versionRefs, key, bucket).build().setPageSize(SMALL_ROWS_PAGE),
                        consistency).map(r -> RecordTables.versionRef(key, r)),
                legacy(key, bucket, -1, consistency)));
    }

    /** The first version of each sequence number (what readers call the record). Sequential streams only. */
    static Stream<StoredRecord> firstPerSequence(Stream<StoredRecord> versions) {
        long[] last = {Long.MIN_VALUE};
        return versions.filter(v -> {
            boolean first = v.seq() != last[0];
            last[0] = v.seq();
            return first;
        });
    }

    /** The stored sequence numbers as ascending, non-adjacent inclusive ranges, reading only {@code seq}. */
    List<SequenceRange> sequences(RecordKey key, DefaultConsistencyLevel consistency) {
        Ranges ranges = new Ranges();
        for (long bucket : buckets(key, 0, consistency)) {
            long[] legacy = !t.legacyRows.mayHold() ? new long[0]
                    : t.rows(RecordTables.bindBucket(t.legacySeqs, key, bucket).build(), consistency)
                            .mapToLong(r -> r.getLong(0)).toArray();
            int i = 0;
            Iterator<Row> rows = t.rows(RecordTables.bindBucket(t.versionSeqs, key, bucket).build()
                    .setPageSize(SMALL_ROWS_PAGE), consistency).iterator();
            while (rows.hasNext()) {
                long seq = rows.next().getLong(0);
                while (i < legacy.length && legacy[i] < seq) {
                    ranges.add(legacy[i++]);
                }
                ranges.add(seq);
            }
            while (i < legacy.length) {
                ranges.add(legacy[i++]);
            }
        }
        return ranges.list();
    }

    /**
     * What the audit counts: held ranges; per node the versions it received first; per node the receipts that came
     * after a version's first (its duplicates removed, flagged or not); the numbers stored in more than one version.
     */
    StoredSequences summary(RecordKey key, DefaultConsistencyLevel consistency) {
        Ranges ranges = new Ranges();
        Map<String, Long> firstBy = new HashMap<>();
        Map<String, long[]> duplicatesBy = new HashMap<>();
        List<Long> conflicting = new ArrayList<>();
        Map<Receipt, Long> reach = new HashMap<>();
        long[] previous = {Long.MIN_VALUE};
        versionRefs(key, consistency).forEachOrdered(v -> {
            if (v.seq() == previous[0] && (conflicting.isEmpty() || conflicting.get(conflicting.size() - 1) != v.seq())) {
                conflicting.add(v.seq());
            }
            previous[0] = v.seq();
            ranges.add(v.seq());
            List<String> receipts = v.receipts();
            firstBy.merge(v.receivedBy(), 1L, Long::sum);
            for (int i = 0; i < receipts.size(); i++) {
                Receipt.Cell c = Receipt.parse(receipts.get(i));
                reach.merge(c.receipt(), v.seq(), Math::max);
                if (i > 0) {
                    duplicatesBy.computeIfAbsent(c.receipt().node(), n -> new long[2])[c.dupFlag() ? 0 : 1]++;
                }
            }
        });
        List<DuplicateCount> duplicates = new ArrayList<>();
        duplicatesBy.forEach((node, n) -> duplicates.add(new DuplicateCount(node, n[0], n[1])));
        duplicates.sort(java.util.Comparator.comparing(DuplicateCount::node));
        List<StoredSequences.Reach> reached = new ArrayList<>();
        reach.forEach((r, seq) -> reached.add(new StoredSequences.Reach(r, seq)));
        return new StoredSequences(ranges.list(), firstBy, duplicates, conflicting, reached);
    }

    List<Long> buckets(RecordKey key, long fromBucket, DefaultConsistencyLevel consistency) {
        return t.rows(RecordTables.bindKey(t.bucketsFrom.boundStatementBuilder(), key).setLong(4, fromBucket).build(),
                consistency).map(r -> r.getLong(0)).toList();
    }

    /** A bucket's legacy rows (few or none: only what was written before the upgrade), sorted as versions are. */
    private List<StoredRecord> legacy(RecordKey key, long bucket, long afterSeq, DefaultConsistencyLevel consistency) {
        if (!t.legacyRows.mayHold()) {
            return List.of();
        }
        return t.rows(RecordTables.bindBucket(t.legacyAfter, key, bucket).setLong(5, afterSeq).build(), consistency)
                .map(r -> RecordTables.legacy(key, r)).toList();
    }

    /** Merges a bucket's sorted legacy rows into its sorted version rows; one version found in both keeps both receipts. */
    static Stream<StoredRecord> merge(Stream<StoredRecord> current, List<StoredRecord> legacy) {
        if (legacy.isEmpty()) {
            return current;
        }
        Iterator<StoredRecord> a = current.iterator();
        Iterator<StoredRecord> b = legacy.iterator();
        Iterator<StoredRecord> merged = new Iterator<>() {
            StoredRecord x = pull(a);
            StoredRecord y = pull(b);

            @Override
            public boolean hasNext() {
                return x != null || y != null;
            }

            @Override
            public StoredRecord next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int c = x == null ? 1 : y == null ? -1 : compare(x, y);
                StoredRecord out;
                if (c == 0) {
                    Set<String> receipts = new LinkedHashSet<>(x.receipts());
                    receipts.addAll(y.receipts());
                    out = StoredRecord.of(x.key(), x.seq(), x.digest(), x.templateId(), x.configId(), x.data(),
                            receipts, x.receivedAt());
                    x = pull(a);
                    y = pull(b);
                } else if (c < 0) {
                    out = x;
                    x = pull(a);
                } else {
                    out = y;
                    y = pull(b);
                }
                return out;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(merged, Spliterator.ORDERED), false);
    }

    private static StoredRecord pull(Iterator<StoredRecord> it) {
        return it.hasNext() ? it.next() : null;
    }

    static int compare(StoredRecord x, StoredRecord y) {
        int c = Long.compare(x.seq(), y.seq());
        return c != 0 ? c : RecordTables.compareDigests(x.digest(), y.digest());
    }

    /** Builds inclusive ranges from sequence numbers given in non-decreasing order (repeats ignored). */
    private static final class Ranges {
        private final List<SequenceRange> done = new ArrayList<>();
        private long first = -1;
        private long last = -1;

        void add(long seq) {
            if (first >= 0 && seq <= last + 1) {
                last = Math.max(last, seq);
                return;
            }
            if (first >= 0) {
                done.add(new SequenceRange(first, last));
            }
            first = seq;
            last = seq;
        }

        List<SequenceRange> list() {
            List<SequenceRange> out = new ArrayList<>(done);
            if (first >= 0) {
                out.add(new SequenceRange(first, last));
            }
            return out;
        }
    }
}
