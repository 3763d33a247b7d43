package io.ipdrsp.node.session;

import io.ipdrsp.storage.RecordWriter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connections that stopped reading because the node-wide record writer has no capacity. The writer's capacity
 * listener (a driver thread) hands each of them back to its own event loop to resume; nothing else is buffered.
 */
public final class PausedConnections {
    private final Set<ConnectionHandler> paused = ConcurrentHashMap.newKeySet();

    /** Registers the capacity listener on {@code writer}. */
    public PausedConnections(RecordWriter writer) {
        writer.onCapacity(this::resumeAll);
    }

    void add(ConnectionHandler h) {
        paused.add(h);
    }

    void remove(ConnectionHandler h) {
        paused.remove(h);
    }

    private void resumeAll() {
        for (ConnectionHandler h : paused) {
            h.resumeFromAnyThread();
        }
    }
}
