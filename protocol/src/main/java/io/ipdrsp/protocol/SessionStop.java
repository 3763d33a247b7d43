package io.ipdrsp.protocol;

import java.util.Objects;

/**
 * SESSION_STOP (0x09): the exporter ends the active session (document boundary for reasons 0 and 6, hand-off for
 * 1, …). {@code reasonCode} @8 (see {@link SessionStopReason}), {@code reasonInfo} UTF8String @10. The reference
 * exporter appends one byte after reasonInfo; it lands in {@link #extras()}.
 */
public record SessionStop(int sessionId, int reasonCode, String reasonInfo, FrameExtras extras)
        implements IpdrMessage {
    public SessionStop {
        Checks.u8(sessionId, "sessionId");
        Checks.u16(reasonCode, "reasonCode");
        Checks.utf8(reasonInfo, "reasonInfo");
        Objects.requireNonNull(extras, "extras");
    }

    public SessionStop(int sessionId, int reasonCode, String reasonInfo) {
        this(sessionId, reasonCode, reasonInfo, FrameExtras.NONE);
    }

    @Override
    public MessageType type() {
        return MessageType.SESSION_STOP;
    }
}
