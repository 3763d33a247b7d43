package io.ipdrsp.dedup;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The node's window onto the cluster's shared stream state. The node calls it on the record path's control
 * points (session start/stop, each DATA_ACK); it must never block an I/O thread for long, so implementations
 * publish asynchronously.
 *
 * <p>This is the cluster-wide view (REST). Duplicate detection and the range sets of durable sequence numbers are in
 * {@link RecordDeduplicator}, which also records which node is primary per session.
 */
public interface StreamRegistry extends AutoCloseable {

    /** Publishes the latest state of one session (replaces the previous one with the same key). */
    void publish(SessionState state);

    /** Removes one session's entry, e.g. when its connection is gone for good. */
    void remove(String nodeId, String exporter, int sessionId);

    /** Every session of every node of the cluster, as last published. */
    Collection<SessionState> all();

    /**
     * One session across the cluster. The default derives it from {@link #all()} (the entry with role PRIMARY, else
     * the most recently updated one); the Hazelcast registry uses the primary claims of SESSION_START.
     */
    default Optional<SessionView> session(String exporter, int sessionId) {
        List<SessionState> entries = all().stream()
                .filter(s -> s.exporter().equals(exporter) && s.sessionId() == sessionId).toList();
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        SessionState primary = entries.stream().filter(s -> s.role().equals("PRIMARY"))
                .max(java.util.Comparator.comparingLong(SessionState::updatedAtMillis)).orElse(null);
        return Optional.of(view(exporter, sessionId, primary == null ? "" : primary.nodeId(), entries));
    }

    /** Builds a view from the entries of one session, given which node is primary. */
    static SessionView view(String exporter, int sessionId, String primaryNode, List<SessionState> entries) {
        SessionState p = entries.stream().filter(s -> s.nodeId().equals(primaryNode)).findFirst()
                .orElse(entries.stream().max(java.util.Comparator.comparingLong(SessionState::updatedAtMillis))
                        .orElse(null));
        List<String> backups = entries.stream().filter(s -> s.role().equals("BACKUP")).map(SessionState::nodeId)
                .sorted().toList();
        return new SessionView(exporter, sessionId, primaryNode, backups, p == null ? "" : p.documentId(),
                p == null ? 0 : p.exporterBootTime(), p == null ? -1 : p.acked(), p == null ? -1 : p.configId());
    }

    @Override
    void close();
}
