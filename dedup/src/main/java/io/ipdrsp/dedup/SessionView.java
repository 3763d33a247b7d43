package io.ipdrsp.dedup;

import java.util.List;

/**
 * One exporter session across the cluster: which node is primary (the last SESSION_START with the primary flag) and
 * which nodes hold it as backup, with the primary's document, boot time, last acked DSN and template configId.
 *
 * @param primaryNodeId  "" when no node claims the session
 * @param backupNodeIds  nodes with the session in role BACKUP, sorted
 * @param lastAckedDsn   -1 if none
 * @param configId       -1 if unknown
 */
public record SessionView(String exporter, int sessionId, String primaryNodeId, List<String> backupNodeIds,
                          String documentId, long exporterBootTime, long lastAckedDsn, int configId) {
    public SessionView {
        backupNodeIds = List.copyOf(backupNodeIds);
    }
}
