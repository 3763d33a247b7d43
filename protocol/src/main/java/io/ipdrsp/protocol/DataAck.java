package io.ipdrsp.protocol;

import java.util.Objects;

/**
 * DATA_ACK (0x21), 18 bytes: {@code configId} @8 (echo of the DATA's), {@code sequenceNum} @10 = DSN of the last
 * in-sequence DATA processed and durably stored.
 */
public record DataAck(int sessionId, int configId, long sequenceNum, FrameExtras extras) implements IpdrMessage {
    public DataAck {
        Checks.u8(sessionId, "sessionId");
        Checks.u16(configId, "configId");
        Objects.requireNonNull(extras, "extras");
    }

    public DataAck(int sessionId, int configId, long sequenceNum) {
        this(sessionId, configId, sequenceNum, FrameExtras.NONE);
    }

    @Override
    public MessageType type() {
        return MessageType.DATA_ACK;
    }
}
