package io.ipdrsp.protocol;

import static io.ipdrsp.protocol.IpdrDecodeException.Reason.BAD_VERSION;
import static io.ipdrsp.protocol.IpdrDecodeException.Reason.LENGTH_TOO_SMALL;
import static io.ipdrsp.protocol.IpdrDecodeException.Reason.TRAILING_BYTES;
import static io.ipdrsp.protocol.IpdrDecodeException.Reason.TRUNCATED;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * Whole IPDR/SP messages to and from {@link IpdrMessage} values (digest §1.2–§1.4).
 *
 * <p>Decoding never throws anything but {@link IpdrDecodeException}, whatever the bytes: every length and count
 * from the wire is checked against the bytes left before it sizes anything, UTF-8 is validated strictly. Bytes
 * that {@code messageLen} counts past a message's last field are not an error (the reference exporter sends
 * them); they and the header's reserved {@code messageFlags} are kept in {@link FrameExtras}, so
 * {@code encode(decode(b))} equals {@code b}. Two normalisations are the exceptions to that round trip:
 * a boolean byte other than 0/1 re-encodes as 1, and a DATA record length of 0xFFFFFFFF ("indefinite", digest
 * §1.1; the record is then the rest of the message) re-encodes as the actual length.
 *
 * <p>Encoding throws {@link IllegalArgumentException} only for values a record constructor could not check
 * (a {@link TemplateBlock} with a templateId beyond 16 bits or an unencodable field name).
 */
public final class MessageCodec {
    /** templateId, configId, flags, requestNumber of REQUEST/RESPONSE. */
    static final int REQUEST_FIXED_BODY = 2 + 2 + 1 + 8;

    // Smallest possible encodings, used to refuse hostile counts before allocating.
    private static final int MIN_TEMPLATE_BLOCK = 2 + 4 + 4 + 4;
    private static final int MIN_FIELD_DESCRIPTOR = 4 + 4 + 4 + 1;
    private static final int MIN_SESSION_BLOCK = 1 + 1 + 4 + 4 + 4 + 4;

    private static final long INDEFINITE_LENGTH = 0xFFFF_FFFFL;

    private MessageCodec() {
    }

