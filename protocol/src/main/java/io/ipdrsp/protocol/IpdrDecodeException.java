package io.ipdrsp.protocol;

/**
 * The only failure a malformed or hostile input may cause in this module. It maps to the protocol's
 * ERROR with code 3 (message decode error) unless {@link #errorCode()} says otherwise.
 */
public final class IpdrDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What was wrong, for metrics and logs. */
    public enum Reason {
        BAD_VERSION, LENGTH_TOO_SMALL, LENGTH_TOO_LARGE, TRUNCATED, TRAILING_BYTES, BAD_VALUE, UNKNOWN_TEMPLATE,
        UNSUPPORTED_TYPE
    }

    private final Reason reason;

    public IpdrDecodeException(Reason reason, String message) {
        super(message, null, false, false); // no stack trace: hostile input must be cheap to reject
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** The ERROR code to send: always 3, message decode error (IPDR/SP 2.1 §4.2.1). */
    public int errorCode() {
        return 3;
    }
}
