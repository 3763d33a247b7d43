package io.ipdrsp.protocol;

/** FLOW_STOP reason codes (IPDR/SP 2.1 §4.3.3). Above 255: vendor-specific. */
public final class FlowStopReason {
    public static final int NORMAL_TERMINATION = 0;
    public static final int PROCESS_ERROR = 1;

    private FlowStopReason() {
    }

    /** The constant's name, {@code RESERVED_<n>} for 2..255, {@code VENDOR_<n>} above. */
    public static String name(int code) {
        return switch (code) {
            case NORMAL_TERMINATION -> "NORMAL_TERMINATION";
            case PROCESS_ERROR -> "PROCESS_ERROR";
            default -> (code <= 255 ? "RESERVED_" : "VENDOR_") + code;
        };
    }
}
