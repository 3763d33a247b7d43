package io.ipdrsp.node.session;

import io.ipdrsp.dedup.RecordDeduplicator;
import io.ipdrsp.dedup.StreamRegistry;
import io.ipdrsp.node.config.NodeIdentity;
import io.ipdrsp.node.config.StorageSettings;
import io.ipdrsp.node.store.NodeStorage;
import java.util.function.LongSupplier;

/**
 * What every connection of a node shares: identity, storage, the cluster registry, metrics and bounds.
 *
 * @param store     the storage module's handle and the node's one record writer
 * @param paused    connections that stopped reading because the record writer is full
 * @param dedup     the duplicate guard every record write goes through (it owns the plain writes and the duplicate check)
 * @param nanoClock monotonic clock (System::nanoTime in production)
 */
public record NodeContext(NodeIdentity identity, StorageSettings storage, NodeStorage store,
                          StreamRegistry registry, RecordDeduplicator dedup, DocumentIndex documents,
                          RecordPathMetrics metrics, PausedConnections paused, LongSupplier nanoClock) {
}
