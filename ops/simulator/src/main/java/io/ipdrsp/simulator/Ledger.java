package io.ipdrsp.simulator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * What the simulated fleet did, per CMTS / session / document: the DSN ranges it generated, sent, had acknowledged
 * (and by which collector), re-sent with and without the D flag, dropped and declared in {@code droppedRecordCount},
 * or lost without saying so. End-to-end tests compare a collector's storage and audits against it.
 *
 * <p>Thread-safe: the fleet's event loops write, tests read {@link #documents()} snapshots at any time.
 */
public final class Ledger {
    /**
     * An immutable snapshot of one document. DSN ranges are closed. {@code occurrence} tells apart documents of
     * one session that share documentId and exporterBootTime (an exporter that reuses its documentId, e.g. all
     * zero): 0 for the first, 1 for the next, …; always 0 for time-prefixed and random documentIds. {@code starts}
     * lists every SESSION_START sent for the document, in order. {@code firstSentNanos} / {@code firstAckedNanos}:
     * {@link System#nanoTime()} when its first DATA was written and when a DATA_ACK first covered a record of it
     * (0: not yet).
     */
    public record Document(String cmts, int sessionId, String documentId, long exporterBootTime, int occurrence,
            int configId, RangeSet generated, RangeSet sent, Map<String, RangeSet> ackedBy, RangeSet acked,
            RangeSet resentWithDuplicateFlag, RangeSet resentWithoutDuplicateFlag, RangeSet droppedDeclared,
            RangeSet lostSilently, long declaredDropCount, Integer stopReason, List<Start> starts,
            long firstSentNanos, long firstAckedNanos) {

        /**
         * How often the DATA stream of this document moved to another collector: SESSION_STARTs to a collector
         * that takes the data, after the first (fail-overs, fail-backs, and re-starts after a declared drop).
         */
        public long handOffs() {
            return Math.max(0, starts.stream().filter(Start::takesData).count() - 1);
        }

        /** DSNs a collector should hold for this document: generated, minus dropped and lost. */
        public RangeSet deliverable() {
            RangeSet d = new RangeSet();
            for (long[] r : generated.ranges()) {
                for (long[] gap : missing(r[0], r[1]).ranges()) {
                    d.add(gap[0], gap[1]);
                }
            }
            return d;
        }

        private RangeSet missing(long from, long to) {
            RangeSet gone = droppedDeclared.copy();
            gone.addAll(lostSilently);
            return gone.missingIn(from, to);
        }
    }

    /**
     * One SESSION_START sent for a document: to which collector, its {@code primary} flag, whether that collector
     * took the DATA (false: a standby told of the document, legacy mode), firstRecordSequenceNumber,
     * droppedRecordCount, and the DSNs written in DATA to that collector after it (until its next SESSION_START): one
     * collector stretch, as a collector's receipts count it. A DSN in the {@code sent} of two starts was sent twice.
     */
    public record Start(String collector, boolean primary, boolean takesData, long firstRecordSequenceNumber,
            long droppedRecordCount, RangeSet sent) {
    }

    /** Key of a document inside the ledger. */
    record Key(String cmts, int sessionId, String documentId, long bootTime, int occurrence) {
    }

    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    private final Map<Key, Integer> occurrences = new java.util.HashMap<>(); // guarded by itself, occurrence 0 keys
    private final boolean recordDigests;

    /** A ledger without record digests. */
    public Ledger() {
        this(false);
    }

    /** @param recordDigests keep a CRC32C of every record sent (see {@link #recordDigests(String, int, String)}) */
    public Ledger(boolean recordDigests) {
        this.recordDigests = recordDigests;
    }

    /** Whether this ledger keeps record digests. */
    public boolean keepsRecordDigests() {
        return recordDigests;
    }

    /** The digest the ledger uses: CRC32C of the record's bytes (position to limit; the buffer is not moved). */
    public static int digest(java.nio.ByteBuffer record) {
        CRC32C crc = new CRC32C();
        crc.update(record.duplicate());
        return (int) crc.getValue();
    }

