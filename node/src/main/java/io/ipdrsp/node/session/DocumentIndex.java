package io.ipdrsp.node.session;

import io.ipdrsp.storage.RecordKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Documents this node has seen since it started, with record counts, for {@code /api/documents}. */
public final class DocumentIndex {
    private static final int MAX_DOCUMENTS = 10_000;

    static final class Entry {
        final RecordKey key;
        final long firstSeenMillis = System.currentTimeMillis();
        final LongAdder received = new LongAdder();
        final LongAdder stored = new LongAdder();
        final LongAdder duplicates = new LongAdder();
        volatile long minDsn = Long.MAX_VALUE;
        volatile long maxDsn = -1;
        volatile long droppedRecordCount;
        volatile long lastAckDsn = -1;
        volatile Integer stopReason;
        volatile boolean primary;

        Entry(RecordKey key) {
            this.key = key;
        }

        void dsn(long dsn) { // event-loop only
            if (dsn < minDsn) {
                minDsn = dsn;
            }
            if (dsn > maxDsn) {
                maxDsn = dsn;
            }
        }
    }

    public record DocumentView(String exporter, int sessionId, String documentId, long exporterBootTime,
                               boolean primary, long received, long stored, long duplicates, long firstDsn,
                               long lastDsn, long droppedRecordCount, long lastAckDsn, String status,
                               Integer stopReason, java.time.Instant firstSeen) {
    }

    private final Map<RecordKey, Entry> entries = new ConcurrentHashMap<>();

    Entry open(RecordKey key) {
        if (entries.size() >= MAX_DOCUMENTS && !entries.containsKey(key)) {
            entries.values().stream().filter(e -> e.stopReason != null)
                    .min(Comparator.comparingLong(e -> e.firstSeenMillis))
                    .ifPresent(e -> entries.remove(e.key));
        }
        return entries.computeIfAbsent(key, Entry::new);
    }

    public List<DocumentView> documents() {
        List<DocumentView> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            out.add(new DocumentView(e.key.exporter(), e.key.sessionId(), e.key.documentId().toString(),
                    e.key.bootTime(), e.primary, e.received.sum(), e.stored.sum(), e.duplicates.sum(),
                    e.minDsn == Long.MAX_VALUE ? -1 : e.minDsn, e.maxDsn, e.droppedRecordCount, e.lastAckDsn,
                    e.stopReason == null ? "open" : "stopped", e.stopReason,
                    java.time.Instant.ofEpochMilli(e.firstSeenMillis)));
        }
        out.sort(Comparator.comparing(DocumentView::exporter).thenComparingInt(DocumentView::sessionId)
                .thenComparing(DocumentView::firstSeen));
        return out;
    }
}
