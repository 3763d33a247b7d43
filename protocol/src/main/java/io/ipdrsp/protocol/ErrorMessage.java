package io.ipdrsp.protocol;

import java.util.Objects;

/**
 * ERROR (0x23): {@code timeStamp} @8 (unsigned seconds since 1970), the 16-bit {@code errorCode} @12 split into
 * {@code sessionSpecific} (bit 15: applies to the header's session; clear = connection-level, the sender then
 * closes TCP) and {@code errorCode} (bits 0..14, see {@link ErrorCodes}), {@code description} UTF8String @14.
 * Named ErrorMessage so it does not shadow {@link java.lang.Error}.
 */
public record ErrorMessage(int sessionId, long timeStamp, boolean sessionSpecific, int errorCode, String description,
        FrameExtras extras) implements IpdrMessage {
    static final int SESSION_SPECIFIC_BIT = 0x8000;

    public ErrorMessage {
        Checks.u8(sessionId, "sessionId");
        Checks.u32(timeStamp, "timeStamp");
        if ((errorCode & ~0x7FFF) != 0) {
            throw new IllegalArgumentException("errorCode must fit 15 bits: " + errorCode);
        }
        Checks.utf8(description, "description");
        Objects.requireNonNull(extras, "extras");
    }

    public ErrorMessage(int sessionId, long timeStamp, boolean sessionSpecific, int errorCode, String description) {
        this(sessionId, timeStamp, sessionSpecific, errorCode, description, FrameExtras.NONE);
    }

    /** The 16-bit value as it is on the wire. */
    public int rawErrorCode() {
        return (sessionSpecific ? SESSION_SPECIFIC_BIT : 0) | errorCode;
    }

    @Override
    public MessageType type() {
        return MessageType.ERROR;
    }
}
