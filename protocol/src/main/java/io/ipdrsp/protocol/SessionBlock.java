package io.ipdrsp.protocol;

/**
 * One session offered in GET_SESSIONS_RESPONSE (IPDR/SP 2.1 §4.6.2). {@code reserved} is kept as sent: Cisco
 * uses it to identify the collection mechanism, the reference exporter sends 0xa1; nothing may depend on it.
 * {@code ackTimeInterval} should be seconds, but the reference exporter sends milliseconds here — prefer the
 * SESSION_START value.
 */
public record SessionBlock(int sessionId, int reserved, String sessionName, String sessionDescription,
        int ackTimeInterval, int ackSequenceInterval) {
    public SessionBlock {
        Checks.u8(sessionId, "sessionId");
        Checks.u8(reserved, "reserved");
        Checks.utf8(sessionName, "sessionName");
        Checks.utf8(sessionDescription, "sessionDescription");
    }
}
