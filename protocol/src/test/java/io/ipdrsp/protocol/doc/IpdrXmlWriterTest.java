package io.ipdrsp.protocol.doc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.FieldType;
import io.ipdrsp.protocol.FieldValue;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.RecordDecoder;
import io.ipdrsp.protocol.RecordEncoder;
import io.ipdrsp.protocol.SamisType1;
import io.ipdrsp.protocol.TemplateBlock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

class IpdrXmlWriterTest {
    static final String IPDR = DocumentHeader.IPDR_NAMESPACE;
    static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
    static final String MSEC_TEXT = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    static Document parse(byte[] xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml)); // throws unless well-formed
    }

    static List<Element> children(Element e) {
        List<Element> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                out.add(c);
            }
        }
        return out;
    }

    private record Written(TemplateBlock template, byte[] bytes, Long seqNum) {
    }

    @Test
    void samisDocumentHasTheDigestShape() throws Exception {
        Random random = new Random(11);
        List<Written> written = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (IpdrXmlWriter w = new IpdrXmlWriter(out)) {
            w.begin(IpdrXdrRoundTripTest.HEADER);
            for (int i = 0; i < 60; i++) {
                TemplateBlock t = i % 2 == 0 ? SamisType1.TEMPLATE : IpdrXdrRoundTripTest.PARTIAL;
                byte[] rec = IpdrXdrRoundTripTest.samis(t, random, i);
                Long seq = i % 4 == 0 ? (long) i * 1000 : null;
                if (seq == null) {
                    w.record(t, Unpooled.wrappedBuffer(rec));
                } else {
                    w.record(t, Unpooled.wrappedBuffer(rec), seq);
                }
                written.add(new Written(t, rec, seq));
            }
            assertThat(w.end(1_700_000_900_000L)).isEqualTo(60);
        }
        Document doc = parse(out.toByteArray());
        Element root = doc.getDocumentElement();
        assertThat(root.getLocalName()).isEqualTo("IPDRDoc");
        assertThat(root.getNamespaceURI()).isEqualTo("http://www.ipdr.org/namespaces/ipdr");
        assertThat(root.getAttribute("docId")).isEqualTo(IpdrXdrRoundTripTest.DOC_ID.toString());
        assertThat(root.getAttribute("creationTime")).matches(MSEC_TEXT);
        assertThat(Instant.parse(root.getAttribute("creationTime")))
            .isEqualTo(Instant.ofEpochMilli(IpdrXdrRoundTripTest.HEADER.startTimeMillis()));
        assertThat(root.getAttribute("IPDRRecorderInfo")).isEqualTo("collector-a/node-1");
        assertThat(root.getAttribute("version")).isEqualTo("3.5");
        assertThat(root.getAttributeNS(XSI, "schemaLocation")).isEqualTo(IPDR + " DOCSIS-SAMIS-TYPE-1_3.5.1-A.1.xsd");
        assertThat(root.lookupNamespaceURI("DOCSIS"))
            .isEqualTo("http://www.cablelabs.com/namespaces/DOCSIS/3.0/xsd/ipdr");

        List<Element> top = children(root);
        assertThat(top).hasSize(61);
        for (int i = 0; i < 60; i++) {
            Element ipdr = top.get(i);
            Written expected = written.get(i);
            assertThat(ipdr.getLocalName()).isEqualTo("IPDR");
            assertThat(ipdr.getNamespaceURI()).isEqualTo(IPDR);
            assertThat(ipdr.getAttributeNS(XSI, "type")).isEqualTo(SamisType1.TYPE_NAME);
            List<Element> fields = children(ipdr);
            if (expected.seqNum() != null) {
                assertThat(fields.get(0).getLocalName()).isEqualTo("seqNum");
                assertThat(fields.remove(0).getTextContent()).isEqualTo(Long.toString(expected.seqNum()));
            }
            assertThat(fields).extracting(Element::getLocalName).containsExactlyElementsOf(
                expected.template().enabledFields().stream().map(FieldDescriptor::localName).toList());
            assertThat(fields).extracting(Element::getNamespaceURI).containsOnly(IPDR);
            List<FieldValue> values = RecordDecoder.compile(expected.template(), DecoderOptions.DEFAULT)
                .decodeValues(Unpooled.wrappedBuffer(expected.bytes()));
            for (int f = 0; f < fields.size(); f++) {
                String text = fields.get(f).getTextContent();
                FieldValue v = values.get(f);
                if (v.value() instanceof Instant instant) {
                    assertThat(text).as(v.name()).matches(MSEC_TEXT);
                    assertThat(Instant.parse(text)).as(v.name()).isEqualTo(instant);
                } else {
                    assertThat(text).as(v.name()).isEqualTo(v.text());
                }
            }
        }
        Element end = top.get(60);
        assertThat(end.getLocalName()).isEqualTo("IPDRDoc.End");
        assertThat(end.getAttribute("count")).isEqualTo("60");
        assertThat(Instant.parse(end.getAttribute("endTime"))).isEqualTo(Instant.ofEpochMilli(1_700_000_900_000L));
    }

    /** Every base and derived type, with the values where text rules differ most. */
    static final TemplateBlock ALL_TYPES = new TemplateBlock(9, "S", "ALL-TYPES", List.of(
        f(FieldType.INT, "t:int"), f(FieldType.UNSIGNED_INT, "t:uint"), f(FieldType.LONG, "t:long"),
        f(FieldType.UNSIGNED_LONG, "t:ulong"), f(FieldType.FLOAT, "t:float"), f(FieldType.DOUBLE, "t:double"),
        f(FieldType.HEX_BINARY, "t:hex"), f(FieldType.STRING, "t:string"), f(FieldType.BOOLEAN, "t:bool"),
        f(FieldType.BYTE, "t:byte"), f(FieldType.UNSIGNED_BYTE, "t:ubyte"), f(FieldType.SHORT, "t:short"),
        f(FieldType.UNSIGNED_SHORT, "t:ushort"), f(FieldType.DATE_TIME, "t:dateTime"),
        f(FieldType.DATE_TIME_MSEC, "t:dateTimeMsec"), f(FieldType.IPV4_ADDR, "t:ipv4"),
        f(FieldType.IPV6_ADDR, "t:ipv6"), f(FieldType.UUID, "t:uuid"), f(FieldType.DATE_TIME_USEC, "t:usec"),
        f(FieldType.MAC_ADDRESS, "t:mac"), f(FieldType.IP_ADDR, "t:ipAddr"), f(FieldType.STRING, "t:9 bad-né!")));

    private static int nextId = 1;

    private static FieldDescriptor f(int type, String name) {
        return new FieldDescriptor(type, nextId++, name, true);
    }

    @Test
    void valuesAreTextEncodedAsIpdrXmlWantsAndStayWellFormed() throws Exception {
        ByteBuf rec = Unpooled.buffer();
        RecordEncoder.compile(ALL_TYPES).encode(Arrays.asList(-5, 0xffffffffL, Long.MIN_VALUE,
            new BigInteger("18446744073709551615"), Float.POSITIVE_INFINITY, Double.NaN, new byte[] {0, (byte) 0xab},
            "a\u0001<&>\"]]>", true, (byte) -1, 255, (short) -300, 65535, Instant.parse("2024-02-29T23:59:59Z"),
            Instant.parse("1999-12-31T23:59:59.007Z"), "192.0.2.1", InetAddress.getByName("2001:db8::1"),
            UUID.fromString("123e4567-e89b-12d3-a456-426614174000"), Instant.parse("2020-01-01T00:00:00.000123Z"),
            "00:1a:2b:3c:4d:5e", InetAddress.getByName("198.51.100.7"), "x"), rec);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (IpdrXmlWriter w = new IpdrXmlWriter(out)) {
            w.begin(DocumentHeader.of("r", 0, UUID.randomUUID(), List.of()));
            w.record(ALL_TYPES, rec);
            w.end(0);
        }
        Element ipdr = children(parse(out.toByteArray()).getDocumentElement()).get(0);
        assertThat(ipdr.getAttributeNS(XSI, "type")).isEqualTo("ALL-TYPES");
        assertThat(children(ipdr)).extracting(Element::getLocalName).containsExactly("int", "uint", "long", "ulong",
            "float", "double", "hex", "string", "bool", "byte", "ubyte", "short", "ushort", "dateTime",
            "dateTimeMsec", "ipv4", "ipv6", "uuid", "usec", "mac", "ipAddr", "_9_bad-n__");
        assertThat(children(ipdr)).extracting(Element::getTextContent).containsExactly("-5", "4294967295",
            "-9223372036854775808", "18446744073709551615", "INF", "NaN", "00ab", "a\uFFFD<&>\"]]>", "true", "-1",
            "255", "-300", "65535", "2024-02-29T23:59:59.000Z", "1999-12-31T23:59:59.007Z", "192.0.2.1",
            "2001:db8::1", "123e4567-e89b-12d3-a456-426614174000", "2020-01-01T00:00:00.000123Z",
            "00:1a:2b:3c:4d:5e", "198.51.100.7", "x");
    }

    @Test
    void aRecordThatDoesNotDecodeIsRefusedAndTheDocumentStaysWellFormed() throws Exception {
        byte[] good = IpdrXdrRoundTripTest.samis(SamisType1.TEMPLATE, new Random(5), 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (IpdrXmlWriter w = new IpdrXmlWriter(out)) {
            w.begin(IpdrXdrRoundTripTest.HEADER);
            w.record(SamisType1.TEMPLATE, Unpooled.wrappedBuffer(good));
            byte[] bad = Arrays.copyOf(good, good.length + 1);
            assertThatThrownBy(() -> w.record(SamisType1.TEMPLATE, Unpooled.wrappedBuffer(bad)))
                .isInstanceOf(IpdrDecodeException.class);
            assertThat(w.end(5)).isEqualTo(1);
        }
        Element root = parse(out.toByteArray()).getDocumentElement();
        NodeList ipdrs = root.getElementsByTagNameNS(IPDR, "IPDR");
        assertThat(ipdrs.getLength()).isEqualTo(1);
        assertThat(((Element) root.getElementsByTagNameNS(IPDR, "IPDRDoc.End").item(0)).getAttribute("count"))
            .isEqualTo("1");
    }
}
