package io.ipdrsp.node.session;

import io.ipdrsp.protocol.FieldType;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.RecordDecoder;
import io.ipdrsp.protocol.TemplateBlock;
import io.netty.buffer.ByteBuf;

/**
 * The check a DATA record passes before it is written: its (configId, templateId) was announced — otherwise a decode
 * error, SP 2.1 §4.4.1 — and its bytes walk exactly through that template's compiled {@link RecordDecoder}, in place
 * in the frame. The last decoder is cached (a stream rarely changes template). Event-loop confined.
 */
final class RecordCheck {
    private final TemplateHistory history;
    private final boolean ipv6Raw;
    private int cachedConfigId = -1;
    private int cachedTemplateId = -1;
    private RecordDecoder cached;

    RecordCheck(TemplateHistory history, boolean ipv6Raw) {
        this.history = history;
        this.ipv6Raw = ipv6Raw;
    }

    /** Templates were (re)announced: look the decoder up again. */
    void templatesChanged() {
        cachedConfigId = -1;
        cached = null;
    }

    /** Throws {@link IpdrDecodeException} unless the record at {@code index..index+length} matches its template. */
    void validate(ByteBuf frame, int sessionId, int configId, int templateId, int index, int length)
            throws IpdrDecodeException {
        RecordDecoder decoder = cached;
        if (configId != cachedConfigId || templateId != cachedTemplateId || decoder == null) {
            decoder = history.decoder(configId, templateId);
            cachedConfigId = configId;
            cachedTemplateId = templateId;
            cached = decoder;
        }
        if (decoder == null) {
            throw new IpdrDecodeException(IpdrDecodeException.Reason.UNKNOWN_TEMPLATE, "DATA names templateId "
                    + templateId + " configId " + configId + " which session " + sessionId + " never announced");
        }
        decoder.validate(frame, index, length);
    }

    /** The configuration switch that most likely explains a record of this template failing to decode. */
    String hint(int configId, int templateId) {
        for (TemplateBlock t : history.templates(configId)) {
            if (t.templateId() == templateId
                    && t.fields().stream().anyMatch(f -> f.enabled() && f.typeId() == FieldType.IPV6_ADDR)) {
                return "exporters[].ipv6Raw (now " + ipv6Raw + "): template " + templateId + " has ipV6Addr fields,"
                        + " which some exporters send as 16 raw bytes without a length";
            }
        }
        return "exporters[].ipv6Raw (now " + ipv6Raw + ") and exporters[].capabilities against the exporter's"
                + " record encoding";
    }
}
