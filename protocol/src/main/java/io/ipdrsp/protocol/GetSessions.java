package io.ipdrsp.protocol;

import java.util.Objects;

/** GET_SESSIONS (0x14): the collector asks which sessions the exporter offers. {@code requestId} @8. */
public record GetSessions(int sessionId, int requestId, FrameExtras extras) implements IpdrMessage {
    public GetSessions {
        Checks.u8(sessionId, "sessionId");
        Checks.u16(requestId, "requestId");
        Objects.requireNonNull(extras, "extras");
    }

    /** With sessionId 0 (ignored by the exporter). */
    public GetSessions(int requestId) {
        this(0, requestId, FrameExtras.NONE);
    }

    @Override
    public MessageType type() {
        return MessageType.GET_SESSIONS;
    }
}
