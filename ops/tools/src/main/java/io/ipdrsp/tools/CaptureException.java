package io.ipdrsp.tools;

/**
 * The capture file cannot be read (not a capture, truncated, corrupt). A user error: reported as one line, so it
 * carries no stack trace.
 */
final class CaptureException extends Exception {
    private static final long serialVersionUID = 1L;

    CaptureException(String message) {
        super(message, null, false, false);
    }
}
