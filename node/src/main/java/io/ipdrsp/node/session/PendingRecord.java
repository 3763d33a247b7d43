package io.ipdrsp.node.session;

import io.ipdrsp.storage.WriteOutcome;
import java.util.function.BiConsumer;

/**
 * One record of a {@link DocumentStream} whose write is under way. It keeps its own copy of the bytes: a failed write
 * is retried from it (the Netty frame is released as soon as the read is handled). Being the completion callback
 * itself saves an allocation per record.
 */
final class PendingRecord implements BiConsumer<WriteOutcome, Throwable> {
    final DocumentStream stream;
    final long ticket;
    final long dsn;
    /** templateId and configId, both UINT16 (the writer checks): one field. */
    final int ids;
    final boolean duplicate;
    final byte[] data;
    int attempt;
    long startedNanos;
    WriteOutcome outcome;
    Throwable failure;

    PendingRecord(DocumentStream stream, long ticket, long dsn, int templateId, int configId, boolean duplicate,
                  byte[] data) {
        this.stream = stream;
        this.ticket = ticket;
        this.dsn = dsn;
        this.ids = templateId << 16 | configId & 0xFFFF;
        this.duplicate = duplicate;
        this.data = data;
    }

    int templateId() {
        return ids >>> 16;
    }

    int configId() {
        return ids & 0xFFFF;
    }

    /** The sink's thread. */
    @Override
    public void accept(WriteOutcome result, Throwable error) {
        outcome = result;
        failure = error;
        stream.completed(this);
    }
}
