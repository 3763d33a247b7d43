package io.ipdrsp.simulator;

import io.ipdrsp.protocol.SessionStopReason;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies {@link Fault}s to one CMTS, on its event loop. */
final class FaultInjector {
    private static final Logger LOG = LoggerFactory.getLogger(FaultInjector.class);

    private final SimulatedCmts cmts;

    FaultInjector(SimulatedCmts cmts) {
        this.cmts = cmts;
    }

    void apply(Fault f) {
        long now = System.nanoTime();
        long until = f.duration() == null ? Long.MAX_VALUE : now + f.duration().toNanos();
        LOG.info("{}: fault {}", cmts.name(), f);
        switch (f.action()) {
            case SEVER -> forLinks(f, l -> {
                if (l.channel != null) {
                    l.channel.close();
                }
            });
            case FREEZE -> cmts.freezeUntil(until);
            case IGNORE_ACKS -> forLinks(f, l -> l.ignoreAcksUntil = until);
            case STALL -> forLinks(f, l -> stall(l, until, f.duration()));
            case REFUSE_RECONNECTS -> forLinks(f, l -> l.refuseUntil = until);
            case DROP -> forSessions(f, s -> s.dropOnPurpose(f.count(), now));
            case LOSE -> forSessions(f, s -> s.generation().loseSilently(f.count()));
            case CHANGE_TEMPLATE -> forSessions(f, s -> {
                SessionDocuments docs = s.documents();
                docs.replaceConfig(docs.newTemplateSet(docs.config.nextConfigId(), docs.config.toggledLastField()),
                        SessionStopReason.TEMPLATE_DATA_UPDATED);
            });
            case AD_HOC -> forSessions(f, s -> s.documents().adHoc());
            case REBOOT -> cmts.reboot(f.duration() == null ? Duration.ofSeconds(1) : f.duration());
            case STOP -> cmts.gracefulStop();
            default -> throw new IllegalStateException("unhandled fault " + f.action());
        }
    }

    /** The CMTS stops reading the collector's connection (TCP back-pressure; its keep-alives go unseen). */
    private void stall(CollectorLink l, long until, Duration duration) {
        l.stallUntil = until;
        if (l.channel != null) {
            l.channel.config().setAutoRead(false);
        }
        if (duration != null) {
            cmts.loop.schedule(() -> {
                if (l.channel != null) {
                    l.channel.config().setAutoRead(true);
                }
            }, duration.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void forLinks(Fault f, Consumer<CollectorLink> action) {
        for (CollectorLink l : cmts.links) {
            if (f.collector() == null || f.collector() == l.spec.priority()) {
                action.accept(l);
            }
        }
    }

    private void forSessions(Fault f, Consumer<SessionRuntime> action) {
        for (SessionRuntime s : cmts.sessions.values()) {
            if (f.session() == null || f.session() == s.spec.sessionId()) {
                action.accept(s);
                s.pump(System.nanoTime());
            }
        }
    }
}
