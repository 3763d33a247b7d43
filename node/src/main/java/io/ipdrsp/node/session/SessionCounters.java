package io.ipdrsp.node.session;

import io.ipdrsp.protocol.SessionBlock;
import io.ipdrsp.protocol.SessionStart;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.WriteOutcome;

/**
 * The one object a session counts through. Each event updates, in one place, everything that reports it: the
 * CMTS's session status ({@code /api/exporters}; the CMTS's totals are sums over its sessions), the document index
 * ({@code /api/documents}), the node-wide Dropwizard meters and the labelled Prometheus series. Called on the
 * connection's event loop (write completions are applied there too); the holders are read from any thread. Nothing
 * here allocates per record.
 */
final class SessionCounters {
    private final RecordPathMetrics node;
    private final ExporterMetrics.SessionMetrics labelled;
    private final ExporterState.SessionStatus status;
    private final DocumentIndex documents;

    SessionCounters(NodeContext ctx, ExporterState exporter, int sessionId) {
        this.node = ctx.metrics();
        this.labelled = node.exporters().session(exporter.name(), sessionId);
        this.status = exporter.session(sessionId);
        this.documents = ctx.documents();
    }

    ExporterState.SessionStatus status() {
        return status;
    }

    // ------------------------------------------------------------------ phases

    /** GET_SESSIONS_RESPONSE offered the session; {@code wanted}: the node starts it (else NOT_WANTED). */
    static void offered(ExporterState.SessionStatus status, SessionBlock b, boolean wanted) {
        status.name = b.sessionName();
        status.description = b.sessionDescription();
        if (!wanted) {
            status.state = "NOT_WANTED";
        }
    }

    void phase(String state) {
        status.state = state;
    }

    void templates(int configId) {
        status.configId = configId;
    }

    /** SESSION_START: the document's index entry, which the stream's counts go to. */
    DocumentIndex.Entry documentStarted(RecordKey key, SessionStart m) {
        DocumentIndex.Entry e = documents.open(key);
        e.primary = m.primary();
        e.droppedRecordCount = m.droppedRecordCount();
        e.stopReason = null;
        status.state = "ACTIVE";
        status.primary = m.primary();
        status.receivingData = false;
        status.documentId = key.documentId().toString();
        status.exporterBootTime = m.exporterBootTime();
        status.firstRecordSequenceNumber = m.firstRecordSequenceNumber();
        status.droppedRecordCount = m.droppedRecordCount();
        labelled.primary(m.primary());
        return e;
    }

    /** The stretch ended: SESSION_STOP {@code reason}, or null without one (FLOW_STOP, superseded, closed). */
    void documentEnded(DocumentIndex.Entry e, Integer reason) {
        e.stopReason = reason == null ? -1 : reason;
        status.documentId = "";
        labelled.noDocument();
    }

    /** No document on this session any more (SESSION_STOP, FLOW_STOP, connection closed). */
    void noDocument() {
        labelled.noDocument();
    }

    // ------------------------------------------------------------------ records

    /** A record arrived; {@code flagged}: with the D flag (a re-send, as the exporter says). */
    void received(DocumentIndex.Entry e, long dsn, int bytes, boolean flagged) {
        if (!status.receivingData) { // once per stretch: a primary=false standby that gets the stream is primary
            status.receivingData = true;
            labelled.primary(true);
        }
        e.dsn(dsn);
        e.received.increment();
        status.received.increment();
        node.received.mark();
        node.bytes.mark(bytes);
        labelled.received(1);
        if (flagged) {
            duplicate(e);
        }
        node.inFlight.incrementAndGet();
    }

    /**
     * A write completed durably. {@code flagged}: it had the D flag (counted as a duplicate when it arrived);
     * {@code belowFirst}: its DSN is below the SESSION_START's firstRecordSequenceNumber. Duplicates are re-sends
     * only: flagged, or found already held (DUPLICATE). An unflagged record below firstRecordSequenceNumber that was
     * new is a first send, counted apart ({@code firstSendsBelowFirstRecordSequence}).
     */
    void stored(DocumentIndex.Entry e, WriteOutcome outcome, boolean flagged, boolean belowFirst,
            long latencyNanos) {
        node.inFlight.decrementAndGet();
        node.writeLatency.observe(latencyNanos / 1e9);
        if (outcome == WriteOutcome.DUPLICATE || outcome == WriteOutcome.CONFLICT) {
            (outcome == WriteOutcome.DUPLICATE ? node.duplicateOutcomes : node.conflictOutcomes).mark();
            if (!flagged) {
                duplicate(e); // received again without the D flag
            }
        } else if (belowFirst && !flagged) {
            status.firstSendsBelowFirstRecordSequence.increment();
        }
        node.stored.mark();
        e.stored.increment();
        status.stored.increment();
    }

    /** A write failed (refused by an overloaded writer: not counted as a storage failure). */
    void writeFailed(boolean overloaded) {
        if (!overloaded) {
            node.writeFailures.mark();
        }
    }

    /** A failed write is not retried: its connection is gone (the exporter re-sends the record elsewhere). */
    void writeAbandoned() {
        node.inFlight.decrementAndGet();
    }

    /** A DATA_ACK with {@code dsn} newly covered {@code covered} records. */
    void acked(DocumentIndex.Entry e, long dsn, long covered) {
        long now = System.currentTimeMillis();
        e.lastAckDsn = dsn;
        status.lastAckDsn = dsn;
        status.lastAckAtMillis = now;
        status.acked.add(covered);
        node.acked.mark(covered);
        labelled.acked(covered);
    }

    private void duplicate(DocumentIndex.Entry e) {
        e.duplicates.increment();
        status.duplicates.increment();
        node.duplicates.mark();
    }
}
