package io.ipdrsp.protocol.doc;

import io.ipdrsp.protocol.Bytes;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.FieldType;
import io.ipdrsp.protocol.FieldValue;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.IpdrDecodeException.Reason;
import io.ipdrsp.protocol.RecordDecoder;
import io.ipdrsp.protocol.TemplateBlock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads an IPDR/XDR version 4 (IPDR 3.5) document (digest §5.2) element by element from a stream; only the current
 * record and the descriptors are held. Record values are decoded by {@link RecordDecoder} from a template built out
 * of the RECORDDESC's (name, typeId) pairs, so SP records and file records share one decoder.
 *
 * <p>An IPDRREC normally carries the placeholder length 0xFFFFFFFF, so its extent is found by walking the
 * descriptor's field layouts over the stream; every length met on the way is bounded by {@link XdrReaderOptions}
 * before anything is read or allocated by it. Malformed input of any kind, including a stream that ends early,
 * raises {@link IpdrDecodeException} only; {@link IOException} means the stream itself failed. After an exception
 * the reader's position is unknown and it must not be used further. Not thread-safe.
 */
public final class IpdrXdrReader implements Closeable {
    private static final int CHUNK = 8192;
    /** A record buffer larger than this after a record is dropped, so one big record does not pin memory. */
    private static final int KEEP_BUFFER = 1 << 20;

    /** A descriptor as read, and what decoding its records needs. */
    private static final class Descriptor {
        final RecordDescriptor element;
        final RecordDecoder decoder;
        final FieldType.Layout[] layouts;
        final boolean[] ipv6;

        Descriptor(RecordDescriptor element, RecordDecoder decoder) {
            this.element = element;
            this.decoder = decoder;
            List<FieldDescriptor> f = decoder.fields();
            this.layouts = new FieldType.Layout[f.size()];
            this.ipv6 = new boolean[f.size()];
            for (int i = 0; i < layouts.length; i++) {
                layouts[i] = decoder.fieldType(i).layout();
                ipv6[i] = f.get(i).typeId() == FieldType.IPV6_ADDR;
            }
        }
    }

    private final DataInputStream in;
    private final XdrReaderOptions options;
    private final Map<Integer, Descriptor> descriptors = new HashMap<>();
    private ByteBuf record = Unpooled.buffer(256);
    private DocumentHeader header;
    private DocEnd docEnd;
    private long records;

    public IpdrXdrReader(InputStream in) {
        this(in, XdrReaderOptions.DEFAULT);
    }

