package io.ipdrsp.protocol;

import java.util.Objects;

/**
 * FLOW_STOP (0x03): the collector stops the session's flow. {@code reasonCode} @8 (see {@link FlowStopReason}),
 * {@code reasonInfo} UTF8String @10.
 */
public record FlowStop(int sessionId, int reasonCode, String reasonInfo, FrameExtras extras) implements IpdrMessage {
    public FlowStop {
        Checks.u8(sessionId, "sessionId");
        Checks.u16(reasonCode, "reasonCode");
        Checks.utf8(reasonInfo, "reasonInfo");
        Objects.requireNonNull(extras, "extras");
    }

    public FlowStop(int sessionId, int reasonCode, String reasonInfo) {
        this(sessionId, reasonCode, reasonInfo, FrameExtras.NONE);
    }

    @Override
    public MessageType type() {
        return MessageType.FLOW_STOP;
    }
}
