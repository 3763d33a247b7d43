package io.ipdrsp.protocol.doc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ipdrsp.protocol.FieldType;
import io.ipdrsp.protocol.FieldValue;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.IpdrDecodeException.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** The two public IPDR/XDR documents of /work/shared/captures (copied into the test resources). */
class IpdrXdrRealFilesTest {
    static final String AMDOCS_XDR = "ipdr-xdr-file_amdocs_primitiveTypes.1.xdr";
    static final String AMDOCS_XML = "ipdr-xdr-file_amdocs_primitiveTypes.1.xml";
    static final String BJT123_XDR = "ipdr-xdr-file_bjt123_example.xdr";

    static byte[] resource(String name) throws IOException {
        try (InputStream in = IpdrXdrRealFilesTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    static List<XdrElement> readAll(IpdrXdrReader r) throws Exception {
        List<XdrElement> all = new ArrayList<>();
        for (XdrElement e = r.next(); e != null; e = r.next()) {
            all.add(e);
        }
        return all;
    }

    @Test
    void amdocsReferenceDocumentReadsWithTheWideSmallUnsignedCompatibility() throws Exception {
        IpdrXdrReader r = new IpdrXdrReader(new ByteArrayInputStream(resource(AMDOCS_XDR)),
            XdrReaderOptions.DEFAULT.withWideSmallUnsigned(true));
        DocumentHeader h = r.header();
        assertThat(h.ipdrRecorderInfo()).isEqualTo("IPDRDocTest");
        assertThat(Instant.ofEpochMilli(h.startTimeMillis())).isEqualTo(Instant.parse("2004-11-17T16:13:18.028Z"));
        assertThat(h.defaultNameSpaceURI()).isEqualTo(DocumentHeader.IPDR_NAMESPACE);
        assertThat(h.otherNameSpaces()).isEmpty();
        assertThat(h.serviceDefinitionURIs()).containsExactly("primitiveTypes.xsd");
        assertThat(h.docIdAsUuid()).isEqualTo(UUID.fromString("97be5e2a-1dd1-11b2-a03b-af1c144d619b"));

        List<XdrElement> all = readAll(r);
        assertThat(all).hasSize(3);
        RecordDescriptor d = (RecordDescriptor) all.get(0);
        assertThat(d.descriptorId()).isEqualTo(1);
        assertThat(d.typeName()).isEqualTo("IPDR-PrimitiveTypes-Type");
        assertThat(d.attributes()).extracting(AttributeDescriptor::typeId).containsExactly(0x21, 0x22, 0x23, 0x24,
            0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d);
        XdrRecord rec = (XdrRecord) all.get(1);
        assertThat(rec.descriptor()).isEqualTo(d);
        DocEnd end = (DocEnd) all.get(2);
        assertThat(end.count()).isEqualTo(1).isEqualTo((int) r.recordCount());
        assertThat(Instant.ofEpochMilli(end.endTimeMillis())).isEqualTo(Instant.parse("2004-11-17T16:13:18.030Z"));

        // Values against the XML rendering of the same record type (a different run of the same test program).
        List<FieldValue> v = rec.values();
        List<Element> xml = xmlFields(resource(AMDOCS_XML));
        assertThat(v).hasSameSizeAs(xml);
        for (int i = 0; i < v.size(); i++) {
            String name = xml.get(i).getLocalName();
            String text = xml.get(i).getTextContent();
            Object value = v.get(i).value();
            assertThat(v.get(i).name()).isEqualTo(name); // including the files' typos (myUnisgnedLong/Byte)
            switch (name) {
                case "myFloat" -> assertThat((Float) value).isEqualTo(Float.parseFloat(text));
                case "myDouble" -> assertThat((Double) value).isEqualTo(Double.parseDouble(text));
                case "myHexBinary" -> // the reference library printed the raw bytes, not hex, into its XML
                    assertThat(new String((byte[]) value, StandardCharsets.US_ASCII)).isEqualTo(text);
                case "myByte" -> {
                    // The two runs differ here: the XML says -1, the XDR file holds 0x7f.
                    assertThat(text).isEqualTo("-1");
                    assertThat(value).isEqualTo((byte) 127);
                }
                default -> assertThat(v.get(i).text()).as(name).isEqualTo(text);
            }
        }
        // 1111 does not fit an unsignedByte: the writer's 4-byte encoding is the only way the value survives.
        assertThat(v.get(10).value()).isEqualTo(1111L);
        assertThat(v.get(12).value()).isEqualTo(33000L);
        assertThat(v.get(3).value()).isEqualTo(BigInteger.valueOf(111_222_333_444L));
    }

    @Test
    void amdocsReferenceDocumentFailsTypedUnderSpecLayouts() throws Exception {
        IpdrXdrReader r = new IpdrXdrReader(new ByteArrayInputStream(resource(AMDOCS_XDR)));
        // 1-byte unsignedByte / 2-byte unsignedShort leave 4 bytes over, read as the next element's discriminator.
        assertThatThrownBy(() -> readAll(r)).isInstanceOfSatisfying(IpdrDecodeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.BAD_VALUE));
    }

    @Test
    void bjt123ExampleReadsWithItsTwoCompatibilitySwitches() throws Exception {
        IpdrXdrReader r = new IpdrXdrReader(new ByteArrayInputStream(resource(BJT123_XDR)),
            XdrReaderOptions.DEFAULT.bjt123());
        DocumentHeader h = r.header();
        assertThat(h.ipdrRecorderInfo()).isEqualTo("Test Ipdr Xdr File");
        assertThat(h.startTimeMillis()).isEqualTo(1);
        assertThat(h.defaultNameSpaceURI()).isEqualTo("test_namespace");
        assertThat(h.docIdAsUuid()).isEqualTo(UUID.fromString("12345678-1234-5678-1234-567812345678"));
        List<XdrElement> all = readAll(r);
        assertThat(all).extracting(e -> e.getClass().getSimpleName()).containsExactly("RecordDescriptor",
            "RecordDescriptor", "XdrRecord", "XdrRecord", "DocEnd");
        RecordDescriptor nonNumeric = (RecordDescriptor) all.get(1);
        assertThat(nonNumeric.attributes()).extracting(AttributeDescriptor::typeId).containsExactly(0x28, 0x224,
            0x623, 0x122, 0x322, 0x427, 0x827, 0x827, 0x527, 0x723, 0x27);

        // Expected texts: the decode printed in the bjt123 repository's README.
        assertThat(((XdrRecord) all.get(2)).values()).extracting(FieldValue::text).containsExactly("true", "false",
            "255", "-1", "65535", "-1", "4294967295", "-1", "18446744073709551615", "-1",
            Float.toString(Float.MAX_VALUE), Double.toString(9007199254740992.0));
        List<FieldValue> second = ((XdrRecord) all.get(3)).values();
        assertThat(second).extracting(FieldValue::text).containsExactly("Test_String", "1970-01-01T00:00:00.001Z",
            "1970-01-01T00:00:00.000001Z", "1970-01-01T00:00:01Z", "254.253.252.251", "ff:fe:fd:fc:fb:fa:0:1",
            "1.2.3.4", "ff:fe:fd:fc:fb:fa:0:1", "12345678-1234-5678-1234-567812345678", "ff:fe:fd:fc:fb:fa",
            "ff00");
        assertThat(second.get(5).typeName()).isEqualTo(FieldType.of(FieldType.IPV6_ADDR).name());
        assertThat((DocEnd) all.get(4)).isEqualTo(new DocEnd(-1, 1));
    }

    @Test
    void bjt123ExampleFailsTypedUnderSpecFraming() throws Exception {
        IpdrXdrReader r = new IpdrXdrReader(new ByteArrayInputStream(resource(BJT123_XDR)));
        assertThatThrownBy(() -> readAll(r)).isInstanceOf(IpdrDecodeException.class);
        assertThat(r.recordCount()).isZero();
        // Without the ipV6Addr quirk switch, the zero length word makes the next field's length absurd.
        IpdrXdrReader framingOnly = new IpdrXdrReader(new ByteArrayInputStream(resource(BJT123_XDR)),
            XdrReaderOptions.DEFAULT.withRecordLengthWord(false));
        for (int i = 0; i < 3; i++) {
            framingOnly.next();
        }
        assertThatThrownBy(framingOnly::next).isInstanceOfSatisfying(IpdrDecodeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.LENGTH_TOO_LARGE));
    }

    /** The field elements of the single IPDR of the reference XML, after IPDRCreationTime and seqNum. */
    private static List<Element> xmlFields(byte[] xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Element ipdr = (Element) f.newDocumentBuilder().parse(new ByteArrayInputStream(xml))
            .getElementsByTagNameNS(DocumentHeader.IPDR_NAMESPACE, "IPDR").item(0);
        List<Element> out = new ArrayList<>();
        for (Node n = ipdr.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && !e.getLocalName().equals("IPDRCreationTime")
                && !e.getLocalName().equals("seqNum")) {
                out.add(e);
            }
        }
        return out;
    }
}
