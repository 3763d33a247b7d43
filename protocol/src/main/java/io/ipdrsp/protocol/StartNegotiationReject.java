package io.ipdrsp.protocol;

import java.util.Objects;

/** START_NEGOTIATION_REJECT (0x1e): the exporter refuses a START_NEGOTIATION. Header only. */
public record StartNegotiationReject(int sessionId, FrameExtras extras) implements IpdrMessage {
    public StartNegotiationReject {
        Checks.u8(sessionId, "sessionId");
        Objects.requireNonNull(extras, "extras");
    }

    public StartNegotiationReject(int sessionId) {
        this(sessionId, FrameExtras.NONE);
    }

    @Override
    public MessageType type() {
        return MessageType.START_NEGOTIATION_REJECT;
    }
}