    /**
     * Decodes exactly one whole message (header included) starting at {@code frame.readerIndex()}; the frame must
     * hold exactly {@code messageLen} readable bytes. The frame's indices do not move. A {@link Data} result
     * shares the frame's memory (see its lifetime note); no other message refers to the frame.
     */
    public static IpdrMessage decode(ByteBuf frame) throws IpdrDecodeException {
        int base = frame.readerIndex();
        int available = frame.readableBytes();
        if (available < Framing.HEADER_LENGTH) {
            throw new IpdrDecodeException(TRUNCATED, "frame of " + available + " bytes is shorter than the header");
        }
        int version = frame.getUnsignedByte(base);
        if (version != Framing.VERSION) {
            throw new IpdrDecodeException(BAD_VERSION, "version " + version + ", expected 2");
        }
        long messageLen = frame.getUnsignedInt(base + 4);
        if (messageLen < Framing.HEADER_LENGTH) {
            throw new IpdrDecodeException(LENGTH_TOO_SMALL, "messageLen " + messageLen + " < 8");
        }
        if (messageLen > available) {
            throw new IpdrDecodeException(TRUNCATED, "messageLen " + messageLen + " but frame has " + available);
        }
        if (messageLen < available) {
            throw new IpdrDecodeException(TRAILING_BYTES,
                    "frame has " + available + " bytes but messageLen is " + messageLen);
        }
        int messageId = frame.getUnsignedByte(base + 1);
        int sessionId = frame.getUnsignedByte(base + 2);
        int messageFlags = frame.getUnsignedByte(base + 3);
        WireReader r = new WireReader(frame, base + Framing.HEADER_LENGTH, base + (int) messageLen);
        MessageType type = MessageType.forId(messageId);
        if (type == null || UnknownMessage.isShortRequestOrResponse(messageId, r.remaining())) {
            return new UnknownMessage(messageId, sessionId, messageFlags, r.rest());
        }
        return switch (type) {
            case FLOW_START -> new FlowStart(sessionId, extras(messageFlags, r));
            case FLOW_STOP -> {
                int reasonCode = r.u16("reasonCode");
                String reasonInfo = r.utf8String("reasonInfo");
                yield new FlowStop(sessionId, reasonCode, reasonInfo, extras(messageFlags, r));
            }
            case CONNECT -> {
                int initiatorId = r.i32("initiatorId");
                int initiatorPort = r.u16("initiatorPort");
                int capabilities = r.i32("capabilities");
                int keepAliveInterval = r.i32("keepAliveInterval");
                String vendorId = r.utf8String("vendorId");
                yield new Connect(sessionId, initiatorId, initiatorPort, capabilities, keepAliveInterval, vendorId,
                        extras(messageFlags, r));
            }
            case CONNECT_RESPONSE -> {
                int capabilities = r.i32("capabilities");
                int keepAliveInterval = r.i32("keepAliveInterval");
                String vendorId = r.utf8String("vendorId");
                yield new ConnectResponse(sessionId, capabilities, keepAliveInterval, vendorId,
                        extras(messageFlags, r));
            }
            case DISCONNECT -> new Disconnect(sessionId, extras(messageFlags, r));
            case SESSION_START -> {
                long exporterBootTime = r.u32("exporterBootTime");
                long firstRecordSequenceNumber = r.i64("firstRecordSequenceNumber");
                long droppedRecordCount = r.i64("droppedRecordCount");
                boolean primary = r.bool("primary");
                int ackTimeInterval = r.i32("ackTimeInterval");
                int ackSequenceInterval = r.i32("ackSequenceInterval");
                Bytes documentId = r.bytes(SessionStart.DOCUMENT_ID_LENGTH, "documentId");
                yield new SessionStart(sessionId, exporterBootTime, firstRecordSequenceNumber, droppedRecordCount,
                        primary, ackTimeInterval, ackSequenceInterval, documentId, extras(messageFlags, r));
            }
            case SESSION_STOP -> {
                int reasonCode = r.u16("reasonCode");
                String reasonInfo = r.utf8String("reasonInfo");
                yield new SessionStop(sessionId, reasonCode, reasonInfo, extras(messageFlags, r));
            }
            case TEMPLATE_DATA -> {
                int configId = r.u16("configId");
                int flags = r.u8("flags");
                List<TemplateBlock> templates = templates(r);
                yield new TemplateData(sessionId, configId, flags, templates, extras(messageFlags, r));
            }
            case MODIFY_TEMPLATE -> {
                int configId = r.u16("configId");
                int flags = r.u8("flags");
                List<TemplateBlock> templates = templates(r);
                yield new ModifyTemplate(sessionId, configId, flags, templates, extras(messageFlags, r));
            }
            case MODIFY_TEMPLATE_RESPONSE -> {
                int configId = r.u16("configId");
                int flags = r.u8("flags");
                List<TemplateBlock> templates = templates(r);
                yield new ModifyTemplateResponse(sessionId, configId, flags, templates, extras(messageFlags, r));
            }
            case FINAL_TEMPLATE_DATA_ACK -> new FinalTemplateDataAck(sessionId, extras(messageFlags, r));
            case GET_SESSIONS -> {
                int requestId = r.u16("requestId");
                yield new GetSessions(sessionId, requestId, extras(messageFlags, r));
            }
            case GET_SESSIONS_RESPONSE -> {
                int requestId = r.u16("requestId");
                List<SessionBlock> blocks = sessionBlocks(r);
                yield new GetSessionsResponse(sessionId, requestId, blocks, extras(messageFlags, r));
            }
            case GET_TEMPLATES -> {
                int requestId = r.u16("requestId");
                yield new GetTemplates(sessionId, requestId, extras(messageFlags, r));
            }
            case GET_TEMPLATES_RESPONSE -> {
                int requestId = r.u16("requestId");
                int configId = r.u16("configId");
                List<TemplateBlock> templates = templates(r);
                yield new GetTemplatesResponse(sessionId, requestId, configId, templates, extras(messageFlags, r));
            }
            case START_NEGOTIATION -> new StartNegotiation(sessionId, extras(messageFlags, r));
            case START_NEGOTIATION_REJECT -> new StartNegotiationReject(sessionId, extras(messageFlags, r));
            case DATA -> {
                int templateId = r.u16("templateId");
                int configId = r.u16("configId");
                int flags = r.u8("flags");
                long sequenceNum = r.i64("sequenceNum");
                int length = dataRecordLength(r.u32("dataRecord length"), r.remaining());
                ByteBuf record = frame.slice(r.position(), length).asReadOnly();
                r.skip(length);
                yield new Data(sessionId, templateId, configId, flags, sequenceNum, record, extras(messageFlags, r));
            }
            case DATA_ACK -> {
                int configId = r.u16("configId");
                long sequenceNum = r.i64("sequenceNum");
                yield new DataAck(sessionId, configId, sequenceNum, extras(messageFlags, r));
            }
            case ERROR -> {
                long timeStamp = r.u32("timeStamp");
                int rawCode = r.u16("errorCode");
                String description = r.utf8String("description");
                yield new ErrorMessage(sessionId, timeStamp, (rawCode & ErrorMessage.SESSION_SPECIFIC_BIT) != 0,
                        rawCode & ~ErrorMessage.SESSION_SPECIFIC_BIT, description, extras(messageFlags, r));
            }
            case REQUEST -> new Request(sessionId, r.u16("templateId"), r.u16("configId"), r.u8("flags"),
                    r.i64("requestNumber"), r.rest(), messageFlags);
            case RESPONSE -> new Response(sessionId, r.u16("templateId"), r.u16("configId"), r.u8("flags"),
                    r.i64("requestNumber"), r.rest(), messageFlags);
            case KEEP_ALIVE -> new KeepAlive(sessionId, extras(messageFlags, r));
        };
    }

