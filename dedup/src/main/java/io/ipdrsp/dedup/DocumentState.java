package io.ipdrsp.dedup;

import io.ipdrsp.storage.RecordKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One document as this node sees it, shared by every SESSION_START of it on this node ({@link DocumentHandle}s): the
 * cluster's durable numbers as last seen here (the view), the numbers this node admitted, what waits to be published,
 * and the records admitted before the view arrived. All state is guarded by this object's lock, taken only inside its
 * methods, which are short and never touch the network.
 *
 * <p>Its one decision, per record: may another version of this number, or an earlier receipt of it, exist somewhere —
 * so that the record is read back after its write ({@link Check#VERIFY})? Yes when the record carries the D flag, lies
 * below its stretch's firstRecordSequenceNumber, at or below the highest number others are known to hold (the view
 * without what this node admitted), or within the continuation window of a document others already had records of
 * when the view was loaded. A brand-new document (nothing stored by others) has no such window, so its records are
 * never read (issue 19) — even when this node's own first records reach the view before the view is loaded. Records
 * admitted before the view arrived are decided when it arrives ({@link #ready}).
 */
final class DocumentState {
    enum State { LOADING, READY }

    /** Whether a record is read back after its write. */
    enum Check { NONE, VERIFY, UNDECIDED }

    /** A record admitted before the view arrived, decided when it does. */
    record Parked(DocumentHandle handle, long seq, boolean dupFlag) {
    }

    /**
     * What {@link #ready} decided for a parked record. Whether it was a re-send is left to its read-back: the view
     * cannot tell this node's own early records from another node's.
     */
    record Decided(Parked record, boolean verify) {
    }

    /** Records parked per document while its view loads; beyond this they are all read back (no bookkeeping). */
    private static final int MAX_PARKED = 100_000;

    final RecordKey key;
    final String mapKey;
    final String exporterSession;
    final AtomicBoolean rebuilding = new AtomicBoolean();

    private State state = State.LOADING;
    private int loadGeneration;
    private int opens;
    private long continuationWindow;
    /** Highest number (inclusive) read back after a continuation; -1 none. */
    private long suspectThrough = -1;
    /** The highest number in the view that this node did not admit: held by others; -1 none. */
    private long othersMax = -1;
    private final SequenceRangeSet view = new SequenceRangeSet();
    private final SequenceRangeSet admitted = new SequenceRangeSet();
    private final SequenceRangeSet checked = new SequenceRangeSet();
    private List<Parked> parked = new ArrayList<>();
    private boolean parkedOverflow;
    private SequenceRangeSet pendingWritten = new SequenceRangeSet();
    private int pendingCount;
    private boolean publishQueued;
    private long recentBatch;

    DocumentState(RecordKey key) {
        this.key = key;
        this.mapKey = DocumentKeys.of(key);
        this.exporterSession = PrimaryClaim.key(key.exporter(), key.sessionId());
    }

    // ---------------------------------------------------------------- opening and loading

    /** A SESSION_START of this document on this node: the view is (re)loaded; returns the load's generation. */
    synchronized int open(long window) {
        opens++;
        continuationWindow = window;
        state = State.LOADING;
        return ++loadGeneration;
    }

    /** A stretch ended; true while other SESSION_STARTs of the document are still open here. */
    synchronized boolean close() {
        return --opens > 0;
    }

    synchronized boolean isReady() {
        return state == State.READY;
    }

    synchronized long recentBatch() {
        return recentBatch;
    }

    synchronized void recentBatch(long numbers) {
        recentBatch = numbers;
    }

    /** This node's own numbers, which a rebuild leaves to its publishes. */
    synchronized SequenceRangeSet admittedCopy() {
        return admitted.copy();
    }

    /**
     * The cluster's view arrived. {@code lag}: how many numbers beyond it a previous writer may have stored without
     * publishing them. Returns the parked records, decided (empty when the load was superseded by a newer one).
     */
    synchronized List<Decided> ready(int generation, SequenceRangeSet clusterView, long lag) {
        merge(clusterView);
        if (loadGeneration != generation || state != State.LOADING) {
            return List.of();
        }
        suspectThrough = othersMax < 0 ? -1 : othersMax + lag + continuationWindow;
        state = State.READY;
        List<Decided> out = new ArrayList<>(parked.size());
        for (Parked p : parked) {
            out.add(new Decided(p, parkedOverflow || mayExistElsewhere(p.handle(), p.seq(), p.dupFlag())));
        }
        parked = new ArrayList<>();
        parkedOverflow = false;
        return out;
    }

    // ---------------------------------------------------------------- per record

    /**
     * Admits a record of {@code h}'s stretch. Returns whether it is known stored already (the view holds it, or this
     * node received it in another stretch): a re-send. A retry of the stretch's own write is not one.
     */
    synchronized boolean admit(DocumentHandle h, long seq, boolean trustView) {
        if (!h.firstAdmission(seq)) {
            return false; // a retry: what its first attempt may have left is the same receipt
        }
        boolean ownCopy = admitted.contains(seq);
        admitted.add(seq);
        return ownCopy || (trustView && state == State.READY && view.contains(seq));
    }

    /**
     * Whether a record just made durable is read back; {@code trustView} false: always (the shared view is not
     * trusted). A record admitted before the view arrived and still without it is parked and decided in {@link #ready}.
     */
    synchronized Check check(DocumentHandle h, long seq, boolean dupFlag, boolean known, boolean trustView) {
        if (!trustView || known) {
            return mark(seq);
        }
        if (state == State.LOADING) {
            if (parked.size() < MAX_PARKED) {
                parked.add(new Parked(h, seq, dupFlag));
            } else {
                parkedOverflow = true;
                return mark(seq);
            }
            return Check.UNDECIDED;
        }
        return mayExistElsewhere(h, seq, dupFlag) ? mark(seq) : Check.NONE;
    }

    /** The local decision without admitting (for status and tests): NONE, VERIFY, or UNDECIDED while loading. */
    synchronized Check classify(DocumentHandle h, long seq, boolean dupFlag) {
        if (state == State.LOADING) {
            return Check.UNDECIDED;
        }
        return view.contains(seq) || mayExistElsewhere(h, seq, dupFlag) ? Check.VERIFY : Check.NONE;
    }

    private boolean mayExistElsewhere(DocumentHandle h, long seq, boolean dupFlag) {
        return dupFlag || seq < h.firstRecordSeq || seq <= othersMax || seq <= suspectThrough;
    }

    /** Adds cluster numbers to the view; those this node did not admit raise what others are known to hold. */
    private void merge(SequenceRangeSet clusterStored) {
        view.addAll(clusterStored);
        othersMax = Math.max(othersMax, clusterStored.minus(admitted).max());
    }

    private Check mark(long seq) {
        checked.add(seq);
        return Check.VERIFY;
    }

    /** Of {@code numbers}, those not yet read back here (a late overlap found on publish needs a check of its own). */
    synchronized SequenceRangeSet unchecked(SequenceRangeSet numbers) {
        SequenceRangeSet out = numbers.minus(checked);
        checked.addAll(out);
        return out;
    }

    // ---------------------------------------------------------------- publishing

    /**
     * A record of this node is durable: pending for the next publish. True once per batch when the batch threshold
     * is reached (publish now rather than at the next tick).
     */
    synchronized boolean durable(long seq, long batchThreshold) {
        pendingWritten.add(seq);
        if (++pendingCount >= batchThreshold && !publishQueued) {
            publishQueued = true;
            return true;
        }
        return false;
    }

    /** Takes what waits to be published (null when nothing does). */
    synchronized SequenceRangeSet takePending() {
        if (pendingWritten.isEmpty()) {
            return null;
        }
        SequenceRangeSet out = pendingWritten;
        pendingWritten = new SequenceRangeSet();
        pendingCount = 0;
        publishQueued = false;
        return out;
    }

    /** A publish failed: keep its numbers for the next one (not counted towards the next batch). */
    synchronized void restorePending(SequenceRangeSet written) {
        pendingWritten.addAll(written);
    }

    /** A publish (or rebuild) answered with the cluster's whole set for the document. */
    synchronized void published(SequenceRangeSet clusterStored, long clusterRecentBatch) {
        merge(clusterStored);
        recentBatch = clusterRecentBatch;
    }

    /** The numbers this node believes stored or being stored (view plus admitted): for status pages. */
    synchronized SequenceRangeSet knownSnapshot() {
        SequenceRangeSet s = view.copy();
        s.addAll(admitted);
        return s;
    }

    @Override
    public String toString() {
        return "Document[" + mapKey + "]";
    }
}
