package io.ipdrsp.simulator;

/** Who opens the TCP connection between a CMTS and its collectors. */
public enum Direction {
    /** The CMTS listens (default port 4737) and collectors connect in: DOCSIS practice. */
    LISTEN,
    /** The CMTS connects out to each collector and reconnects when the connection is lost. */
    CONNECT;

    static Direction parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "listen", "collector-initiated", "in" -> LISTEN;
            case "connect", "exporter-initiated", "out" -> CONNECT;
            default -> throw new IllegalArgumentException("unknown direction '" + s + "' (listen, connect)");
        };
    }
}
