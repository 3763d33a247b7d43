package io.ipdrsp.node.session;

import io.ipdrsp.dedup.RecordSink;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connections that stopped reading because of back-pressure. The sink's capacity listener (another thread) hands
 * each of them back to its own event loop to resume; nothing else is buffered.
 */
public final class PausedConnections {
    private final Set<ReadThrottle> paused = ConcurrentHashMap.newKeySet();

    /** Registers the capacity listener on {@code sink}. */
    public PausedConnections(RecordSink sink) {
        sink.onCapacity(this::resumeAll);
    }

    void add(ReadThrottle t) {
        paused.add(t);
    }

    void remove(ReadThrottle t) {
        paused.remove(t);
    }

    private void resumeAll() {
        for (ReadThrottle t : paused) {
            t.resumeFromAnyThread();
        }
    }
}
