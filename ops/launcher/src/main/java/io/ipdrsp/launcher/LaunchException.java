package io.ipdrsp.launcher;

/** A local server could not be started, stopped or located. The message carries the server log tail if there is one. */
public final class LaunchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LaunchException(String message) {
        super(message);
    }

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
