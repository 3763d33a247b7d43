package io.ipdrsp.dedup;

import io.ipdrsp.storage.RecordKey;
import java.util.UUID;

/**
 * Hazelcast keys for documents: {@code bootTime/sessionId/documentId/exporter}. Plain strings partition well and need no
 * serializer; the exporter name goes last so that it may contain any character.
 */
final class DocumentKeys {
    private DocumentKeys() {
    }

    static String of(RecordKey k) {
        return k.bootTime() + "/" + k.sessionId() + "/" + k.documentId() + "/" + k.exporter();
    }

    static RecordKey parse(String s) {
        String[] p = s.split("/", 4);
        if (p.length != 4) {
            throw new IllegalArgumentException("not a document key: " + s);
        }
        return new RecordKey(p[3], Integer.parseInt(p[1]), UUID.fromString(p[2]), Long.parseLong(p[0]));
    }
}
