package io.ipdrsp.dedup;

import java.io.Serializable;
import java.util.Objects;

/**
 * What one node knows about one exporter session at one moment: the live, cluster-wide view behind
 * {@code /api/exporters}. Values only; a newer state replaces the older one for the same {@link #key()}.
 *
 * @param nodeId          the collector node that holds this session
 * @param exporter        the configured CMTS name
 * @param sessionId       IPDR/SP sessionId on that exporter
 * @param sessionName     name from GET_SESSIONS_RESPONSE ("" if unknown)
 * @param role            PRIMARY / BACKUP (from SESSION_START's primary flag) or IDLE (no active session)
 * @param documentId      the current documentId (UUID text), "" outside SESSION_START..SESSION_STOP
 * @param exporterBootTime seconds since 1970, from SESSION_START
 * @param received        DATA messages received in this node's lifetime
 * @param stored          records whose Cassandra write succeeded
 * @param acked           highest DSN sent in a DATA_ACK, -1 if none
 * @param duplicates      records received again (resend after failover, D flag or not)
 * @param updatedAtMillis wall clock of the node when the state was taken
 * @param configId        the template configId in force (from TEMPLATE_DATA / SESSION_START), -1 if unknown
 */
public record SessionState(String nodeId, String exporter, int sessionId, String sessionName, String role,
                           String documentId, long exporterBootTime, long received, long stored, long acked,
                           long duplicates, long updatedAtMillis, int configId) implements Serializable {
    private static final long serialVersionUID = 2L;

    /** Without the configId (unknown). */
    public SessionState(String nodeId, String exporter, int sessionId, String sessionName, String role,
                        String documentId, long exporterBootTime, long received, long stored, long acked,
                        long duplicates, long updatedAtMillis) {
        this(nodeId, exporter, sessionId, sessionName, role, documentId, exporterBootTime, received, stored, acked,
                duplicates, updatedAtMillis, -1);
    }

    public SessionState {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(exporter, "exporter");
        Objects.requireNonNull(sessionName, "sessionName");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(documentId, "documentId");
    }

    /** One entry per (node, exporter, session): backups and the primary of a session are listed side by side. */
    public String key() {
        return key(nodeId, exporter, sessionId);
    }

    public static String key(String nodeId, String exporter, int sessionId) {
        return exporter + '/' + sessionId + '@' + nodeId;
    }
}
