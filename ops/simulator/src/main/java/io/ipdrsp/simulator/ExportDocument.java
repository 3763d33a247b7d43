package io.ipdrsp.simulator;

/** One document of a session: a documentId and the DSN bookkeeping of its records. Event-loop confined. */
final class ExportDocument {
    final byte[] id;
    final String idText;
    final long index;
    TemplateSet config;
    final Ledger.Entry entry;
    final long limit; // ad-hoc record count, or Long.MAX_VALUE
    final long createdMillis = System.currentTimeMillis();
    long nextGen;     // next DSN to generate
    long held;        // every DSN below is acknowledged or dropped
    long nextSend;    // next DSN to send to the active collector
    long maxSent;     // one past the highest DSN ever sent
    long resentUpTo;  // DSNs below this and >= held were sent before: re-send with the D flag
    final RangeSet holes = new RangeSet(); // silently lost DSNs
    final SendTimes sendTimes = new SendTimes();
    boolean closing;
    int stopReason;

    ExportDocument(byte[] id, long index, TemplateSet config, Ledger.Entry entry, long limit) {
        this.id = id;
        this.idText = DocumentIds.uuidText(id);
        this.index = index;
        this.config = config;
        this.entry = entry;
        this.limit = limit;
    }

    long buffered() {
        return nextGen - held;
    }

    /** No more records will be generated into this document; it stops with {@code reason} once all are held. */
    void close(int reason) {
        closing = true;
        stopReason = reason;
    }

    boolean finished() {
        return closing && held >= nextGen;
    }

    /** Everything sent so far and not acknowledged goes out again with the D flag. */
    void markResend() {
        resentUpTo = Math.max(resentUpTo, maxSent);
    }
}
