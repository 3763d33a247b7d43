package io.ipdrsp.dedup;

import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.WriteOutcome;
import java.util.concurrent.CompletionStage;

/**
 * Where the node's session layer puts records: everything it needs from dedup and storage, and nothing else. A
 * document is opened at SESSION_START, its records are written one by one (each outcome arrives asynchronously), and
 * it is closed when the stretch has ended and its last write completed. The capacity methods are the record path's
 * back-pressure: the node stops reading from a CMTS while the sink has no capacity and resumes on the listener.
 *
 * <p>Every method is non-blocking and may be called from a Netty event loop. Outcomes and capacity callbacks arrive
 * on other threads: keep them short and hop back to the caller's own thread.
 */
public interface RecordSink {

    /** A document opened by {@link #open}: opaque to the caller, passed back to {@link #write} and {@link #close}. */
    interface Document {
        RecordKey key();
    }

    /**
     * SESSION_START (primary or not) for the document {@code key}.
     *
     * @param continuationWindow how many records beyond what the cluster holds may have been stored by a previous
     *                           collector without being published (the exporter's window of unacknowledged records);
     *                           they are checked before being written
     */
    Document open(RecordKey key, long firstRecordSequenceNumber, boolean primary, long continuationWindow);

    /**
     * Stores one record exactly once. STORED, DUPLICATE (the same bytes were already stored) and CONFLICT (different
     * bytes were, an integrity alarm is raised and both are kept) are all durable and may be acknowledged; an
     * exceptional completion means nothing is known: do not acknowledge, write it again later.
     *
     * @param bytes the caller's own copy of the record, which neither side changes afterwards
     */
    CompletionStage<WriteOutcome> write(Document document, long seq, int templateId, int configId,
            boolean duplicateFlag, byte[] bytes);

    /** The stretch opened by {@link #open} is over and its last write has completed. */
    void close(Document document);

    /** Sends what is buffered now (the end of a socket read) instead of after the batch linger. */
    void flush();

    /** False while the sink holds as many pending records as it accepts: stop reading from exporters. */
    boolean hasCapacity();

    /** Records accepted and not yet durable (or failed), node-wide. */
    int pending();

    /** Runs {@code listener} (on another thread) each time capacity returns after the sink was full. */
    void onCapacity(Runnable listener);
}
