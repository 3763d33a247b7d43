package io.ipdrsp.simulator;

import java.util.Locale;

/**
 * How a CMTS moves a session between its collectors. Real exporters differ (digest §1.9 "Failover sequences"), and a
 * collector must come out with the same documents and audit whichever it faces. Sequences per mode:
 * {@code docs/simulator.md}.
 */
public enum FailoverMode {
    /**
     * The vendor guide's sequence (seed 004, §6.1.9 "SESSION STOP"), the default: standbys get nothing but templates
     * and keep-alives; on failure SESSION_STOP 1 to the active collector where its link still carries it, then
     * SESSION_START to the standby, which receives the data stream. The {@code primary} flag tells which collector
     * is the configured primary (the highest priority), not who gets data. Fail-back: SESSION_STOP 1 to the
     * standby, SESSION_START {@code primary=true} to the recovered original.
     */
    VENDOR,
    /**
     * The IPDR.org reference exporter's (IPDRsim, 2005): no SESSION_START to standbys beforehand, no SESSION_STOP to
     * a collector that failed; SESSION_START {@code primary=true} to whichever collector takes over. Fail-back:
     * SESSION_STOP 1 ("handing off") to the standby, SESSION_START {@code primary=true} to the returning collector.
     */
    REFERENCE,
    /**
     * What this simulator did before the modes existed: idle standbys get SESSION_START {@code primary=false} for
     * every document, and a promoted standby gets a second SESSION_START {@code primary=true} on the same session
     * with no SESSION_STOP in between (a state violation for a strict collector). Kept so that collectors can be
     * tested against it.
     */
    LEGACY;

    /** Whether standbys get SESSION_START {@code primary=false} while another collector has the data. */
    boolean announcesToStandbys() {
        return this == LEGACY;
    }

    /** The SESSION_START {@code primary} flag for the collector that takes the data. */
    boolean primaryFlag(boolean configuredPrimary) {
        return this != VENDOR || configuredPrimary;
    }

    /** Whether a collector declared dead (keep-alive expiry) first gets SESSION_STOP 1 for its active sessions. */
    boolean stopsBeforeDeclaringDead() {
        return this == VENDOR;
    }

    /** {@code vendor}, {@code reference} or {@code legacy} (case-insensitive). */
    public static FailoverMode parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown failover mode '" + s + "' (vendor, reference, legacy)");
        }
    }

    /** As written in scenario files. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
