package io.ipdrsp.dedup;

import io.ipdrsp.storage.Receipt;
import io.ipdrsp.storage.RecordKey;
import java.util.concurrent.atomic.LongAdder;

/**
 * One stretch of a document on this node: what {@link RecordDeduplicator#sessionStarted} returns for a SESSION_START
 * and every record of that stretch is written with. It carries the stretch's {@link Receipt} (stored with each record,
 * so a retried write counts once and a re-send through another stretch counts as one) and the stretch's
 * firstRecordSequenceNumber, and counts what the stretch received: re-sends, and first sends below
 * firstRecordSequenceNumber. The document's shared state lives in {@link DocumentState}; every method here is cheap
 * and never blocks on the network.
 */
public final class DocumentHandle {
    final DocumentState doc;
    final Receipt receipt;
    final long firstRecordSeq;
    private final LongAdder resends = new LongAdder();
    private final LongAdder firstSendsBelowFirst = new LongAdder();
    /** Guarded by this: the numbers admitted in this stretch (one range, usually), the takeover timing. */
    private final SequenceRangeSet admitted = new SequenceRangeSet();
    /** SESSION_START said primary: the stretch claims the session's primary role with its first durable record. */
    final boolean primary;
    private long sessionStartNanos;
    private long firstDurableNanos;

    DocumentHandle(DocumentState doc, Receipt receipt, long firstRecordSeq, boolean primary) {
        this.doc = doc;
        this.receipt = receipt;
        this.firstRecordSeq = firstRecordSeq;
        this.sessionStartNanos = System.nanoTime();
        this.primary = primary;
    }

    public RecordKey key() {
        return doc.key;
    }

    /** The receipt this stretch's records are stored with. */
    public Receipt receipt() {
        return receipt;
    }

    /** Whether the cluster's (or Cassandra's) view of the document has arrived. Before that, no record is delayed. */
    public boolean isReady() {
        return doc.isReady();
    }

    /**
     * A copy of the sequence numbers this node believes stored or being stored (cluster snapshot plus its own admitted
     * records). For status pages; DATA_ACK must follow the write futures, not this set.
     */
    public SequenceRangeSet knownSnapshot() {
        return doc.knownSnapshot();
    }

    /**
     * Records of this stretch that were re-sends: the number was already durable (the cluster's view held it, this
     * node had it from another stretch, or a read-back found an earlier receipt). What the REST "duplicates" shows.
     */
    public long resends() {
        return resends.sum();
    }

    /**
     * Records of this stretch below its firstRecordSequenceNumber that no node had received before (first sends,
     * e.g. records an exporter held while no collector was up): not re-sends, counted apart. Known once read back.
     */
    public long firstSendsBelowFirstRecordSequence() {
        return firstSendsBelowFirst.sum();
    }

    void countResend() {
        resends.increment();
    }

    void countFirstSendBelowFirst() {
        firstSendsBelowFirst.increment();
    }

    /** True the first time this stretch admits {@code seq}; false for a retry of its own write. */
    synchronized boolean firstAdmission(long seq) {
        if (admitted.contains(seq)) {
            return false;
        }
        admitted.add(seq);
        return true;
    }

    /** A record of this stretch became durable; true the first time (the stretch carries data). */
    synchronized boolean durable() {
        if (firstDurableNanos != 0) {
            return false;
        }
        firstDurableNanos = System.nanoTime();
        return true;
    }

    /**
     * The claim of the primary role (made at the first durable record) answered: for a failover, SESSION_START →
     * first durable record in ms, the takeover time; else -1.
     */
    synchronized long claimAnswered(boolean wasFailover) {
        return wasFailover ? java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(firstDurableNanos - sessionStartNanos)
                : -1;
    }

    @Override
    public String toString() {
        return doc + "@" + receipt;
    }
}
