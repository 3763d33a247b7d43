package io.ipdrsp.protocol;

import java.util.Objects;

/** FINAL_TEMPLATE_DATA_ACK (0x13): the collector accepts the templates, after TEMPLATE_DATA or negotiation. Header only. */
public record FinalTemplateDataAck(int sessionId, FrameExtras extras) implements IpdrMessage {
    public FinalTemplateDataAck {
        Checks.u8(sessionId, "sessionId");
        Objects.requireNonNull(extras, "extras");
    }

    public FinalTemplateDataAck(int sessionId) {
        this(sessionId, FrameExtras.NONE);
    }

    @Override
    public MessageType type() {
        return MessageType.FINAL_TEMPLATE_DATA_ACK;
    }
}