    /**
     * The CRC32C of each record sent for a document, indexed by DSN (length = one past the highest DSN sent; DSNs
     * never sent hold 0 — check {@link Document#sent()}). Every send of a DSN carries the same bytes; a re-send with
     * different bytes would be a simulator bug and is counted in {@link #digestMismatches()}.
     *
     * @throws IllegalStateException when the fleet was started without {@link FleetSpec#withRecordDigests}
     */
    public int[] recordDigests(String cmts, int sessionId, String documentId) {
        if (!recordDigests) {
            throw new IllegalStateException("record digests are off: FleetSpec.withRecordDigests(true)");
        }
        Entry e = latest(cmts, sessionId, documentId);
        return e == null ? new int[0] : e.digests();
    }

    /** {@link #recordDigests(String, int, String)} of exactly this document (documentIds may repeat). */
    public int[] recordDigests(Document d) {
        if (!recordDigests) {
            throw new IllegalStateException("record digests are off: FleetSpec.withRecordDigests(true)");
        }
        Entry e = entries.get(new Key(d.cmts(), d.sessionId(), d.documentId(), d.exporterBootTime(),
                d.occurrence()));
        return e == null ? new int[0] : e.digests();
    }

    /** Re-sends whose bytes differed from the first send (always 0 unless the simulator is broken). */
    public long digestMismatches() {
        return digestMismatches.get();
    }

    private final AtomicLong digestMismatches = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();

    /** Registers a new document of a session; returns its mutable entry. */
    Entry open(String cmts, int sessionId, String documentId, long bootTime, int configId) {
        Key first = new Key(cmts, sessionId, documentId, bootTime, 0);
        int occurrence;
        synchronized (occurrences) {
            occurrence = occurrences.merge(first, 1, Integer::sum) - 1;
        }
        Key k = new Key(cmts, sessionId, documentId, bootTime, occurrence);
        Entry e = new Entry(k, configId);
        entries.put(k, e);
        return e;
    }

    /** The most recently opened document of a session with this documentId, or null. */
    private Entry latest(String cmts, int sessionId, String documentId) {
        Entry found = null;
        for (Entry e : entries.values()) {
            Key k = e.key;
            if (k.cmts().equals(cmts) && k.sessionId() == sessionId && k.documentId().equals(documentId)
                    && (found == null || e.order > found.order)) {
                found = e;
            }
        }
        return found;
    }

    /** Total records acknowledged by any collector, over the whole run (each DSN counted once). */
    public long totalAcked() {
        return acked.get();
    }

    /** Total DATA messages written (first sends and re-sends). */
    public long totalSent() {
        return sent.get();
    }

    /** Snapshot of every document, ordered by CMTS, session and first appearance. */
    public List<Document> documents() {
        List<Entry> list = new ArrayList<>(entries.values());
        list.sort((a, b) -> {
            int c = a.key.cmts().compareTo(b.key.cmts());
            if (c != 0) {
                return c;
            }
            c = Integer.compare(a.key.sessionId(), b.key.sessionId());
            return c != 0 ? c : Long.compare(a.order, b.order);
        });
        return list.stream().map(Entry::snapshot).toList();
    }

    /** Documents of one CMTS session in the order they were opened. */
    public List<Document> documents(String cmts, int sessionId) {
        return documents().stream().filter(d -> d.cmts().equals(cmts) && d.sessionId() == sessionId).toList();
    }

    /** The document with this documentId (the most recently opened one when an exporter reuses documentIds). */
    public Optional<Document> document(String cmts, int sessionId, String documentId) {
        Entry e = latest(cmts, sessionId, documentId);
        return e == null ? Optional.empty() : Optional.of(e.snapshot());
    }

    /** The ledger as JSON (format in {@code docs/simulator.md}; ranges as {@code [[from,to],...]}). */
    public String toJson() {
        return LedgerJson.toJson(this);
    }

    public void writeJson(Path file) {
        LedgerJson.write(this, file);
    }

    private static final AtomicLong ORDER = new AtomicLong();

