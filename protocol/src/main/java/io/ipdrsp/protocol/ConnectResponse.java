package io.ipdrsp.protocol;

import java.util.Objects;

/**
 * CONNECT_RESPONSE (0x06): {@code capabilities} @8 (the responder echoes only offered bits it supports),
 * {@code keepAliveInterval} @12 in seconds, {@code vendorId} UTF8String @16.
 */
public record ConnectResponse(int sessionId, int capabilities, int keepAliveInterval, String vendorId,
        FrameExtras extras) implements IpdrMessage {
    public ConnectResponse {
        Checks.u8(sessionId, "sessionId");
        Checks.utf8(vendorId, "vendorId");
        Objects.requireNonNull(extras, "extras");
    }

    /** With sessionId 0, as the spec asks for connection-level messages. */
    public ConnectResponse(int capabilities, int keepAliveInterval, String vendorId) {
        this(0, capabilities, keepAliveInterval, vendorId, FrameExtras.NONE);
    }

    @Override
    public MessageType type() {
        return MessageType.CONNECT_RESPONSE;
    }
}
