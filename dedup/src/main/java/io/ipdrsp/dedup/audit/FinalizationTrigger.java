package io.ipdrsp.dedup.audit;

import io.ipdrsp.storage.IndexedDocument;
import io.ipdrsp.storage.Segment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * When and why a document becomes final, and its state until then. Pure: from the document's segments and its
 * siblings (the exporter's other documents in the look-back).
 *
 * <ul>
 * <li>a segment received SESSION_STOP <b>0, 2 or 6</b>: the exporter ended the documentId for good, whichever collector
 *     received the stop and whatever its primary flag, and whatever segments sort after it ({@link SegmentOrder#ended});
 *     </li>
 * <li>the exporter <b>rebooted</b>: a document with a newer exporterBootTime has a segment;</li>
 * <li>a <b>newer document</b> started on its session and it has been idle for {@code idleTimeout}.</li>
 * </ul>
 * Otherwise the latest segment in the exporter's order ({@link SegmentOrder}) tells OPEN (under way) from SUSPENDED
 * (SESSION_STOP 1, 3, others, or a stretch cut without SESSION_STOP: the exporter may resume it anywhere).
 *
 * @param at        the trigger's time (the verdict is due {@code grace} later), or null while not final
 * @param why       the trigger in words, or null
 * @param liveState {@link DocumentFinalizer#STATE_OPEN}, {@code STATE_SUSPENDED} or {@code STATE_STOPPED}
 */
record FinalizationTrigger(Instant at, String why, String liveState) {

    /**
     * @param lastActivity the document's latest segment start or stop (for the idle trigger)
     * @param siblings     the exporter's documents in the look-back (this one may be among them)
     * @param bootSeen     exporterBootTime → the first segment start seen with it
     */
    static FinalizationTrigger of(IndexedDocument doc, List<Segment> segments, Instant lastActivity,
            Siblings siblings, Map<Long, Instant> bootSeen, Duration idleTimeout) {
        String live;
        Instant at = null;
        String why = null;
        Instant ended = SegmentOrder.ended(segments);
        Segment latest = SegmentOrder.latest(segments);
        if (ended != null) {
            live = DocumentFinalizer.STATE_STOPPED;
            at = ended;
            Segment stop = segments.stream().filter(s -> s.endedDocument() && ended.equals(s.stoppedAt()))
                    .findFirst().orElseThrow();
            why = "SESSION_STOP " + stop.stopReasonCode() + " received by " + stop.node();
        } else if (latest == null || latest.stoppedAt() == null) {
            live = DocumentFinalizer.STATE_OPEN;
        } else {
            live = DocumentFinalizer.STATE_SUSPENDED;
        }
        for (Map.Entry<Long, Instant> b : bootSeen.entrySet()) {
            if (b.getKey() > doc.key().bootTime() && (at == null || b.getValue().isBefore(at))) {
                at = b.getValue();
                why = "exporter rebooted (exporterBootTime " + b.getKey() + ")";
            }
        }
        if (siblings.newerThan(doc)) {
            Instant idle = lastActivity.plus(idleTimeout);
            if (at == null || idle.isBefore(at)) {
                at = idle;
                why = "idle for " + idleTimeout.toSeconds() + " s after a newer document started";
            }
        }
        return new FinalizationTrigger(at, why, live);
    }

    /** Whether the verdict is due at {@code now}. */
    boolean due(Instant now, Duration grace) {
        return at != null && !now.isBefore(at.plus(grace));
    }

    /**
     * The latest document start per session and exporterBootTime among an exporter's documents: whether a newer
     * document started on a document's session, in constant time (a pass asks it for every document).
     */
    static final class Siblings {
        private record SessionBoot(int sessionId, long bootTime) {
        }

        private final Map<SessionBoot, Instant> latest = new java.util.HashMap<>();

        static Siblings of(List<IndexedDocument> documents) {
            Siblings s = new Siblings();
            for (IndexedDocument d : documents) {
                s.latest.merge(new SessionBoot(d.key().sessionId(), d.key().bootTime()), d.startedAt(),
                        (a, b) -> a.isAfter(b) ? a : b);
            }
            return s;
        }

        /** These and {@code earlier}'s starts, the latest of both per session and boot. */
        Siblings with(Siblings earlier) {
            Siblings s = new Siblings();
            s.latest.putAll(earlier.latest);
            latest.forEach((k, t) -> s.latest.merge(k, t, (a, b) -> a.isAfter(b) ? a : b));
            return s;
        }

        boolean newerThan(IndexedDocument doc) {
            Instant l = latest.get(new SessionBoot(doc.key().sessionId(), doc.key().bootTime()));
            return l != null && l.isAfter(doc.startedAt());
        }
    }
}
