package io.ipdrsp.protocol;

import java.util.Objects;

/** START_NEGOTIATION (0x1d): the collector asks to renegotiate templates. Header only. */
public record StartNegotiation(int sessionId, FrameExtras extras) implements IpdrMessage {
    public StartNegotiation {
        Checks.u8(sessionId, "sessionId");
        Objects.requireNonNull(extras, "extras");
    }

    public StartNegotiation(int sessionId) {
        this(sessionId, FrameExtras.NONE);
    }

    @Override
    public MessageType type() {
        return MessageType.START_NEGOTIATION;
    }
}
