package io.ipdrsp.protocol;

import java.util.List;
import java.util.Objects;

/**
 * MODIFY_TEMPLATE_RESPONSE (0x1b): the templates the exporter will actually use. {@code flags} reserved.
 * Layout: {@code configId} @8 (changes whenever the template set changes), {@code flags} @10, template count @11,
 * then the {@link TemplateBlock}s.
 */
public record ModifyTemplateResponse(int sessionId, int configId, int flags, List<TemplateBlock> templates, FrameExtras extras)
        implements IpdrMessage {
    public ModifyTemplateResponse {
        Checks.u8(sessionId, "sessionId");
        Checks.u16(configId, "configId");
        Checks.u8(flags, "flags");
        templates = List.copyOf(templates);
        Objects.requireNonNull(extras, "extras");
    }

    public ModifyTemplateResponse(int sessionId, int configId, int flags, List<TemplateBlock> templates) {
        this(sessionId, configId, flags, templates, FrameExtras.NONE);
    }

    @Override
    public MessageType type() {
        return MessageType.MODIFY_TEMPLATE_RESPONSE;
    }
}
