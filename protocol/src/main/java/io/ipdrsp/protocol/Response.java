package io.ipdrsp.protocol;

import java.util.Objects;

/**
 * RESPONSE (0x31) — not part of IPDR/SP 2.1 (digest §1.3/§1.4: "IPDR/SP 2.2" in later dissectors). Only what the dissectors
 * agree on is decoded: {@code templateId} @8, {@code configId} @10, {@code flags} @12, {@code requestNumber} @13;
 * everything after offset 21 is kept raw in {@code dataRecord} (whether it carries a length prefix is unverified).
 * A collector never sends it and skips it when received. A frame too short for these fields decodes as an
 * {@link UnknownMessage} instead. There is no trailer: the raw rest takes all remaining bytes, so only the header
 * {@code messageFlags} is kept besides.
 */
public record Response(int sessionId, int templateId, int configId, int flags, long requestNumber, Bytes dataRecord,
        int messageFlags) implements IpdrMessage {
    public Response {
        Checks.u8(sessionId, "sessionId");
        Checks.u16(templateId, "templateId");
        Checks.u16(configId, "configId");
        Checks.u8(flags, "flags");
        Objects.requireNonNull(dataRecord, "dataRecord");
        Checks.u8(messageFlags, "messageFlags");
    }

    public Response(int sessionId, int templateId, int configId, int flags, long requestNumber, Bytes dataRecord) {
        this(sessionId, templateId, configId, flags, requestNumber, dataRecord, 0);
    }

    @Override
    public FrameExtras extras() {
        return FrameExtras.of(messageFlags, Bytes.EMPTY);
    }

    @Override
    public MessageType type() {
        return MessageType.RESPONSE;
    }
}
