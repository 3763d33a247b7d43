package io.ipdrsp.dedup.audit;

import io.ipdrsp.storage.RecordKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Documents of the exporters this node leads that should be final by now and are not: their trigger (SESSION_STOP
 * 0/2/6, reboot, idle) plus the grace plus a margin of a few passes lies in the past. Each pass of an exporter
 * replaces that exporter's set. A document that becomes overdue is logged once, by name and with why it is stuck (the
 * last failure, or the trigger); one that is finalized after all is logged once more. The counts feed the node's
 * {@code ipdr_audit_documents_overdue{exporter}} gauge. Thread-safe.
 */
final class OverdueDocuments {
    private static final Logger LOG = LoggerFactory.getLogger(OverdueDocuments.class);

    /** exporter → overdue document → why (kept as reported when it became overdue). */
    private final Map<String, Map<RecordKey, String>> byExporter = new ConcurrentHashMap<>();

    /** The exporter's overdue documents as one pass found them (document → why). */
    void update(String exporter, Map<RecordKey, String> now) {
        Map<RecordKey, String> before = byExporter.getOrDefault(exporter, Map.of());
        for (Map.Entry<RecordKey, String> e : now.entrySet()) {
            if (!before.containsKey(e.getKey())) {
                LOG.warn("{}: document {} is not final past its grace: {}", exporter, e.getKey(), e.getValue());
            }
        }
        for (RecordKey k : before.keySet()) {
            if (!now.containsKey(k)) {
                LOG.info("{}: overdue document {} is final now (or left the look-back)", exporter, k);
            }
        }
        if (now.isEmpty()) {
            byExporter.remove(exporter);
        } else {
            byExporter.put(exporter, Map.copyOf(now));
        }
    }

    /** This node no longer leads the exporter: its new leader reports them. */
    void forget(String exporter) {
        byExporter.remove(exporter);
    }

    /** Overdue documents per exporter (exporters with none are absent). */
    Map<String, Integer> counts() {
        Map<String, Integer> out = new TreeMap<>();
        byExporter.forEach((e, docs) -> out.put(e, docs.size()));
        return out;
    }

    /** The overdue documents of every exporter, by name. */
    Map<String, List<RecordKey>> documents() {
        Map<String, List<RecordKey>> out = new HashMap<>();
        byExporter.forEach((e, docs) -> out.put(e, List.copyOf(docs.keySet())));
        return out;
    }
}
