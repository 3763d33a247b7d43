package io.ipdrsp.node.session;

import io.ipdrsp.dedup.StreamRegistry;
import io.ipdrsp.node.config.NodeIdentity;
import io.ipdrsp.node.config.StorageSettings;
import java.util.function.LongSupplier;

/**
 * What every connection of a node shares: identity, storage, the cluster registry, metrics and bounds.
 *
 * @param nanoClock monotonic clock (System::nanoTime in production)
 */
public record NodeContext(NodeIdentity identity, StorageSettings storage, RecordStore store,
                          StreamRegistry registry, DocumentIndex documents, RecordPathMetrics metrics,
                          LongSupplier nanoClock) {
}
