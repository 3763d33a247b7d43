package io.ipdrsp.protocol;

/**
 * One IPDR/SP message: one immutable record per message type, components named as in IPDR/SP 2.1 and in wire
 * order (digest §1.4). Every record starts with the header's {@code sessionId} (0 for connection-level messages
 * unless the peer sent something else) and, except for messages whose body is kept raw, ends with
 * {@link FrameExtras} (header {@code messageFlags} and bytes past the last field), which makes
 * {@code MessageCodec.encode(MessageCodec.decode(bytes))} reproduce {@code bytes}. Hand-built messages use the
 * shorter constructors, which default the extras to {@link FrameExtras#NONE}.
 *
 * <p>{@code version} (always 2) and {@code messageLen} are not stored: both follow from the message itself.
 */
public sealed interface IpdrMessage
        permits FlowStart, FlowStop, Connect, ConnectResponse, Disconnect, SessionStart, SessionStop, TemplateData,
        FinalTemplateDataAck, GetSessions, GetSessionsResponse, GetTemplates, GetTemplatesResponse, ModifyTemplate,
        ModifyTemplateResponse, StartNegotiation, StartNegotiationReject, Data, DataAck, ErrorMessage, KeepAlive,
        Request, Response, UnknownMessage {

    /** The message type, or null for an {@link UnknownMessage}. */
    MessageType type();

    /** The header {@code sessionId}, 0..255. */
    int sessionId();

    /** Header {@code messageFlags} and trailing bytes; {@link FrameExtras#NONE} for well-formed messages. */
    FrameExtras extras();

    /** The header {@code messageId} byte. */
    default int messageId() {
        return type().id();
    }
}
