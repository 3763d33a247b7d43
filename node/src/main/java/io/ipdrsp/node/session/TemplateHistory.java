package io.ipdrsp.node.session;

import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.protocol.RecordDecoder;
import io.ipdrsp.protocol.TemplateBlock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The template sets of one session by configId, newest last, with their compiled decoders. A short history is kept
 * because a record with an older configId may still arrive (SP 2.1 §2.6); the same configId means the same set
 * "even across reconnects", so the history lives with the exporter, not with the connection.
 */
public final class TemplateHistory {
    private static final int KEEP = 4;

    private final DecoderOptions options;
    private final LinkedHashMap<Integer, Map<Integer, RecordDecoder>> byConfig = new LinkedHashMap<>();
    private final LinkedHashMap<Integer, List<TemplateBlock>> blocks = new LinkedHashMap<>();

    public TemplateHistory(DecoderOptions options) {
        this.options = options;
    }

    /** Installs (or replaces) the set for {@code configId} and makes it the newest. */
    public synchronized void put(int configId, List<TemplateBlock> templates) {
        Map<Integer, RecordDecoder> decoders = new LinkedHashMap<>();
        for (TemplateBlock t : templates) {
            decoders.put(t.templateId(), RecordDecoder.compile(t, options));
        }
        byConfig.remove(configId);
        blocks.remove(configId);
        byConfig.put(configId, decoders);
        blocks.put(configId, List.copyOf(templates));
        while (byConfig.size() > KEEP) {
            Integer oldest = byConfig.keySet().iterator().next();
            byConfig.remove(oldest);
            blocks.remove(oldest);
        }
    }

    /** The decoder for a DATA's (configId, templateId), or null: the DATA names an unknown template. */
    public synchronized RecordDecoder decoder(int configId, int templateId) {
        Map<Integer, RecordDecoder> m = byConfig.get(configId);
        return m == null ? null : m.get(templateId);
    }

    public synchronized boolean isEmpty() {
        return byConfig.isEmpty();
    }

    public synchronized List<Integer> configIds() {
        return new ArrayList<>(byConfig.keySet());
    }

    public synchronized List<TemplateBlock> templates(int configId) {
        return blocks.getOrDefault(configId, List.of());
    }
}
