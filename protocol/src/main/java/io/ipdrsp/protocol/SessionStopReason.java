package io.ipdrsp.protocol;

/** SESSION_STOP reason codes (IPDR/SP 2.1 §4.3.4). Above 255: vendor-specific. */
public final class SessionStopReason {
    /** Close the current document. */
    public static final int END_OF_DATA = 0;
    /** This collector is no longer primary; the connection stays. */
    public static final int HANDING_OFF_TO_HIGHER_PRIORITY = 1;
    /** Close the document; a disconnect follows. */
    public static final int EXPORTER_TERMINATING = 2;
    /** Keep state; a SESSION_START follows later (the document may resume). */
    public static final int CONGESTION_DETECTED = 3;
    /** Negotiable TEMPLATE_DATA follows. */
    public static final int RENEGOTIATION_REQUIRED = 4;
    /** The exporter accepts our START_NEGOTIATION; negotiable TEMPLATE_DATA follows. */
    public static final int START_NEGOTIATION_ACK = 5;
    /** Finalize the document; the next SESSION_START carries a new documentId. */
    public static final int END_OF_IPDR_DOC = 6;
    /** TEMPLATE_DATA with a new configId follows. */
    public static final int TEMPLATE_DATA_UPDATED = 7;

    private SessionStopReason() {
    }

    /** The constant's name, {@code RESERVED_<n>} for 8..255, {@code VENDOR_<n>} above. */
    public static String name(int code) {
        return switch (code) {
            case END_OF_DATA -> "END_OF_DATA";
            case HANDING_OFF_TO_HIGHER_PRIORITY -> "HANDING_OFF_TO_HIGHER_PRIORITY";
            case EXPORTER_TERMINATING -> "EXPORTER_TERMINATING";
            case CONGESTION_DETECTED -> "CONGESTION_DETECTED";
            case RENEGOTIATION_REQUIRED -> "RENEGOTIATION_REQUIRED";
            case START_NEGOTIATION_ACK -> "START_NEGOTIATION_ACK";
            case END_OF_IPDR_DOC -> "END_OF_IPDR_DOC";
            case TEMPLATE_DATA_UPDATED -> "TEMPLATE_DATA_UPDATED";
            default -> (code <= 255 ? "RESERVED_" : "VENDOR_") + code;
        };
    }
}
