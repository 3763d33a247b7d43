package io.ipdrsp.protocol;

import java.util.Objects;

/** FLOW_START (0x01): the collector asks for the session named in the header. Header only. */
public record FlowStart(int sessionId, FrameExtras extras) implements IpdrMessage {
    public FlowStart {
        Checks.u8(sessionId, "sessionId");
        Objects.requireNonNull(extras, "extras");
    }

    public FlowStart(int sessionId) {
        this(sessionId, FrameExtras.NONE);
    }

    @Override
    public MessageType type() {
        return MessageType.FLOW_START;
    }
}
