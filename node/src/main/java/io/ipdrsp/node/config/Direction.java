package io.ipdrsp.node.config;

/** Who opens the TCP connection, and therefore who sends CONNECT (IPDR/SP 2.1 §2.7). */
public enum Direction {
    /** The node dials the CMTS (Motorola/Arris/Casa style: the CMTS listens on 4737). */
    CONNECT,
    /** The CMTS dials the node's listen port (Cisco style). */
    LISTEN;

    @com.fasterxml.jackson.annotation.JsonCreator
    static Direction parse(String text) {
        return switch (text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "connect", "collector-initiated", "outbound" -> CONNECT;
            case "listen", "exporter-initiated", "inbound" -> LISTEN;
            default -> throw new IllegalArgumentException("direction must be 'connect' (the node dials the CMTS) "
                    + "or 'listen' (the CMTS dials the node), not '" + text + "'");
        };
    }

    @com.fasterxml.jackson.annotation.JsonValue
    String text() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
