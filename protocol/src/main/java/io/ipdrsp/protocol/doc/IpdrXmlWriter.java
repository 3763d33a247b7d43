package io.ipdrsp.protocol.doc;

import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.RecordDecoder;
import io.ipdrsp.protocol.TemplateBlock;
import io.netty.buffer.ByteBuf;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Streams an IPDR/XML 3.5 document (digest §5.1) with the JDK's StAX writer: root {@code IPDRDoc} in the lower-case
 * IPDR namespace, one {@code IPDR} element per record ({@code xsi:type} = the template's typeName, optional
 * {@code seqNum}, then one element per enabled field in template order, named by the field's local name), and a
 * final {@code IPDRDoc.End} with count and endTime. Memory use does not grow with the document.
 *
 * <p>Each record is decoded completely before anything of it is written, so a record that does not fit its template
 * raises {@link IpdrDecodeException} and leaves the document well-formed. Field names that are not XML names have
 * their other characters replaced by '_'; string values lose characters XML 1.0 cannot carry (replaced by U+FFFD).
 * The root's default namespace is always the IPDR namespace (digest ruling), whatever the header's
 * {@code defaultNameSpaceURI}; {@code xsi:schemaLocation} pairs it with the first service definition URI only, and
 * the other namespaces are declared as {@code xmlns:<nameSpaceID>}. Not thread-safe.
 */
public final class IpdrXmlWriter implements Closeable {
    public static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
    public static final String VERSION = "3.5";

    private static final int MAX_CACHED_TEMPLATES = 1024;

    private enum State { NEW, OPEN, ENDED, CLOSED }

    /** What writing records of one template needs, compiled once. */
    private static final class Compiled {
        final RecordDecoder decoder;
        final XmlText text;
        final String[] elementNames;
        final String typeName;

        Compiled(TemplateBlock template, DecoderOptions options) {
            this.decoder = RecordDecoder.compile(template, options);
            this.text = new XmlText(decoder);
            List<FieldDescriptor> f = decoder.fields();
            this.elementNames = new String[f.size()];
            for (int i = 0; i < elementNames.length; i++) {
                elementNames[i] = XmlText.ncName(f.get(i).localName());
            }
            this.typeName = XmlText.xmlSafe(template.typeName());
        }
    }

    private final OutputStream stream;
    private final XMLStreamWriter xml;
    private final DecoderOptions options;
    private final Map<TemplateBlock, Compiled> compiled = new HashMap<>();
    private TemplateBlock lastTemplate;
    private Compiled last;
    private State state = State.NEW;
    private long count;

    public IpdrXmlWriter(OutputStream out) throws IOException {
        this(out, DecoderOptions.DEFAULT);
    }

    /** @param options how the SP records are decoded (e.g. {@code ipv6Raw} for the reference exporter) */
    public IpdrXmlWriter(OutputStream out, DecoderOptions options) throws IOException {
        this.options = Objects.requireNonNull(options, "options");
        this.stream = new BufferedOutputStream(Objects.requireNonNull(out, "out"), 64 * 1024);
        try {
            this.xml = XMLOutputFactory.newDefaultFactory().createXMLStreamWriter(stream, "UTF-8");
        } catch (XMLStreamException e) {
            throw new IOException("cannot create the XML writer", e);
        }
    }

    /** Writes the XML declaration and the {@code IPDRDoc} start tag with its attributes. */
    public void begin(DocumentHeader header) throws IOException {
        Objects.requireNonNull(header, "header");
        require(State.NEW);
        try {
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            xml.setDefaultNamespace(DocumentHeader.IPDR_NAMESPACE);
            xml.writeStartElement("", "IPDRDoc", DocumentHeader.IPDR_NAMESPACE);
            xml.writeDefaultNamespace(DocumentHeader.IPDR_NAMESPACE);
            xml.writeNamespace("xsi", XSI);
            for (NameSpace ns : header.otherNameSpaces()) {
                String prefix = ns.nameSpaceID();
                if (!XmlText.ncName(prefix).equals(prefix) || prefix.equalsIgnoreCase("xsi")
                    || prefix.toLowerCase(java.util.Locale.ROOT).startsWith("xml")) {
                    throw new IllegalArgumentException("namespace id is not a usable XML prefix: " + prefix);
                }
                xml.writeNamespace(prefix, XmlText.xmlSafe(ns.nameSpaceURI()));
            }
            if (!header.serviceDefinitionURIs().isEmpty()) {
                // schemaLocation pairs a namespace with a schema; the records live in the IPDR namespace.
                xml.writeAttribute("xsi", XSI, "schemaLocation", DocumentHeader.IPDR_NAMESPACE + " "
                    + XmlText.xmlSafe(header.serviceDefinitionURIs().get(0)));
            }
            java.util.UUID uuid = header.docIdAsUuid();
            xml.writeAttribute("docId", uuid != null ? uuid.toString() : header.docId().toHex());
            xml.writeAttribute("creationTime", XmlText.dateTime(Math.floorDiv(header.startTimeMillis(), 1000L),
                Math.floorMod(header.startTimeMillis(), 1000L) * 1_000_000L, 3));
            xml.writeAttribute("IPDRRecorderInfo", XmlText.xmlSafe(header.ipdrRecorderInfo()));
            xml.writeAttribute("version", VERSION);
            xml.writeCharacters("\n");
        } catch (XMLStreamException e) {
            throw io(e);
        }
        state = State.OPEN;
    }

    /** One {@code IPDR} element for an SP record (dataRecord without its 4-byte length; indices are not moved). */
    public void record(TemplateBlock template, ByteBuf record) throws IOException, IpdrDecodeException {
        write(template, record, false, 0);
    }

    /** {@link #record(TemplateBlock, ByteBuf)} with a {@code seqNum} child (e.g. the SP sequence number). */
    public void record(TemplateBlock template, ByteBuf record, long seqNum) throws IOException, IpdrDecodeException {
        write(template, record, true, seqNum);
    }

    private void write(TemplateBlock template, ByteBuf record, boolean withSeq, long seqNum) throws IOException,
        IpdrDecodeException {
        require(State.OPEN);
        Compiled c = compiled(Objects.requireNonNull(template, "template"));
        java.util.Arrays.fill(c.text.texts, null);
        c.decoder.decode(record, c.text); // throws before anything of this record is written
        try {
            xml.writeStartElement("IPDR");
            xml.writeAttribute("xsi", XSI, "type", c.typeName);
            xml.writeCharacters("\n");
            if (withSeq) {
                element("seqNum", Long.toString(seqNum));
            }
            String[] texts = c.text.texts;
            for (int i = 0; i < texts.length; i++) {
                element(c.elementNames[i], texts[i]);
            }
            xml.writeEndElement();
            xml.writeCharacters("\n");
        } catch (XMLStreamException e) {
            throw io(e);
        }
        count++;
    }

    private void element(String name, String text) throws XMLStreamException {
        xml.writeStartElement(name);
        xml.writeCharacters(text);
        xml.writeEndElement();
        xml.writeCharacters("\n");
    }

    private Compiled compiled(TemplateBlock template) {
        if (template == lastTemplate) {
            return last;
        }
        Compiled c = compiled.get(template);
        if (c == null) {
            if (compiled.size() >= MAX_CACHED_TEMPLATES) {
                compiled.clear();
            }
            c = new Compiled(template, options);
            compiled.put(template, c);
        }
        lastTemplate = template;
        last = c;
        return c;
    }

    /** IPDR elements written so far. */
    public long recordCount() {
        return count;
    }

    /** Writes {@code IPDRDoc.End}, closes the root and flushes; returns the record count. */
    public long end(long endTimeMillis) throws IOException {
        require(State.OPEN);
        try {
            xml.writeStartElement("IPDRDoc.End");
            xml.writeAttribute("count", Long.toString(count));
            xml.writeAttribute("endTime", XmlText.dateTime(Math.floorDiv(endTimeMillis, 1000L),
                Math.floorMod(endTimeMillis, 1000L) * 1_000_000L, 3));
            xml.writeEndElement();
            xml.writeCharacters("\n");
            xml.writeEndElement();
            xml.writeEndDocument();
            xml.flush();
            stream.flush();
        } catch (XMLStreamException e) {
            throw io(e);
        }
        state = State.ENDED;
        return count;
    }

    /** Closes the underlying stream; a document without {@link #end} is left unterminated. */
    @Override
    public void close() throws IOException {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        try {
            xml.close(); // does not close the stream (StAX contract)
        } catch (XMLStreamException e) {
            throw io(e);
        } finally {
            stream.close();
        }
    }

    private void require(State expected) {
        if (state != expected) {
            throw new IllegalStateException("writer is " + state + ", expected " + expected);
        }
    }

    private static IOException io(XMLStreamException e) {
        return e.getNestedException() instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
}
