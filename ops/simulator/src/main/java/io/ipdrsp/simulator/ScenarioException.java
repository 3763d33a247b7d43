package io.ipdrsp.simulator;

/** A scenario file is unusable; the message starts with {@code file:line:column:}. */
public final class ScenarioException extends Exception {
    private static final long serialVersionUID = 1L;

    public ScenarioException(String message) {
        super(message);
    }
}
