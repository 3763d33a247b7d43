package io.ipdrsp.simulator;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * One scripted event of a scenario timeline: at {@code at} after the start, do {@code action} to CMTS {@code cmts}
 * ("*" = every CMTS), optionally only to the collector of priority {@code collector} and/or session {@code session},
 * for {@code duration} (null = until the end of the run, where that makes sense).
 */
public record Fault(Duration at, Action action, String cmts, Integer collector, Integer session, long count,
        Duration duration) {

    public enum Action {
        /** Close the TCP connection to a collector abruptly (no SESSION_STOP). */
        SEVER,
        /** The CMTS sends nothing at all (no DATA, no keep-alives) for the duration: a hung exporter. */
        FREEZE,
        /** The CMTS ignores DATA_ACKs from the collector, so its ackTimeInterval expires and it fails over. */
        IGNORE_ACKS,
        /** The CMTS stops reading from the collector's connection (TCP back-pressure, collector keep-alives unseen). */
        STALL,
        /** Incoming connections from the collector are closed at once / no re-connect for the duration. */
        REFUSE_RECONNECTS,
        /** Drop the next {@code count} records, declared in droppedRecordCount (SESSION_STOP 3 + SESSION_START). */
        DROP,
        /** Skip the next {@code count} DSNs without telling anyone: an undeclared gap. */
        LOSE,
        /** New template set (one optional field toggled), SESSION_STOP 7, new configId and document. */
        CHANGE_TEMPLATE,
        /** Exporter restart: connections cut, new exporterBootTime, unacknowledged records lost. */
        REBOOT,
        /** Start an ad-hoc export now. */
        AD_HOC,
        /** Graceful end: SESSION_STOP 2 and DISCONNECT to every collector. */
        STOP;

        static Action parse(String s) {
            String n = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            if (n.equals("ADHOC")) {
                n = "AD_HOC";
            }
            if (n.equals("IGNOREACKS")) {
                n = "IGNORE_ACKS";
            }
            try {
                return valueOf(n);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown action '" + s + "' (sever, freeze, ignore-acks, stall, "
                        + "refuse-reconnects, drop, lose, change-template, reboot, ad-hoc, stop)");
            }
        }
    }

    public Fault {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(action, "action");
        if (cmts == null) {
            cmts = "*";
        }
        if (count < 0) {
            throw new IllegalArgumentException("count < 0");
        }
    }

    public static Fault at(Duration at, Action action, String cmts) {
        return new Fault(at, action, cmts, null, null, 0, null);
    }

    public Fault collector(int priority) {
        return new Fault(at, action, cmts, priority, session, count, duration);
    }

    public Fault session(int sessionId) {
        return new Fault(at, action, cmts, collector, sessionId, count, duration);
    }

    public Fault count(long n) {
        return new Fault(at, action, cmts, collector, session, n, duration);
    }

    public Fault lasting(Duration d) {
        return new Fault(at, action, cmts, collector, session, count, d);
    }
}