    /** The record length after checking it against the bytes left; 0xFFFFFFFF means "the rest". */
    static int dataRecordLength(long wireLength, int remaining) throws IpdrDecodeException {
        if (wireLength == INDEFINITE_LENGTH) {
            return remaining;
        }
        if (wireLength > remaining) {
            throw new IpdrDecodeException(TRUNCATED,
                    "dataRecord length " + wireLength + " exceeds the " + remaining + " bytes left");
        }
        return (int) wireLength;
    }

    private static FrameExtras extras(int messageFlags, WireReader r) {
        return FrameExtras.of(messageFlags, r.rest());
    }

    private static List<TemplateBlock> templates(WireReader r) throws IpdrDecodeException {
        int n = r.count(MIN_TEMPLATE_BLOCK, "templates");
        List<TemplateBlock> templates = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int templateId = r.u16("templateId");
            String schemaName = r.utf8String("schemaName");
            String typeName = r.utf8String("typeName");
            int m = r.count(MIN_FIELD_DESCRIPTOR, "fields");
            List<FieldDescriptor> fields = new ArrayList<>(m);
            for (int j = 0; j < m; j++) {
                int typeId = r.i32("typeId");
                int fieldId = r.i32("fieldId");
                String fieldName = r.utf8String("fieldName");
                boolean enabled = r.bool("isEnabled");
                fields.add(new FieldDescriptor(typeId, fieldId, fieldName, enabled));
            }
            templates.add(new TemplateBlock(templateId, schemaName, typeName, fields));
        }
        return templates;
    }

    private static List<SessionBlock> sessionBlocks(WireReader r) throws IpdrDecodeException {
        int n = r.count(MIN_SESSION_BLOCK, "sessionBlocks");
        List<SessionBlock> blocks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int sessionId = r.u8("sessionId");
            int reserved = r.u8("reserved");
            String sessionName = r.utf8String("sessionName");
            String sessionDescription = r.utf8String("sessionDescription");
            int ackTimeInterval = r.i32("ackTimeInterval");
            int ackSequenceInterval = r.i32("ackSequenceInterval");
            blocks.add(new SessionBlock(sessionId, reserved, sessionName, sessionDescription, ackTimeInterval,
                    ackSequenceInterval));
        }
        return blocks;
    }

    /** Appends the whole message (header included, messageLen filled in) at {@code out}'s writer index. */
    public static void encode(IpdrMessage m, ByteBuf out) {
        int start = out.writerIndex();
        FrameExtras extras = m.extras();
        out.writeByte(Framing.VERSION);
        out.writeByte(m.messageId());
        out.writeByte(m.sessionId());
        out.writeByte(extras.messageFlags());
        out.writeInt(0); // messageLen, patched below once the body length is known
        try {
            MessageBodyWriter.write(m, out);
        } catch (RuntimeException e) {
            out.writerIndex(start); // leave no half message behind
            throw e;
        }
        extras.trailer().writeTo(out);
        out.setInt(start + 4, out.writerIndex() - start);
    }

    /** The message in a new buffer from {@code alloc}; the caller releases it. */
    public static ByteBuf encode(IpdrMessage m, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer();
        try {
            encode(m, out);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** The message as a new byte array. */
    public static byte[] toBytes(IpdrMessage m) {
        ByteBuf out = Unpooled.buffer(64);
        encode(m, out);
        return ByteBufUtil.getBytes(out);
    }
}