    public IpdrXdrReader(InputStream in, XdrReaderOptions options) {
        this.in = new DataInputStream(new BufferedInputStream(Objects.requireNonNull(in, "in"), 64 * 1024));
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The header; read from the stream on the first call (of this or {@link #next}). */
    public DocumentHeader header() throws IOException, IpdrDecodeException {
        if (header == null) {
            try {
                header = readHeader();
            } catch (EOFException e) {
                throw truncated("header");
            }
        }
        return header;
    }

    /**
     * The next element: a {@link RecordDescriptor}, an {@link XdrRecord} or, last, the {@link DocEnd}; null after the
     * DocEnd. Reaching DOCEND also checks that nothing follows it.
     */
    public XdrElement next() throws IOException, IpdrDecodeException {
        header();
        if (docEnd != null) {
            return null;
        }
        try {
            int discriminator = in.readInt();
            return switch (discriminator) {
                case IpdrXdrWriter.RECORDDESC -> readDescriptor();
                case IpdrXdrWriter.IPDRREC -> readRecord();
                case IpdrXdrWriter.DOCEND -> readDocEnd();
                default -> throw new IpdrDecodeException(Reason.BAD_VALUE, "stream element discriminator "
                    + Integer.toUnsignedString(discriminator) + " (expected 1 RECORDDESC, 2 IPDRREC, 3 DOCEND)");
            };
        } catch (EOFException e) {
            throw truncated("element list (no DOCEND)");
        }
    }

    /** IPDRREC elements read so far (compare with {@link DocEnd#count()}). */
    public long recordCount() {
        return records;
    }

    /** The DOCEND once read, else null. */
    public DocEnd docEnd() {
        return docEnd;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private DocumentHeader readHeader() throws IOException, IpdrDecodeException {
        int version = in.readInt();
        if (version != IpdrXdrWriter.VERSION) {
            throw new IpdrDecodeException(Reason.BAD_VERSION, "IPDR/XDR version " + version + " (only 4, IPDR 3.5,"
                + " is read; 3 is the padded IPDR 3.0/3.1 format)");
        }
        String recorder = readString("ipdrRecorderInfo");
        long startTime = in.readLong();
        String defaultNs = readString("defaultNameSpaceURI");
        int nsCount = readCount("otherNameSpaces");
        List<NameSpace> ns = new ArrayList<>(nsCount);
        for (int i = 0; i < nsCount; i++) {
            ns.add(new NameSpace(readString("nameSpaceURI"), readString("nameSpaceID")));
        }
        int uriCount = readCount("serviceDefinitionURIs");
        List<String> uris = new ArrayList<>(uriCount);
        for (int i = 0; i < uriCount; i++) {
            uris.add(readString("serviceDefinitionURI"));
        }
        Bytes docId = Bytes.of(readOpaque("docId"));
        int elements = in.readInt();
        if (elements != IpdrXdrWriter.INDEFINITE) {
            throw new IpdrDecodeException(Reason.BAD_VALUE, "element list length " + Integer.toUnsignedString(elements)
                + " (expected 0xFFFFFFFF, indefinite)");
        }
        return new DocumentHeader(recorder, startTime, defaultNs, ns, uris, docId);
    }

    private RecordDescriptor readDescriptor() throws IOException, IpdrDecodeException {
        int id = in.readInt();
        String typeName = readString("typeName");
        int n = readCount("attributes");
        List<AttributeDescriptor> attributes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = readString("attributeName");
            int typeId = in.readInt();
            if ((typeId & (FieldType.STRUCTURE_FLAG | FieldType.ARRAY_FLAG)) != 0) {
                // Their descriptors carry child lists / maxOccurs whose records we cannot decode (digest §2.4).
                throw new IpdrDecodeException(Reason.UNSUPPORTED_TYPE, "attribute " + name + " of descriptor " + id
                    + " is an IPDR 3.5 array/structure (typeId 0x" + Integer.toHexString(typeId) + ")");
            }
            attributes.add(new AttributeDescriptor(name, typeId));
        }
        RecordDescriptor d = new RecordDescriptor(id, typeName, attributes);
        Descriptor known = descriptors.get(id);
        if (known != null) {
            if (!known.element.equals(d)) {
                throw new IpdrDecodeException(Reason.BAD_VALUE, "descriptorId " + id + " redefined differently");
            }
            return d;
        }
        if (descriptors.size() >= options.maxDescriptors()) {
            throw new IpdrDecodeException(Reason.LENGTH_TOO_LARGE, "more than " + options.maxDescriptors()
                + " descriptors");
        }
        descriptors.put(id, new Descriptor(d, RecordDecoder.compile(decodingTemplate(d), options.decoder())));
        return d;
    }

    /** The descriptor as a template, with the compatibility substitutions of the options applied. */
    private TemplateBlock decodingTemplate(RecordDescriptor d) {
        TemplateBlock t = d.toTemplate();
        if (!options.wideSmallUnsigned()) {
            return t;
        }
        List<FieldDescriptor> f = new ArrayList<>(t.fields().size());
        for (FieldDescriptor x : t.fields()) {
            int low = x.typeId() & 0xff;
            boolean widened = low == FieldType.UNSIGNED_BYTE || low == FieldType.UNSIGNED_SHORT;
            f.add(widened ? new FieldDescriptor(FieldType.UNSIGNED_INT, x.fieldId(), x.fieldName(), true) : x);
        }
        return new TemplateBlock(t.templateId(), t.schemaName(), t.typeName(), f);
    }

    private XdrRecord readRecord() throws IOException, IpdrDecodeException {
        int id = in.readInt();
        Descriptor d = descriptors.get(id);
        if (d == null) {
            throw new IpdrDecodeException(Reason.UNKNOWN_TEMPLATE, "IPDRREC names descriptorId " + id
                + " before any RECORDDESC for it");
        }
        if (!d.decoder.isDecodable()) {
            throw new IpdrDecodeException(Reason.UNSUPPORTED_TYPE, d.decoder.unsupportedReason());
        }
        record.clear();
        int length = options.recordLengthWord() ? in.readInt() : IpdrXdrWriter.INDEFINITE;
        if (length == IpdrXdrWriter.INDEFINITE) {
            frameByLayout(d);
        } else {
            // A definite length is what XDR's opaque<> would carry; tolerated, the values must fill it exactly.
            if (length < 0 || length > options.maxRecordBytes()) {
                throw tooLarge("IPDRREC data length " + Integer.toUnsignedString(length));
            }
            copy(length);
        }
        List<FieldValue> values = d.decoder.decodeValues(record);
        Bytes data = Bytes.copyOf(record, 0, record.writerIndex());
        if (record.capacity() > KEEP_BUFFER) {
            record = Unpooled.buffer(256);
        }
        records++;
        return new XdrRecord(d.element, data, values);
    }

    /** Copies one record's values into {@link #record}, finding their extent from the field layouts. */
    private void frameByLayout(Descriptor d) throws IOException, IpdrDecodeException {
        int maxVar = options.decoder().maxVariableLength();
        for (int i = 0; i < d.layouts.length; i++) {
            FieldType.Layout layout = d.layouts[i];
            if (!layout.isVariable()) {
                copy(layout.fixedSize());
                continue;
            }
            int n = in.readInt();
            if (n == 0 && d.ipv6[i] && options.ipv6ZeroWordThen16()) {
                n = 16; // normalised to the spec form, so that RecordDecoder reads it as a 16-byte address
            }
            if (n < 0 || n > maxVar) {
                throw tooLarge("field " + d.decoder.fields().get(i).fieldName() + " of descriptor "
                    + d.element.descriptorId() + ": length " + Integer.toUnsignedString(n) + " (max " + maxVar + ")");
            }
            checkRoom(4);
            record.writeInt(n);
            copy(n);
        }
    }

    /** Appends exactly {@code n} stream bytes to {@link #record}, growing it only as bytes arrive. */
    private void copy(int n) throws IOException, IpdrDecodeException {
        checkRoom(n);
        int left = n;
        while (left > 0) {
            int got = record.writeBytes(in, Math.min(left, CHUNK));
            if (got < 0) {
                throw truncated("IPDRREC values");
            }
            left -= got;
        }
    }

    private void checkRoom(int n) throws IpdrDecodeException {
        if (n > options.maxRecordBytes() - record.writerIndex()) {
            throw tooLarge("IPDRREC values exceed " + options.maxRecordBytes() + " bytes");
        }
    }

    private DocEnd readDocEnd() throws IOException, IpdrDecodeException {
        int count = in.readInt();
        long endTime = in.readLong();
        if (in.read() != -1) {
            throw new IpdrDecodeException(Reason.TRAILING_BYTES, "bytes after DOCEND");
        }
        docEnd = new DocEnd(count, endTime);
        return docEnd;
    }

    private int readCount(String what) throws IOException, IpdrDecodeException {
        int n = in.readInt();
        if (n < 0 || n > options.maxListCount()) {
            throw tooLarge(what + " count " + Integer.toUnsignedString(n) + " (max " + options.maxListCount() + ")");
        }
        return n;
    }

    private String readString(String what) throws IOException, IpdrDecodeException {
        return new String(readOpaque(what), StandardCharsets.UTF_8);
    }

    private byte[] readOpaque(String what) throws IOException, IpdrDecodeException {
        int n = in.readInt();
        if (n < 0 || n > options.maxStringLength()) {
            throw tooLarge(what + " length " + Integer.toUnsignedString(n) + " (max " + options.maxStringLength()
                + ")");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private static IpdrDecodeException tooLarge(String what) {
        return new IpdrDecodeException(Reason.LENGTH_TOO_LARGE, what);
    }

    private static IpdrDecodeException truncated(String where) {
        return new IpdrDecodeException(Reason.TRUNCATED, "document ends inside the " + where);
    }
}