    /** The mutable side, written from one CMTS's event loop; snapshots may come from any thread. */
    final class Entry {
        final Key key;
        private int configId;
        final long order = ORDER.incrementAndGet();
        private final RangeSet generated = new RangeSet();
        private final RangeSet sentSet = new RangeSet();
        private final Map<String, RangeSet> ackedBy = new LinkedHashMap<>();
        private final RangeSet ackedSet = new RangeSet();
        private final RangeSet resentD = new RangeSet();
        private final RangeSet resentNoD = new RangeSet();
        private final RangeSet droppedDeclared = new RangeSet();
        private final RangeSet lostSilently = new RangeSet();
        private long declaredDropCount;
        private Integer stopReason;
        private final List<Start> starts = new ArrayList<>();
        private final List<RangeSet> startSent = new ArrayList<>(); // per start, what was sent under it
        private long firstSentNanos;
        private long firstAckedNanos;
        private int[] digests = recordDigests ? new int[64] : null;
        private long digestsKnown; // one past the highest DSN with a digest

        Entry(Key key, int configId) {
            this.key = key;
            this.configId = configId;
        }

        synchronized void generated(long from, long to) {
            generated.add(from, to);
        }

        /** DSNs from..to written in DATA to {@code collector}: counted in its latest SESSION_START's stretch. */
        synchronized void sent(String collector, long from, long to) {
            if (firstSentNanos == 0) {
                firstSentNanos = System.nanoTime();
            }
            sentSet.add(from, to);
            sent.addAndGet(to - from + 1);
            for (int i = starts.size() - 1; i >= 0; i--) {
                if (starts.get(i).collector().equals(collector)) {
                    startSent.get(i).add(from, to);
                    return;
                }
            }
        }

        boolean keepsDigests() {
            return digests != null;
        }

        /** Digest of a record as written in DATA; a DSN sent again must carry the same bytes. */
        synchronized void digest(long dsn, int crc) {
            if (dsn < 0 || dsn >= Integer.MAX_VALUE - 8) {
                return;
            }
            int i = (int) dsn;
            if (i >= digests.length) {
                digests = java.util.Arrays.copyOf(digests, Math.max(i + 1, digests.length * 2));
            }
            if (i < digestsKnown && sentSet.contains(dsn) && digests[i] != crc) {
                digestMismatches.incrementAndGet();
            }
            digests[i] = crc;
            digestsKnown = Math.max(digestsKnown, i + 1L);
        }

        synchronized int[] digests() {
            return java.util.Arrays.copyOf(digests, (int) digestsKnown);
        }

        synchronized void resent(long from, long to, boolean duplicateFlag) {
            (duplicateFlag ? resentD : resentNoD).add(from, to);
        }

        synchronized void acked(String collector, long from, long to) {
            if (firstAckedNanos == 0) {
                firstAckedNanos = System.nanoTime();
            }
            ackedBy.computeIfAbsent(collector, c -> new RangeSet()).add(from, to);
            long before = ackedSet.count();
            ackedSet.add(from, to);
            acked.addAndGet(ackedSet.count() - before);
        }

        synchronized void droppedDeclared(long from, long to) {
            droppedDeclared.add(from, to);
        }

        synchronized void lostSilently(long from, long to) {
            lostSilently.add(from, to);
        }

        synchronized void declared(long count) {
            declaredDropCount += count;
        }

        /** The document's records took a new template set before any was sent (negotiation). */
        synchronized void config(int id) {
            configId = id;
        }

        synchronized void stopped(int reason) {
            stopReason = reason;
        }

        synchronized void started(String collector, boolean primary, boolean takesData, long first, long dropped) {
            RangeSet sentUnder = new RangeSet();
            starts.add(new Start(collector, primary, takesData, first, dropped, sentUnder));
            startSent.add(sentUnder);
        }

        synchronized Document snapshot() {
            Map<String, RangeSet> by = new LinkedHashMap<>();
            ackedBy.forEach((k, v) -> by.put(k, v.copy()));
            return new Document(key.cmts(), key.sessionId(), key.documentId(), key.bootTime(), key.occurrence(),
                    configId, generated.copy(), sentSet.copy(), Map.copyOf(by), ackedSet.copy(), resentD.copy(),
                    resentNoD.copy(), droppedDeclared.copy(), lostSilently.copy(), declaredDropCount, stopReason,
                    starts.stream().map(st -> new Start(st.collector(), st.primary(), st.takesData(),
                            st.firstRecordSequenceNumber(), st.droppedRecordCount(), st.sent().copy())).toList(),
                    firstSentNanos, firstAckedNanos);
        }
    }
}
