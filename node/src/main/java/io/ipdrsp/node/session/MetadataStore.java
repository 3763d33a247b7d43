package io.ipdrsp.node.session;

import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.DocumentInfo;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** The metadata writes of the session layer (segments, document rows, templates), as {@link SegmentJournal} needs them. */
public interface MetadataStore {
    CompletionStage<Void> saveSegment(Segment s);

    /** @param highestSeq the highest DSN this node received in the stretch, -1 when none (orders segments). */
    CompletionStage<Void> stopSegment(RecordKey key, Instant startedAt, String node, Instant stoppedAt, int reasonCode,
            String reasonInfo, long highestSeq);

    /** An open segment's highest DSN so far (a node killed before SESSION_STOP still tells how far it got). */
    CompletionStage<Void> segmentProgress(RecordKey key, Instant startedAt, String node, long highestSeq);

    CompletionStage<Void> saveDocument(DocumentInfo d);

    CompletionStage<Void> saveTemplates(String exporter, int sessionId, long bootTime, int configId,
            List<TemplateBlock> templates);

    /** The storage module's implementation. */
    static MetadataStore of(CassandraStorage storage) {
        return new MetadataStore() {
            @Override
            public CompletionStage<Void> saveSegment(Segment s) {
                return storage.saveSegment(s);
            }

            @Override
            public CompletionStage<Void> stopSegment(RecordKey key, Instant startedAt, String node, Instant stoppedAt,
                    int reasonCode, String reasonInfo, long highestSeq) {
                return storage.documents().stopSegment(key, startedAt, node, stoppedAt, reasonCode, reasonInfo,
                        highestSeq);
            }

            @Override
            public CompletionStage<Void> segmentProgress(RecordKey key, Instant startedAt, String node,
                    long highestSeq) {
                return storage.documents().segmentProgress(key, startedAt, node, highestSeq);
            }

            @Override
            public CompletionStage<Void> saveDocument(DocumentInfo d) {
                return storage.saveDocument(d);
            }

            @Override
            public CompletionStage<Void> saveTemplates(String exporter, int sessionId, long bootTime, int configId,
                    List<TemplateBlock> templates) {
                return storage.saveTemplates(exporter, sessionId, bootTime, configId, templates);
            }
        };
    }
}
