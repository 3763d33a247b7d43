package io.ipdrsp.protocol;

import java.util.List;
import java.util.Objects;

/** GET_SESSIONS_RESPONSE (0x15): {@code requestId} @8 (echo), block count @10, then the {@link SessionBlock}s. */
public record GetSessionsResponse(int sessionId, int requestId, List<SessionBlock> sessionBlocks, FrameExtras extras)
        implements IpdrMessage {
    public GetSessionsResponse {
        Checks.u8(sessionId, "sessionId");
        Checks.u16(requestId, "requestId");
        sessionBlocks = List.copyOf(sessionBlocks);
        Objects.requireNonNull(extras, "extras");
    }

    /** With sessionId 0, as the spec asks for connection-level messages. */
    public GetSessionsResponse(int requestId, List<SessionBlock> sessionBlocks) {
        this(0, requestId, sessionBlocks, FrameExtras.NONE);
    }

    @Override
    public MessageType type() {
        return MessageType.GET_SESSIONS_RESPONSE;
    }
}
