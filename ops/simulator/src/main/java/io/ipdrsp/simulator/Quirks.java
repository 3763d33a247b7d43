package io.ipdrsp.simulator;

/**
 * Switches that make a simulated CMTS behave like real exporters do (digest §1.12, captures README), so the
 * collector's tolerance of them can be tested.
 *
 * @param noDuplicateFlagOnLastResent   the last re-sent record goes out without the D flag (reference exporter)
 * @param firstSequencePastResent       SESSION_START.firstRecordSequenceNumber points past the records re-sent after it
 * @param ipv6Raw                       ipV6Addr fields as 16 raw bytes without the 4-byte length
 * @param ackTimeMillisInGetSessions    GET_SESSIONS_RESPONSE reports ackTimeInterval in milliseconds
 */
public record Quirks(boolean noDuplicateFlagOnLastResent, boolean firstSequencePastResent, boolean ipv6Raw,
        boolean ackTimeMillisInGetSessions) {
    public static final Quirks NONE = new Quirks(false, false, false, false);
    /** Everything the IPDR.org reference exporter does. */
    public static final Quirks REFERENCE_EXPORTER = new Quirks(true, true, true, true);
}
