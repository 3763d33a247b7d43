package io.ipdrsp.simulator;

/** The DOCSIS collection methods (digest §3.1). */
public enum SessionType {
    /** A new document each interval, stopped at the boundary with reason 6 (or 0). */
    TIME_INTERVAL,
    /** One open-ended document; records as events occur. */
    EVENT,
    /** A document per on-demand export of a fixed number of records, stopped with reason 0. */
    AD_HOC;

    static SessionType parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT).replace('_', '-')) {
            case "time-interval", "time", "interval" -> TIME_INTERVAL;
            case "event", "open-ended" -> EVENT;
            case "ad-hoc", "adhoc" -> AD_HOC;
            default -> throw new IllegalArgumentException(
                    "unknown session type '" + s + "' (time-interval, event, ad-hoc)");
        };
    }
}
