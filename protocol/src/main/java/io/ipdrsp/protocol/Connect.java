package io.ipdrsp.protocol;

import java.util.Objects;

/**
 * CONNECT (0x05), sent by whichever side opened TCP. {@code initiatorId} @8 is the initiator's IPv4 address as a
 * big-endian int (spec name {@code initiatorAddress}), {@code initiatorPort} @12, {@code capabilities} @14
 * ({@link Capabilities} bits), {@code keepAliveInterval} @18 in seconds — the longest silence the sender tolerates
 * from its peer — and {@code vendorId} UTF8String @22.
 */
public record Connect(int sessionId, int initiatorId, int initiatorPort, int capabilities, int keepAliveInterval,
        String vendorId, FrameExtras extras) implements IpdrMessage {
    public Connect {
        Checks.u8(sessionId, "sessionId");
        Checks.u16(initiatorPort, "initiatorPort");
        Checks.utf8(vendorId, "vendorId");
        Objects.requireNonNull(extras, "extras");
    }

    /** With sessionId 0, as the spec asks for connection-level messages. */
    public Connect(int initiatorId, int initiatorPort, int capabilities, int keepAliveInterval, String vendorId) {
        this(0, initiatorId, initiatorPort, capabilities, keepAliveInterval, vendorId, FrameExtras.NONE);
    }

    @Override
    public MessageType type() {
        return MessageType.CONNECT;
    }
}
