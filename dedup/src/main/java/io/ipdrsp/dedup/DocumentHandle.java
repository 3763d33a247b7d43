package io.ipdrsp.dedup;

import io.ipdrsp.storage.RecordKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One document as this node sees it: the local snapshot of the cluster's durable range set (plus the sequence numbers
 * this node has admitted since), and the durable numbers not yet published to Hazelcast. Obtained from
 * {@link RecordDeduplicator#sessionStarted}; every method is cheap and never blocks on the network.
 */
public final class DocumentHandle {
    enum State { LOADING, READY }

    final RecordKey key;
    final String mapKey;
    final String exporterSession;
    /** All fields below: guarded by {@code this}. */
    State state = State.LOADING;
    long firstRecordSeq;
    /** Records above the known maximum that stay SUSPECT after a continuation (see sessionStarted). */
    long continuationWindow;
    /** Highest sequence number (inclusive) that is still checked before writing after a continuation; -1 none. */
    long suspectThrough = -1;
    boolean continued;
    final SequenceRangeSet known = new SequenceRangeSet();
    /** The numbers this node admitted for writing (its own records), kept apart from what others stored. */
    final SequenceRangeSet admitted = new SequenceRangeSet();
    SequenceRangeSet pendingWritten = new SequenceRangeSet();
    SequenceRangeSet pendingKnown = new SequenceRangeSet();
    List<Written> pendingRecords = new ArrayList<>();
    /** Numbers added to the pending sets since the last publish; a full batch publishes at once. */
    int pendingCount;
    /** The cluster entry's recentBatch as last seen here (load, publish results); 0 unknown. */
    long recentBatch;
    boolean publishQueued;
    /** Per sequence number, the outcome of its latest write under way here (a later copy waits for it). */
    final java.util.Map<Long, java.util.concurrent.CompletableFuture<io.ipdrsp.storage.WriteOutcome>> inFlight =
            new java.util.HashMap<>();
    int loadGeneration;
    /** SESSION_STARTs not yet matched by sessionStopped (a node may reopen a document before the old stretch ended). */
    int opens;
    // takeover measurement of the current SESSION_START
    long sessionStartNanos;
    long firstDurableNanos;
    Boolean failover;
    final AtomicBoolean rebuilding = new AtomicBoolean();

    DocumentHandle(RecordKey key) {
        this.key = key;
        this.mapKey = DocumentKeys.of(key);
        this.exporterSession = PrimaryClaim.key(key.exporter(), key.sessionId());
    }

    public RecordKey key() {
        return key;
    }

    /** Whether the cluster's (or Cassandra's) view of the document has arrived; before that every record is SUSPECT. */
    public synchronized boolean isReady() {
        return state == State.READY;
    }

    /**
     * A copy of the sequence numbers this node believes stored or being stored (cluster snapshot plus its own admitted
     * records). For status pages; DATA_ACK must follow the write futures, not this set.
     */
    public synchronized SequenceRangeSet knownSnapshot() {
        return known.copy();
    }

    synchronized boolean hasPending() {
        return !pendingWritten.isEmpty() || !pendingKnown.isEmpty();
    }

    /** A record this node stored; its bytes are kept until published, to verify a late-detected duplicate. */
    record Written(long seq, int templateId, int configId, boolean dupFlag, byte[] data) {
    }

    @Override
    public String toString() {
        return "Document[" + mapKey + "]";
    }
}
