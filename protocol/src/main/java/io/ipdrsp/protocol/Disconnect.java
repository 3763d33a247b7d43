package io.ipdrsp.protocol;

import java.util.Objects;

/** DISCONNECT (0x07): not acknowledged; the sender then closes TCP. Header only. */
public record Disconnect(int sessionId, FrameExtras extras) implements IpdrMessage {
    public Disconnect {
        Checks.u8(sessionId, "sessionId");
        Objects.requireNonNull(extras, "extras");
    }

    public Disconnect(int sessionId) {
        this(sessionId, FrameExtras.NONE);
    }

    /** With sessionId 0, as the spec asks for connection-level messages. */
    public Disconnect() {
        this(0, FrameExtras.NONE);
    }

    @Override
    public MessageType type() {
        return MessageType.DISCONNECT;
    }
}
