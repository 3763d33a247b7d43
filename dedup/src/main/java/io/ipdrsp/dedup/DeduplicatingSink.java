package io.ipdrsp.dedup;

import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.RecordWriter;
import io.ipdrsp.storage.WriteOutcome;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * The node's {@link RecordSink}: a thin adapter over {@link RecordDeduplicator} (open, write, close) and the node's
 * plain {@link RecordWriter} (flush and capacity). It adds no logic of its own, so that dedup's internals can change
 * behind it with a local edit here.
 */
public final class DeduplicatingSink implements RecordSink {
    private final RecordDeduplicator dedup;
    private final RecordWriter writer;

    /** {@code writer} is the one the deduplicator was started with. */
    public DeduplicatingSink(RecordDeduplicator dedup, RecordWriter writer) {
        this.dedup = Objects.requireNonNull(dedup, "dedup");
        this.writer = Objects.requireNonNull(writer, "writer");
    }

    private record Opened(DocumentHandle handle) implements Document {
        @Override
        public RecordKey key() {
            return handle.key();
        }
    }

    @Override
    public Document open(RecordKey key, long firstRecordSequenceNumber, boolean primary, long continuationWindow) {
        return new Opened(dedup.sessionStarted(key, firstRecordSequenceNumber, primary, continuationWindow));
    }

    @Override
    public CompletionStage<WriteOutcome> write(Document document, long seq, int templateId, int configId,
            boolean duplicateFlag, byte[] bytes) {
        return dedup.writeOwned(((Opened) document).handle(), seq, templateId, configId, duplicateFlag, bytes);
    }

    @Override
    public void close(Document document) {
        dedup.sessionStopped(((Opened) document).handle());
    }

    @Override
    public void flush() {
        writer.flush();
    }

    @Override
    public boolean hasCapacity() {
        return writer.hasCapacity();
    }

    @Override
    public int pending() {
        return writer.pendingRecords();
    }

    @Override
    public void onCapacity(Runnable listener) {
        writer.onCapacity(listener);
    }
}
