package io.ipdrsp.dedup;

import java.util.Collection;

/**
 * The node's window onto the cluster's shared stream state. The node calls it on the record path's control
 * points (session start/stop, each DATA_ACK); it must never block an I/O thread for long, so implementations
 * publish asynchronously.
 *
 * <p>Today it only records state for the cluster-wide view. Duplicate detection across nodes, range sets of
 * durable sequence numbers and document assembly come later behind the same interface.
 */
public interface StreamRegistry extends AutoCloseable {

    /** Publishes the latest state of one session (replaces the previous one with the same key). */
    void publish(SessionState state);

    /** Removes one session's entry, e.g. when its connection is gone for good. */
    void remove(String nodeId, String exporter, int sessionId);

    /** Every session of every node of the cluster, as last published. */
    Collection<SessionState> all();

    @Override
    void close();
}
