package io.ipdrsp.protocol.doc;

import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.RecordDecoder;
import io.ipdrsp.protocol.TemplateBlock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Streams an IPDR/XDR version 4 (IPDR 3.5) document (digest §5.2) to an {@link OutputStream}: the header, then the
 * indefinite (0xFFFFFFFF) element list of RECORDDESC / IPDRREC elements, then DOCEND exactly once. Only a buffer of
 * {@value #BUFFER_SIZE} bytes and one descriptor per (templateId, configId) are held, whatever the document size.
 *
 * <p>Record values are copied verbatim from SP DATA records: SP encodes field values exactly as the file format
 * does (SP 2.1 §2.3.1), only the framing differs. Because an IPDRREC carries no length (the 0xFFFFFFFF
 * placeholder), one malformed record would make everything after it unreadable; each record is therefore checked
 * against its template with {@link RecordDecoder#validate} first and refused with the decoder's
 * {@link IpdrDecodeException}, leaving the document intact. Not thread-safe.
 *
 * <p>Usage: {@link #begin}, then {@link #descriptorId} + {@link #record(int, ByteBuf)} (or
 * {@link #record(int, TemplateBlock, ByteBuf)}) per record, then {@link #end}, then {@link #close}.
 */
public final class IpdrXdrWriter implements Closeable {
    /** Bytes buffered before the underlying stream is written. */
    public static final int BUFFER_SIZE = 64 * 1024;

    static final int VERSION = 4;
    static final int INDEFINITE = 0xFFFFFFFF;
    static final int RECORDDESC = 1;
    static final int IPDRREC = 2;
    static final int DOCEND = 3;

    private enum State { NEW, OPEN, ENDED, CLOSED }

    /** A descriptor and the decoder that validates its records; {@code written} once RECORDDESC is out. */
    private static final class Descriptor {
        final RecordDescriptor element;
        final TemplateBlock template;
        final RecordDecoder decoder;
        boolean written;

        Descriptor(RecordDescriptor element, TemplateBlock template, RecordDecoder decoder) {
            this.element = element;
            this.template = template;
            this.decoder = decoder;
        }
    }

    private final DataOutputStream out;
    private final DecoderOptions validation;
    /** (configId, templateId) → the descriptor currently used for that template. */
    private final Map<Long, Descriptor> current = new HashMap<>();
    /** descriptorId - 1 → descriptor; ids are never reused inside one document. */
    private final List<Descriptor> byId = new ArrayList<>();
    private State state = State.NEW;
    private long count;

    /** A writer that validates records with the spec's layouts ({@link DecoderOptions#DEFAULT}). */
    public IpdrXdrWriter(OutputStream out) {
        this(out, DecoderOptions.DEFAULT);
    }

    /**
     * @param validation how records are checked before they are copied; {@code ipv6Raw} is refused because a record
     *                   copied verbatim from such an exporter would not be a valid XDR record
     */
    public IpdrXdrWriter(OutputStream out, DecoderOptions validation) {
        Objects.requireNonNull(out, "out");
        this.validation = Objects.requireNonNull(validation, "validation");
        if (validation.ipv6Raw()) {
            throw new IllegalArgumentException("ipv6Raw records are not XDR-encoded; they cannot be copied verbatim");
        }
        this.out = new DataOutputStream(new BufferedOutputStream(out, BUFFER_SIZE));
    }

    /** Writes the header and opens the element list. */
    public void begin(DocumentHeader header) throws IOException {
        Objects.requireNonNull(header, "header");
        if (header.docId().length() != 16) {
            throw new IllegalArgumentException("docId must be 16 bytes, got " + header.docId().length());
        }
        require(State.NEW);
        out.writeInt(VERSION);
        writeString(header.ipdrRecorderInfo());
        out.writeLong(header.startTimeMillis());
        writeString(header.defaultNameSpaceURI());
        out.writeInt(header.otherNameSpaces().size());
        for (NameSpace ns : header.otherNameSpaces()) {
            writeString(ns.nameSpaceURI());
            writeString(ns.nameSpaceID());
        }
        out.writeInt(header.serviceDefinitionURIs().size());
        for (String uri : header.serviceDefinitionURIs()) {
            writeString(uri);
        }
        out.writeInt(header.docId().length());
        out.write(header.docId().toByteArray());
        out.writeInt(INDEFINITE);
        state = State.OPEN;
    }

    /**
     * The descriptorId for the enabled fields of {@code template} under {@code configId}. The RECORDDESC is written
     * just before the first record that uses it, so templates that never carry a record cost nothing. A template
     * that changed under the same (templateId, configId) gets a new descriptorId.
     */
    public int descriptorId(int configId, TemplateBlock template) {
        Objects.requireNonNull(template, "template");
        long key = ((long) configId << 32) | (template.templateId() & 0xffffffffL);
        Descriptor d = current.get(key);
        if (d != null && d.template.equals(template)) {
            return d.element.descriptorId();
        }
        int id = byId.size() + 1;
        d = new Descriptor(RecordDescriptor.of(id, template), template, RecordDecoder.compile(template, validation));
        byId.add(d);
        current.put(key, d);
        return id;
    }

    /** {@link #descriptorId} then {@link #record(int, ByteBuf)}. */
    public void record(int configId, TemplateBlock template, ByteBuf record) throws IOException,
        IpdrDecodeException {
        record(descriptorId(configId, template), record);
    }

    /**
     * Appends one IPDRREC with the readable bytes of {@code record} (an SP dataRecord without its 4-byte length;
     * indices are not moved).
     *
     * @throws IpdrDecodeException when the bytes do not fit the descriptor's template; nothing is written
     */
    public void record(int descriptorId, ByteBuf record) throws IOException, IpdrDecodeException {
        Descriptor d = descriptor(descriptorId);
        d.decoder.validate(record);
        writeDescriptorIfNeeded(d);
        out.writeInt(IPDRREC);
        out.writeInt(descriptorId);
        out.writeInt(INDEFINITE);
        record.getBytes(record.readerIndex(), out, record.readableBytes());
        count++;
    }

    /** {@link #record(int, ByteBuf)} for a byte array. */
    public void record(int descriptorId, byte[] record) throws IOException, IpdrDecodeException {
        record(descriptorId, Unpooled.wrappedBuffer(record));
    }

    /** IPDRREC elements written so far. */
    public long recordCount() {
        return count;
    }

    /**
     * Writes DOCEND and flushes (the underlying stream stays open until {@link #close}).
     *
     * @return the number of records; DOCEND says -1 if it exceeds an int
     */
    public long end(long endTimeMillis) throws IOException {
        require(State.OPEN);
        out.writeInt(DOCEND);
        out.writeInt(count <= Integer.MAX_VALUE ? (int) count : -1);
        out.writeLong(endTimeMillis);
        out.flush();
        state = State.ENDED;
        return count;
    }

    /** Flushes and closes the underlying stream; a document without {@link #end} stays incomplete (no DOCEND). */
    @Override
    public void close() throws IOException {
        if (state != State.CLOSED) {
            state = State.CLOSED;
            out.close();
        }
    }

    private Descriptor descriptor(int descriptorId) {
        require(State.OPEN);
        if (descriptorId < 1 || descriptorId > byId.size()) {
            throw new IllegalArgumentException("unknown descriptorId " + descriptorId);
        }
        return byId.get(descriptorId - 1);
    }

    private void writeDescriptorIfNeeded(Descriptor d) throws IOException {
        if (d.written) {
            return;
        }
        RecordDescriptor e = d.element;
        out.writeInt(RECORDDESC);
        out.writeInt(e.descriptorId());
        writeString(e.typeName());
        out.writeInt(e.attributes().size());
        for (AttributeDescriptor a : e.attributes()) {
            writeString(a.attributeName());
            out.writeInt(a.typeId());
        }
        d.written = true;
    }

    /** UTF8String: 4-byte length + bytes, no padding (digest §5.2). */
    private void writeString(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private void require(State expected) {
        if (state != expected) {
            throw new IllegalStateException("writer is " + state + ", expected " + expected);
        }
    }
}
