package io.ipdrsp.protocol;

import java.util.Objects;

/** KEEP_ALIVE (0x40): sent when idle, before the peer's keepAliveInterval elapses. Header only. */
public record KeepAlive(int sessionId, FrameExtras extras) implements IpdrMessage {
    public KeepAlive {
        Checks.u8(sessionId, "sessionId");
        Objects.requireNonNull(extras, "extras");
    }

    public KeepAlive(int sessionId) {
        this(sessionId, FrameExtras.NONE);
    }

    /** With sessionId 0, as the spec asks for connection-level messages. */
    public KeepAlive() {
        this(0, FrameExtras.NONE);
    }

    @Override
    public MessageType type() {
        return MessageType.KEEP_ALIVE;
    }
}
