package io.ipdrsp.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.List;

/**
 * The bodies of IPDR/SP messages on the wire (digest §1.2–§1.4): what {@link MessageCodec#encode} writes after the
 * header and before the message's kept trailer. Throws {@link IllegalArgumentException} only for values a record
 * constructor could not check (a templateId beyond 16 bits, an unencodable field name).
 */
final class MessageBodyWriter {
    private MessageBodyWriter() {
    }

    // Java 17 has no pattern matching for switch, hence the type switch with casts.
    static void write(IpdrMessage m, ByteBuf out) {
        if (m instanceof UnknownMessage u) {
            u.body().writeTo(out);
            return;
        }
        switch (m.type()) {
            case FLOW_START, DISCONNECT, FINAL_TEMPLATE_DATA_ACK, START_NEGOTIATION, START_NEGOTIATION_REJECT,
                    KEEP_ALIVE -> {
                // header only
            }
            case FLOW_STOP -> {
                FlowStop f = (FlowStop) m;
                out.writeShort(f.reasonCode());
                writeUtf8String(out, f.reasonInfo());
            }
            case CONNECT -> {
                Connect c = (Connect) m;
                out.writeInt(c.initiatorId());
                out.writeShort(c.initiatorPort());
                out.writeInt(c.capabilities());
                out.writeInt(c.keepAliveInterval());
                writeUtf8String(out, c.vendorId());
            }
            case CONNECT_RESPONSE -> {
                ConnectResponse c = (ConnectResponse) m;
                out.writeInt(c.capabilities());
                out.writeInt(c.keepAliveInterval());
                writeUtf8String(out, c.vendorId());
            }
            case SESSION_START -> {
                SessionStart s = (SessionStart) m;
                out.writeInt((int) s.exporterBootTime());
                out.writeLong(s.firstRecordSequenceNumber());
                out.writeLong(s.droppedRecordCount());
                out.writeByte(s.primary() ? 1 : 0);
                out.writeInt(s.ackTimeInterval());
                out.writeInt(s.ackSequenceInterval());
                s.documentId().writeTo(out);
            }
            case SESSION_STOP -> {
                SessionStop s = (SessionStop) m;
                out.writeShort(s.reasonCode());
                writeUtf8String(out, s.reasonInfo());
            }
            case TEMPLATE_DATA -> {
                TemplateData t = (TemplateData) m;
                writeTemplateMessage(out, t.configId(), t.flags(), t.templates());
            }
            case MODIFY_TEMPLATE -> {
                ModifyTemplate t = (ModifyTemplate) m;
                writeTemplateMessage(out, t.configId(), t.flags(), t.templates());
            }
            case MODIFY_TEMPLATE_RESPONSE -> {
                ModifyTemplateResponse t = (ModifyTemplateResponse) m;
                writeTemplateMessage(out, t.configId(), t.flags(), t.templates());
            }
            case GET_SESSIONS -> out.writeShort(((GetSessions) m).requestId());
            case GET_SESSIONS_RESPONSE -> {
                GetSessionsResponse g = (GetSessionsResponse) m;
                out.writeShort(g.requestId());
                out.writeInt(g.sessionBlocks().size());
                for (SessionBlock b : g.sessionBlocks()) {
                    out.writeByte(b.sessionId());
                    out.writeByte(b.reserved());
                    writeUtf8String(out, b.sessionName());
                    writeUtf8String(out, b.sessionDescription());
                    out.writeInt(b.ackTimeInterval());
                    out.writeInt(b.ackSequenceInterval());
                }
            }
            case GET_TEMPLATES -> out.writeShort(((GetTemplates) m).requestId());
            case GET_TEMPLATES_RESPONSE -> {
                GetTemplatesResponse g = (GetTemplatesResponse) m;
                out.writeShort(g.requestId());
                out.writeShort(g.configId());
                writeTemplates(out, g.templates());
            }
            case DATA -> {
                Data d = (Data) m;
                out.writeShort(d.templateId());
                out.writeShort(d.configId());
                out.writeByte(d.flags());
                out.writeLong(d.sequenceNum());
                ByteBuf record = d.record();
                out.writeInt(record.readableBytes());
                out.writeBytes(record, record.readerIndex(), record.readableBytes());
            }
            case DATA_ACK -> {
                DataAck a = (DataAck) m;
                out.writeShort(a.configId());
                out.writeLong(a.sequenceNum());
            }
            case ERROR -> {
                ErrorMessage e = (ErrorMessage) m;
                out.writeInt((int) e.timeStamp());
                out.writeShort(e.rawErrorCode());
                writeUtf8String(out, e.description());
            }
            case REQUEST -> {
                Request q = (Request) m;
                writeRequestFields(out, q.templateId(), q.configId(), q.flags(), q.requestNumber(), q.dataRecord());
            }
            case RESPONSE -> {
                Response q = (Response) m;
                writeRequestFields(out, q.templateId(), q.configId(), q.flags(), q.requestNumber(), q.dataRecord());
            }
        }
    }

    private static void writeRequestFields(ByteBuf out, int templateId, int configId, int flags, long requestNumber,
            Bytes dataRecord) {
        out.writeShort(templateId);
        out.writeShort(configId);
        out.writeByte(flags);
        out.writeLong(requestNumber);
        dataRecord.writeTo(out);
    }

    private static void writeTemplateMessage(ByteBuf out, int configId, int flags, List<TemplateBlock> templates) {
        out.writeShort(configId);
        out.writeByte(flags);
        writeTemplates(out, templates);
    }

    private static void writeTemplates(ByteBuf out, List<TemplateBlock> templates) {
        out.writeInt(templates.size());
        for (TemplateBlock t : templates) {
            Checks.u16(t.templateId(), "templateId");
            out.writeShort(t.templateId());
            writeUtf8String(out, Checks.utf8(t.schemaName(), "schemaName"));
            writeUtf8String(out, Checks.utf8(t.typeName(), "typeName"));
            out.writeInt(t.fields().size());
            for (FieldDescriptor f : t.fields()) {
                out.writeInt(f.typeId());
                out.writeInt(f.fieldId());
                writeUtf8String(out, Checks.utf8(f.fieldName(), "fieldName"));
                out.writeByte(f.enabled() ? 1 : 0);
            }
        }
    }

    /** UTF8String: 4-byte byte count, then the bytes (no terminator, no padding). */
    private static void writeUtf8String(ByteBuf out, String s) {
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        int n = ByteBufUtil.writeUtf8(out, s);
        out.setInt(lengthIndex, n);
    }
}
