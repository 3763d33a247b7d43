package io.ipdrsp.simulator;

import io.ipdrsp.protocol.TemplateBlock;
import java.util.ArrayDeque;

/**
 * A session's documents in order (the head is being delivered, the tail generated into), its current template set,
 * and when documents begin and end: interval boundaries, ad-hoc exports, template changes, reboots.
 * Event-loop confined.
 */
final class SessionDocuments {
    private final SessionSpec spec;
    private final SimulatedCmts cmts;
    private final TemplateBlock baseTemplate;
    final ArrayDeque<ExportDocument> queue = new ArrayDeque<>();
    /** The newest template set (documents still draining may use an older one). */
    TemplateSet config;
    private long docCounter;
    private long nextBoundary;

    SessionDocuments(SessionSpec spec, SimulatedCmts cmts, TemplateBlock baseTemplate) {
        this.spec = spec;
        this.cmts = cmts;
        this.baseTemplate = baseTemplate;
    }

    /** Start (or restart after reboot): fresh template set and first document. */
    void begin(long now) {
        config = newTemplateSet(config == null ? 1 : config.configId, config == null ? baseTemplate : config.block());
        queue.clear();
        queue.add(newDoc()); // ad-hoc: the first export runs at start; more on AD_HOC faults or every interval
        nextBoundary = spec.interval() == null ? Long.MAX_VALUE : now + firstInterval(now, spec.interval().toNanos());
    }

    /** Until the first boundary: a whole interval, or what is left of it on the wall clock when aligned. */
    private long firstInterval(long now, long intervalNanos) {
        if (!spec.aligned()) {
            return intervalNanos;
        }
        // the wall clock at `now` (a tick's time, possibly a moment ago)
        long wallNanos = System.currentTimeMillis() * 1_000_000L - (System.nanoTime() - now);
        return intervalNanos - Math.floorMod(wallNanos, intervalNanos);
    }

    TemplateSet newTemplateSet(int configId, TemplateBlock block) {
        return TemplateSet.of(configId, block, cmts.identity(), cmts.spec.quirks().ipv6Raw(), spec.preEncoded());
    }

    private ExportDocument newDoc() {
        DocumentIdKind kind = spec.documentIds() != null ? spec.documentIds() : cmts.spec.documentIds();
        byte[] id = cmts.documentIds.next(kind);
        long limit = spec.type() == SessionType.AD_HOC ? spec.records() : Long.MAX_VALUE;
        Ledger.Entry e = cmts.ledger.open(cmts.name(), spec.sessionId(), DocumentIds.uuidText(id),
                cmts.identity().bootTimeSeconds(), config.configId);
        return new ExportDocument(id, docCounter++, config, e, limit);
    }

    ExportDocument head() {
        return queue.peekFirst();
    }

    /** The template set of the document being delivered (what TEMPLATE_DATA announces). */
    TemplateSet headConfig() {
        ExportDocument h = queue.peekFirst();
        return h == null ? config : h.config;
    }

    /** Interval boundary due at {@code now}: the tail closes and a new document starts. */
    void tick(long now) {
        if (now < nextBoundary) {
            return;
        }
        nextBoundary += spec.interval().toNanos();
        if (spec.type() == SessionType.TIME_INTERVAL) {
            ExportDocument tail = queue.peekLast();
            if (tail != null && !tail.closing) {
                tail.close(spec.stopReason());
            }
            queue.add(newDoc());
        } else if (spec.type() == SessionType.AD_HOC) {
            adHoc();
        }
    }

    /** A new ad-hoc export (unless one is still being generated). */
    void adHoc() {
        ExportDocument tail = queue.peekLast();
        if (tail == null || tail.closing) {
            queue.add(newDoc());
        }
    }

    /** New template set: documents nobody has seen yet switch to it, otherwise a new document follows. */
    void replaceConfig(TemplateSet nc, int reason) {
        config = nc;
        for (ExportDocument d : queue) {
            if (d.maxSent == 0 && !startedAnywhere(d)) {
                d.config = nc; // records are built when sent, so unsent ones simply take the new layout
                d.entry.config(nc.configId);
            }
        }
        ExportDocument tail = queue.peekLast();
        if (tail != null && tail.config != nc && !tail.closing) {
            tail.close(reason);
            queue.add(newDoc());
        }
    }

    private boolean startedAnywhere(ExportDocument d) {
        for (CollectorLink l : cmts.links) {
            LinkSession ls = l.sessions.get(spec.sessionId());
            if (ls != null && ls.activeDoc == d) {
                return true;
            }
        }
        return false;
    }

    /** The exporter restarts: whatever was generated and not held is lost without a word. */
    void lostOnReboot() {
        for (ExportDocument d : queue) {
            if (d.nextGen > d.held) {
                for (long[] r : d.holes.missingIn(d.held, d.nextGen - 1).ranges()) {
                    d.entry.lostSilently(r[0], r[1]);
                }
            }
        }
        queue.clear();
        config = null;
    }
}
