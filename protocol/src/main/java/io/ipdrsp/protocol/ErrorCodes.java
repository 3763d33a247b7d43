package io.ipdrsp.protocol;

/**
 * ERROR codes (bits 0..14 of errorCode, IPDR/SP 2.1 §4.2.1). 5–255 are reserved for the standard, above 255 they
 * are vendor-specific and opaque (vendors disagree on their meaning).
 */
public final class ErrorCodes {
    public static final int KEEP_ALIVE_EXPIRED = 0;
    public static final int MESSAGE_INVALID_FOR_CAPABILITIES = 1;
    public static final int MESSAGE_INVALID_FOR_STATE = 2;
    /** Also the answer to DATA naming an unknown templateId (SP 2.1 §4.4.1). */
    public static final int MESSAGE_DECODE_ERROR = 3;
    public static final int PROCESS_TERMINATING = 4;

    private ErrorCodes() {
    }

    /** The constant's name, {@code RESERVED_<n>} for 5..255, {@code VENDOR_<n>} above. */
    public static String name(int code) {
        return switch (code) {
            case KEEP_ALIVE_EXPIRED -> "KEEP_ALIVE_EXPIRED";
            case MESSAGE_INVALID_FOR_CAPABILITIES -> "MESSAGE_INVALID_FOR_CAPABILITIES";
            case MESSAGE_INVALID_FOR_STATE -> "MESSAGE_INVALID_FOR_STATE";
            case MESSAGE_DECODE_ERROR -> "MESSAGE_DECODE_ERROR";
            case PROCESS_TERMINATING -> "PROCESS_TERMINATING";
            default -> (code <= 255 ? "RESERVED_" : "VENDOR_") + code;
        };
    }
}
