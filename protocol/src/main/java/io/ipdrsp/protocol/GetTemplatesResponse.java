package io.ipdrsp.protocol;

import java.util.List;
import java.util.Objects;

/**
 * GET_TEMPLATES_RESPONSE (0x17): {@code requestId} @8 (echo), {@code configId} @10, template count @12, then the
 * {@link TemplateBlock}s with their current isEnabled states.
 */
public record GetTemplatesResponse(int sessionId, int requestId, int configId, List<TemplateBlock> templates,
        FrameExtras extras) implements IpdrMessage {
    public GetTemplatesResponse {
        Checks.u8(sessionId, "sessionId");
        Checks.u16(requestId, "requestId");
        Checks.u16(configId, "configId");
        templates = List.copyOf(templates);
        Objects.requireNonNull(extras, "extras");
    }

    public GetTemplatesResponse(int sessionId, int requestId, int configId, List<TemplateBlock> templates) {
        this(sessionId, requestId, configId, templates, FrameExtras.NONE);
    }

    @Override
    public MessageType type() {
        return MessageType.GET_TEMPLATES_RESPONSE;
    }
}
