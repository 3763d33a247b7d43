package io.ipdrsp.node.session;

import io.ipdrsp.dedup.RecordSink;
import io.ipdrsp.node.config.NodeIdentity;
import io.ipdrsp.node.config.StorageSettings;
import io.ipdrsp.node.transport.ProtocolErrors;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What every connection of a node shares: identity, bounds, where records and metadata go, the cluster view,
 * counters and the clock.
 *
 * @param storage      the storage bounds the session layer applies (in flight per connection and node, FLOW_STOP delay)
 * @param sink         where records go (dedup and the record writer behind {@link RecordSink})
 * @param journal      segment, document and template rows, written off the record path
 * @param storageProbe a cheap "is Cassandra answering?" (to FLOW_START again after a FLOW_STOP)
 * @param publisher    session state to the cluster registry, off the event loops
 * @param paused       connections that stopped reading because of back-pressure
 * @param errors       the one place that sends ERROR
 * @param nanoClock    monotonic clock (System::nanoTime in production)
 */
public record NodeContext(NodeIdentity identity, StorageSettings storage, RecordSink sink, SegmentJournal journal,
                          Supplier<CompletionStage<Boolean>> storageProbe, SessionStatePublisher publisher,
                          DocumentIndex documents, RecordPathMetrics metrics, PausedConnections paused,
                          ProtocolErrors errors, LongSupplier nanoClock) {
}
