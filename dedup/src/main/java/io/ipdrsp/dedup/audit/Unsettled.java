package io.ipdrsp.dedup.audit;

import io.ipdrsp.storage.IndexedDocument;
import io.ipdrsp.storage.RecordKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one exporter's passes carry from one to the next so that most of them read only the recent part of
 * {@code documents_by_time} instead of every day of the look-back (nine partition reads per CMTS per pass, most of
 * them empty, at 1,000 CMTSes): a <b>sweep</b> — a pass over the whole look-back, every
 * {@link DocumentFinalizer#SUMMARY_CHECK} per CMTS, after a pass with failures and after gaining the leadership — finds
 * every document; the passes in between read the recent entries plus the documents not yet settled
 * ({@link QuietDocuments}), and keep the sweep's view of the older ones for the triggers that depend on siblings (a
 * newer document on the session, a newer exporterBootTime).
 *
 * @param documents documents a pass handled that are not settled ({@link QuietDocuments#isSettled}): looked at by
 *                  every pass until they are
 * @param siblings  the latest document start per session and boot seen by the last sweep and the passes since
 * @param bootSeen  exporterBootTime → the first segment start seen with it, likewise
 */
record Unsettled(List<IndexedDocument> documents, FinalizationTrigger.Siblings siblings, Map<Long, Instant> bootSeen) {
    /** Before the first sweep: nothing carried (the first pass of a leadership is a sweep). */
    static final Unsettled NONE = new Unsettled(List.of(), FinalizationTrigger.Siblings.of(List.of()), Map.of());

    Unsettled {
        documents = List.copyOf(documents);
        bootSeen = Map.copyOf(bootSeen);
    }

    /** The documents of a pass between sweeps: the recent entries (fresher), then the unsettled ones not among them. */
    List<IndexedDocument> with(List<IndexedDocument> recent) {
        Map<RecordKey, IndexedDocument> all = new LinkedHashMap<>();
        recent.forEach(d -> all.put(d.key(), d));
        documents.forEach(d -> all.putIfAbsent(d.key(), d));
        return new ArrayList<>(all.values());
    }

    /** A copy of {@link #bootSeen} a pass can add to. */
    Map<Long, Instant> bootSeenSoFar() {
        return new HashMap<>(bootSeen);
    }
}
