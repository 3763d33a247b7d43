package io.ipdrsp.node.session;

import io.ipdrsp.protocol.TemplateBlock;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * What the record path needs from storage. Completion callbacks may arrive on any thread (Cassandra driver I/O
 * threads); callers hop back to their own event loop. A completed stage means "durable at the configured
 * consistency" — the only thing a DATA_ACK may rely on.
 */
public interface RecordStore {

    /** Identity of a stored document stream: records are keyed by this plus the DSN. */
    record StreamKey(String exporter, int sessionId, UUID documentId, long exporterBootTime) {
    }

    /** Stores one record idempotently under (key, dsn): writing it twice leaves one row. */
    CompletionStage<Void> writeRecord(StreamKey key, long dsn, int templateId, int configId, boolean duplicate,
                                      ByteBuffer record);

    /** Remembers the template set of (exporter, session, configId). */
    CompletionStage<Void> writeTemplates(String exporter, int sessionId, int configId, List<TemplateBlock> templates);

    /** A SESSION_START..SESSION_STOP stretch received by this node (stop fields null while open). */
    CompletionStage<Void> writeSegment(StreamKey key, String nodeId, boolean primary, long firstRecordSequenceNumber,
                                       long droppedRecordCount, long startedAtMillis, Integer stopReason,
                                       Long stoppedAtMillis);

    /** A cheap liveness probe for health checks and for resuming a flow stopped because storage failed. */
    CompletionStage<Boolean> probe();
}
