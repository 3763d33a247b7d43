package io.ipdrsp.protocol;

import java.util.Objects;

/**
 * A message whose id IPDR/SP 2.1 does not define (e.g. 0x1c FINISH_NEGOTIATION of SP 2.0), or a
 * REQUEST/RESPONSE frame shorter than their 13 fixed body bytes (then {@link #type()} is still null). Kept whole — header
 * fields and the raw {@code body} after the 8-byte header — so it can be logged, skipped by length and, if need
 * be, forwarded unchanged. Never fatal.
 */
public record UnknownMessage(int messageId, int sessionId, int messageFlags, Bytes body) implements IpdrMessage {
    public UnknownMessage {
        Checks.u8(messageId, "messageId");
        Checks.u8(sessionId, "sessionId");
        Checks.u8(messageFlags, "messageFlags");
        Objects.requireNonNull(body, "body");
        // Otherwise the message would decode back as something else.
        if (MessageType.forId(messageId) != null && !isShortRequestOrResponse(messageId, body.length())) {
            throw new IllegalArgumentException("messageId 0x" + Integer.toHexString(messageId)
                    + " is a known message type; use its record");
        }
    }

    /** REQUEST/RESPONSE frames too short for their (unverified) layout are kept raw rather than rejected. */
    static boolean isShortRequestOrResponse(int messageId, int bodyLength) {
        return (messageId == MessageType.REQUEST.id() || messageId == MessageType.RESPONSE.id())
                && bodyLength < MessageCodec.REQUEST_FIXED_BODY;
    }

    /** Always null: the id is not one of {@link MessageType}. */
    @Override
    public MessageType type() {
        return null;
    }

    @Override
    public FrameExtras extras() {
        return FrameExtras.of(messageFlags, Bytes.EMPTY);
    }
}
