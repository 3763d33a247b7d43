package io.ipdrsp.launcher;

/**
 * A server could not have its port because another process holds it (a race between picking a free port and the
 * server binding it, on a machine where other builds pick ports too). A launcher that chose the port itself retries
 * on another one; with a port the caller fixed, this is the failure it reports.
 */
final class PortTakenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PortTakenException(String message) {
        super(message);
    }
}
