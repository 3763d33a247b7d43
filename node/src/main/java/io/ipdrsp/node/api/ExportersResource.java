package io.ipdrsp.node.api;

import io.ipdrsp.dedup.DedupMetrics;
import io.ipdrsp.dedup.RecordDeduplicator;
import io.ipdrsp.dedup.SessionState;
import io.ipdrsp.dedup.SessionView;
import io.ipdrsp.dedup.StreamRegistry;
import io.ipdrsp.node.NodeServices;
import io.ipdrsp.node.session.ExporterState;
import io.ipdrsp.storage.RecordKey;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * {@code GET /api/exporters}: every CMTS this node knows, with its connection, sessions and counters; under
 * {@code sessions} the cluster-wide view of each CMTS session (whichever node holds it), and under {@code cluster}
 * every session state published in the Hazelcast cluster. Synchronous Hazelcast reads (REST thread only).
 */
@jakarta.annotation.security.RolesAllowed(io.ipdrsp.node.security.Role.VIEWER)
@Path("/api/exporters")
@Produces(MediaType.APPLICATION_JSON)
public final class ExportersResource {
    private final NodeServices services;

    public ExportersResource(NodeServices services) {
        this.services = services;
    }

    /**
     * One CMTS session across the cluster.
     *
     * @param storedDsns      the document's durable sequence numbers as published in the cluster ("" unknown)
     * @param storedCount     how many numbers that is (-1 unknown)
     * @param lastAckedDsn    the primary's last DATA_ACK (-1 none)
     * @param received        records received for the session, summed over the nodes that hold it
     * @param duplicates      records received again, summed over the nodes
     * @param nodes           per node: role, received, stored, duplicates, last acked DSN
     */
    public record ClusterSession(String exporter, int sessionId, String primaryNodeId, List<String> backupNodeIds,
                                 String documentId, long exporterBootTime, String storedDsns, long storedCount,
                                 long lastAckedDsn, long received, long duplicates, List<NodeSession> nodes) {
    }

    /** One node's published state of a session (dedup's {@link SessionState}, its time as an ISO-8601 instant). */
    public record NodeSession(String nodeId, String exporter, int sessionId, String sessionName, String role,
                              String documentId, long exporterBootTime, long received, long stored, long acked,
                              long duplicates, Instant updatedAt, int configId) {
        static NodeSession of(SessionState s) {
            return new NodeSession(s.nodeId(), s.exporter(), s.sessionId(), s.sessionName(), s.role(), s.documentId(),
                    s.exporterBootTime(), s.received(), s.stored(), s.acked(), s.duplicates(),
                    Instant.ofEpochMilli(s.updatedAtMillis()), s.configId());
        }
    }

    /**
     * This node's dedup counters (node-wide: dedup does not keep them per session); takeover times as ISO-8601
     * durations ({@code PT0.412S}), {@code lastTakeover} null before the first.
     */
    public record Dedup(long plainWrites, long checkedWrites, long duplicatesFlagged, long duplicatesUnflagged,
                        long lateDuplicates, long integrityAlarms, long failoversObserved, long takeovers,
                        Duration lastTakeover, Duration takeoverMax) {
        static Dedup of(DedupMetrics m) {
            return new Dedup(m.plainWrites(), m.checkedWrites(), m.duplicatesFlagged(), m.duplicatesUnflagged(),
                    m.lateDuplicates(), m.integrityAlarms(), m.failoversObserved(), m.takeovers(),
                    m.lastTakeoverMillis() < 0 ? null : Duration.ofMillis(m.lastTakeoverMillis()),
                    Duration.ofMillis(m.takeoverMillisMax()));
        }
    }

    public record Exporters(String node, String site, List<ExporterState.View> exporters,
                            List<ClusterSession> sessions, Dedup dedup, List<NodeSession> cluster) {
    }

    @GET
    public Exporters list() {
        StreamRegistry reg = services.streams();
        RecordDeduplicator dedup = services.dedup();
        List<ExporterState.View> local = services.exporters().stream().map(ExporterState::view).toList();
        Collection<SessionState> all = reg == null ? List.of() : reg.all();
        Map<String, List<SessionState>> bySession = new TreeMap<>();
        for (SessionState s : all) {
            bySession.computeIfAbsent(s.exporter() + "/" + s.sessionId(), k -> new ArrayList<>()).add(s);
        }
        for (ExporterState.View e : local) {
            for (ExporterState.SessionView s : e.sessions()) {
                bySession.computeIfAbsent(e.name() + "/" + s.sessionId(), k -> new ArrayList<>());
            }
        }
        List<ClusterSession> sessions = new ArrayList<>();
        for (Map.Entry<String, List<SessionState>> en : bySession.entrySet()) {
            int slash = en.getKey().lastIndexOf('/');
            String exporter = en.getKey().substring(0, slash);
            int sid = Integer.parseInt(en.getKey().substring(slash + 1));
            sessions.add(session(reg, dedup, exporter, sid, en.getValue()));
        }
        return new Exporters(services.config().getNode().getId(), services.config().getNode().getSite(), local,
                sessions, dedup == null ? null : Dedup.of(dedup.metrics()), all.stream().map(NodeSession::of).toList());
    }

    private static ClusterSession session(StreamRegistry reg, RecordDeduplicator dedup, String exporter, int sid,
                                          List<SessionState> entries) {
        SessionView v = null;
        try {
            v = reg == null ? null : reg.session(exporter, sid).orElse(null);
        } catch (RuntimeException e) {
            v = null; // Hazelcast unavailable: the per-node entries still tell
        }
        String documentId = v == null ? "" : v.documentId();
        long boot = v == null ? 0 : v.exporterBootTime();
        String stored = "";
        long storedCount = -1;
        if (dedup != null && !documentId.isEmpty()) {
            try {
                var ranges = dedup.clusterRanges(new RecordKey(exporter, sid, UUID.fromString(documentId), boot));
                if (ranges.isPresent()) {
                    stored = ranges.get().toString();
                    storedCount = ranges.get().cardinality();
                }
            } catch (RuntimeException e) {
                stored = "";
            }
        }
        return new ClusterSession(exporter, sid, v == null ? "" : v.primaryNodeId(),
                v == null ? List.of() : v.backupNodeIds(), documentId, boot, stored, storedCount,
                v == null ? -1 : v.lastAckedDsn(), entries.stream().mapToLong(SessionState::received).sum(),
                entries.stream().mapToLong(SessionState::duplicates).sum(),
                entries.stream().map(NodeSession::of).toList());
    }
}
