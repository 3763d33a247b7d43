package io.ipdrsp.protocol;

import java.util.List;
import java.util.Objects;

/**
 * TEMPLATE_DATA (0x10): the exporter announces the session's templates after FLOW_START. {@code flags} bit 0 set = negotiable.
 * Layout: {@code configId} @8 (changes whenever the template set changes), {@code flags} @10, template count @11,
 * then the {@link TemplateBlock}s.
 */
public record TemplateData(int sessionId, int configId, int flags, List<TemplateBlock> templates, FrameExtras extras)
        implements IpdrMessage {
    public TemplateData {
        Checks.u8(sessionId, "sessionId");
        Checks.u16(configId, "configId");
        Checks.u8(flags, "flags");
        templates = List.copyOf(templates);
        Objects.requireNonNull(extras, "extras");
    }

    public TemplateData(int sessionId, int configId, int flags, List<TemplateBlock> templates) {
        this(sessionId, configId, flags, templates, FrameExtras.NONE);
    }

    /** Flag bit 0: the collector may answer with MODIFY_TEMPLATE. */
    public static final int FLAG_NEGOTIABLE = 0x01;

    public boolean isNegotiable() {
        return (flags & FLAG_NEGOTIABLE) != 0;
    }

    @Override
    public MessageType type() {
        return MessageType.TEMPLATE_DATA;
    }
}
