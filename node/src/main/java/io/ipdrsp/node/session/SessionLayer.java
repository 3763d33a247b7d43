package io.ipdrsp.node.session;

import io.ipdrsp.dedup.RecordSink;
import io.ipdrsp.dedup.StreamRegistry;
import io.ipdrsp.node.config.NodeIdentity;
import io.ipdrsp.node.config.StorageSettings;
import io.ipdrsp.node.store.NodeStorage;
import io.ipdrsp.node.transport.ProtocolErrors;
import io.ipdrsp.node.transport.RateLimitedLog;

/**
 * The session layer's node-wide parts, started and stopped together: the {@link NodeContext} every connection
 * shares, with the metadata journal and the session-state publisher it owns threads for.
 */
public final class SessionLayer implements AutoCloseable {
    private final NodeContext context;

    private SessionLayer(NodeContext context) {
        this.context = context;
    }

    /** @param sink where records go (dedup behind {@link RecordSink}) */
    public static SessionLayer start(NodeIdentity identity, StorageSettings settings, RecordSink sink, NodeStorage store,
                                     StreamRegistry registry, DocumentIndex documents, RecordPathMetrics metrics) {
        SegmentJournal journal = new SegmentJournal(identity.getId(), MetadataStore.of(store.storage()));
        metrics.metadataWritesPending(journal::pending);
        return new SessionLayer(new NodeContext(identity, settings, sink, journal, store::probe,
                new SessionStatePublisher(identity.getId(), registry), documents, metrics, new PausedConnections(sink),
                new ProtocolErrors(metrics.exporters(), RateLimitedLog.tenSeconds()), System::nanoTime));
    }

    public NodeContext context() {
        return context;
    }

    /** After the transport closed: writes the last segment ends, stops publishing. */
    @Override
    public void close() {
        context.journal().close();
        context.publisher().close();
    }
}
