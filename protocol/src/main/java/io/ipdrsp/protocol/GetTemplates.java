package io.ipdrsp.protocol;

import java.util.Objects;

/**
 * GET_TEMPLATES (0x16): the collector asks for the current templates of the session named in the header
 * (digest §1.2 ruling: always set it). {@code requestId} @8.
 */
public record GetTemplates(int sessionId, int requestId, FrameExtras extras) implements IpdrMessage {
    public GetTemplates {
        Checks.u8(sessionId, "sessionId");
        Checks.u16(requestId, "requestId");
        Objects.requireNonNull(extras, "extras");
    }

    public GetTemplates(int sessionId, int requestId) {
        this(sessionId, requestId, FrameExtras.NONE);
    }

    @Override
    public MessageType type() {
        return MessageType.GET_TEMPLATES;
    }
}
