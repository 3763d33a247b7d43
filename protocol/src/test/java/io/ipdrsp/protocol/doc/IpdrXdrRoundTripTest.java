package io.ipdrsp.protocol.doc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ipdrsp.protocol.Bytes;
import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.FieldValue;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.IpdrDecodeException.Reason;
import io.ipdrsp.protocol.RecordDecoder;
import io.ipdrsp.protocol.RecordEncoder;
import io.ipdrsp.protocol.SamisType1;
import io.ipdrsp.protocol.SamisType1Builder;
import io.ipdrsp.protocol.TemplateBlock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IpdrXdrRoundTripTest {
    static final UUID DOC_ID = UUID.fromString("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
    static final DocumentHeader HEADER = new DocumentHeader("collector-a/node-1", 1_700_000_000_123L,
        DocumentHeader.IPDR_NAMESPACE, List.of(new NameSpace("http://www.cablelabs.com/namespaces/DOCSIS/3.0/xsd/ipdr",
        "DOCSIS")), List.of("DOCSIS-SAMIS-TYPE-1_3.5.1-A.1.xsd"), DocumentHeader.uuidBytes(DOC_ID));

    /** SAMIS-TYPE-1 as template 2 with the IPv6 and SLA fields switched off. */
    static final TemplateBlock PARTIAL = disable(SamisType1.template(2), SamisType1.CMTS_IPV6_ADDR,
        SamisType1.CM_IPV6_ADDR, SamisType1.CM_IPV6_LINK_LOCAL_ADDR, SamisType1.SERVICE_SLA_DROP_PKTS,
        SamisType1.SERVICE_SLA_DELAY_PKTS);

    static TemplateBlock disable(TemplateBlock t, int... indexes) {
        List<FieldDescriptor> f = new ArrayList<>(t.fields());
        for (int i : indexes) {
            f.set(i, f.get(i).withEnabled(false));
        }
        return new TemplateBlock(t.templateId(), t.schemaName(), t.typeName(), f);
    }

    /** One sampled SAMIS record encoded for {@code template} (full or {@link #PARTIAL}). */
    static byte[] samis(TemplateBlock template, Random random, int modem) {
        SamisType1Builder b = SamisType1.sample(random, 1 + modem % 3, modem);
        List<Object> all = b.values();
        List<Object> enabled = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (template.fields().get(i).enabled()) {
                enabled.add(all.get(i));
            }
        }
        ByteBuf out = Unpooled.buffer();
        RecordEncoder.compile(template).encode(enabled, out);
        return ByteBufUtil.getBytes(out);
    }

    private record Written(int configId, TemplateBlock template, byte[] bytes) {
    }

    @Test
    void samisDocumentsRoundTripRecordForRecord() throws Exception {
        Random random = new Random(7);
        List<Written> written = new ArrayList<>();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (IpdrXdrWriter w = new IpdrXdrWriter(file)) {
            w.begin(HEADER);
            for (int i = 0; i < 300; i++) {
                // Interleave: full template under configs 0 and 1, the partial one under config 0.
                int configId = i % 3 == 1 ? 1 : 0;
                TemplateBlock t = i % 3 == 2 ? PARTIAL : SamisType1.TEMPLATE;
                byte[] rec = samis(t, random, i);
                w.record(configId, t, Unpooled.wrappedBuffer(rec));
                written.add(new Written(configId, t, rec));
            }
            assertThat(w.end(1_700_000_900_000L)).isEqualTo(300);
        }

        IpdrXdrReader r = new IpdrXdrReader(new ByteArrayInputStream(file.toByteArray()));
        assertThat(r.header()).isEqualTo(HEADER);
        Set<Integer> described = new HashSet<>();
        List<RecordDescriptor> descriptors = new ArrayList<>();
        int n = 0;
        DocEnd end = null;
        for (XdrElement e = r.next(); e != null; e = r.next()) {
            assertThat(end).as("nothing after DOCEND").isNull();
            if (e instanceof RecordDescriptor d) {
                assertThat(described.add(d.descriptorId())).as("each descriptor once").isTrue();
                descriptors.add(d);
            } else if (e instanceof XdrRecord x) {
                Written expected = written.get(n++);
                assertThat(described).as("RECORDDESC before first use").contains(x.descriptor().descriptorId());
                assertThat(x.data().toByteArray()).isEqualTo(expected.bytes());
                assertThat(x.descriptor().attributes()).extracting(AttributeDescriptor::attributeName)
                    .containsExactlyElementsOf(expected.template().enabledFields().stream()
                        .map(FieldDescriptor::fieldName).toList());
                List<FieldValue> original = RecordDecoder.compile(expected.template(), DecoderOptions.DEFAULT)
                    .decodeValues(Unpooled.wrappedBuffer(expected.bytes()));
                assertSameValues(x.values(), original);
            } else {
                end = (DocEnd) e;
            }
        }
        assertThat(n).isEqualTo(300);
        assertThat(end).isEqualTo(new DocEnd(300, 1_700_000_900_000L));
        assertThat(r.recordCount()).isEqualTo(300);
        // (template 1, config 0), (template 1, config 1), (template 2, config 0)
        assertThat(descriptors).extracting(RecordDescriptor::descriptorId).containsExactly(1, 2, 3);
        assertThat(descriptors.get(2).attributes()).hasSize(SamisType1.FIELD_COUNT - 5);
    }

    /** Same name, type, value and text; fieldIds differ once disabled fields are gone from the descriptor. */
    static void assertSameValues(List<FieldValue> actual, List<FieldValue> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            FieldValue a = actual.get(i);
            FieldValue e = expected.get(i);
            assertThat(new FieldValue(a.name(), e.fieldId(), a.typeId(), a.typeName(), a.value(), a.text()))
                .isEqualTo(e);
        }
    }

    @Test
    void headerAndElementsHaveTheDigestLayoutByteForByte() throws Exception {
        TemplateBlock t = new TemplateBlock(5, "S", "T", List.of(new FieldDescriptor(0x22, 1, "a:x", true),
            new FieldDescriptor(0x28, 2, "off", false), new FieldDescriptor(0x28, 3, "y", true)));
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        byte[] docId = new byte[16];
        docId[15] = 9;
        try (IpdrXdrWriter w = new IpdrXdrWriter(file)) {
            w.begin(new DocumentHeader("rec", 0x0102030405L, "ns", List.of(new NameSpace("u", "p")), List.of("s"),
                Bytes.of(docId)));
            int id = w.descriptorId(3, t);
            w.record(id, new byte[] {0, 0, 0, 7, 0, 0, 0, 2, 'h', 'i'});
            w.record(id, new byte[] {0, 0, 0, 8, 0, 0, 0, 0});
            w.end(0x0A0B0C0DL);
        }
        // Assembled by hand from the digest §5.2 table.
        ByteBuf x = Unpooled.buffer();
        x.writeInt(4);
        str(x, "rec");
        x.writeLong(0x0102030405L);
        str(x, "ns");
        x.writeInt(1);
        str(x, "u");
        str(x, "p");
        x.writeInt(1);
        str(x, "s");
        x.writeInt(16).writeBytes(docId);
        x.writeInt(-1);
        x.writeInt(1).writeInt(1);
        str(x, "T");
        x.writeInt(2);
        str(x, "a:x");
        x.writeInt(0x22);
        str(x, "y");
        x.writeInt(0x28);
        x.writeInt(2).writeInt(1).writeInt(-1).writeInt(7);
        str(x, "hi");
        x.writeInt(2).writeInt(1).writeInt(-1).writeInt(8).writeInt(0);
        x.writeInt(3).writeInt(2).writeLong(0x0A0B0C0DL);
        assertThat(ByteBufUtil.hexDump(file.toByteArray())).isEqualTo(ByteBufUtil.hexDump(x));
    }

    static void str(ByteBuf b, String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        b.writeInt(u.length).writeBytes(u);
    }

    @Test
    void writerRefusesARecordThatDoesNotFitItsTemplateAndStaysReadable() throws Exception {
        Random random = new Random(3);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        byte[] good = samis(SamisType1.TEMPLATE, random, 1);
        try (IpdrXdrWriter w = new IpdrXdrWriter(file)) {
            w.begin(HEADER);
            int id = w.descriptorId(0, SamisType1.TEMPLATE);
            w.record(id, good);
            byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
            assertThatThrownBy(() -> w.record(id, truncated)).isInstanceOfSatisfying(IpdrDecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
            w.record(id, good);
            w.end(1);
        }
        List<XdrElement> all = IpdrXdrRealFilesTest.readAll(new IpdrXdrReader(
            new ByteArrayInputStream(file.toByteArray())));
        assertThat(all).hasSize(4);
        assertThat(((DocEnd) all.get(3)).count()).isEqualTo(2);
    }

    @Test
    void aTemplateChangedUnderTheSameKeyGetsANewDescriptor() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (IpdrXdrWriter w = new IpdrXdrWriter(file)) {
            w.begin(HEADER);
            TemplateBlock modified = disable(SamisType1.TEMPLATE, SamisType1.CMTS_IPV6_ADDR);
            int a = w.descriptorId(0, SamisType1.TEMPLATE);
            assertThat(w.descriptorId(0, SamisType1.template(1))).isEqualTo(a);
            int b = w.descriptorId(0, modified);
            assertThat(b).isNotEqualTo(a);
            w.record(b, samis(modified, new Random(1), 1));
            w.end(2);
        }
        List<XdrElement> all = IpdrXdrRealFilesTest.readAll(new IpdrXdrReader(
            new ByteArrayInputStream(file.toByteArray())));
        // The unused descriptor a was never written.
        assertThat(all.get(0)).isInstanceOfSatisfying(RecordDescriptor.class,
            d -> assertThat(d.attributes()).hasSize(SamisType1.FIELD_COUNT - 1));
        assertThat(all).hasSize(3);
    }

    @Test
    void readerToleratesADefiniteDataLengthThatMatches() throws Exception {
        assertThat(readOne(8, new byte[] {0, 0, 0, 1, 0, 0, 0, 0})).isInstanceOfSatisfying(XdrRecord.class,
            x -> assertThat(x.values()).extracting(FieldValue::text).containsExactly("1", ""));
        assertThatThrownBy(() -> readOne(9, new byte[] {0, 0, 0, 1, 0, 0, 0, 0, 0}))
            .isInstanceOfSatisfying(IpdrDecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.TRAILING_BYTES));
    }

    /** A document with one descriptor (unsignedInt, string) and one IPDRREC with the given length word. */
    private static XdrElement readOne(int lengthWord, byte[] values) throws Exception {
        ByteBuf x = minimalHeader();
        x.writeInt(1).writeInt(1);
        str(x, "T");
        x.writeInt(2);
        str(x, "n");
        x.writeInt(0x22);
        str(x, "s");
        x.writeInt(0x28);
        x.writeInt(2).writeInt(1).writeInt(lengthWord).writeBytes(values);
        x.writeInt(3).writeInt(1).writeLong(0);
        IpdrXdrReader r = new IpdrXdrReader(new ByteArrayInputStream(ByteBufUtil.getBytes(x)));
        r.next();
        XdrElement e = r.next();
        assertThat(r.next()).isInstanceOf(DocEnd.class);
        return e;
    }

    static ByteBuf minimalHeader() {
        ByteBuf x = Unpooled.buffer();
        x.writeInt(4);
        str(x, "r");
        x.writeLong(0);
        str(x, "");
        x.writeInt(0).writeInt(0);
        x.writeInt(16).writeZero(16);
        x.writeInt(-1);
        return x;
    }

    @Test
    void structuralErrorsAreTyped() {
        ByteBuf v3 = Unpooled.buffer().writeInt(3).writeInt(0);
        assertReason(v3, Reason.BAD_VERSION);

        ByteBuf unknownDescriptor = minimalHeader().writeInt(2).writeInt(9).writeInt(-1);
        assertReason(unknownDescriptor, Reason.UNKNOWN_TEMPLATE);

        ByteBuf redefined = minimalHeader();
        for (int type : new int[] {0x21, 0x22}) {
            redefined.writeInt(1).writeInt(1);
            str(redefined, "T");
            redefined.writeInt(1);
            str(redefined, "a");
            redefined.writeInt(type);
        }
        assertReason(redefined, Reason.BAD_VALUE);

        ByteBuf trailing = minimalHeader().writeInt(3).writeInt(0).writeLong(0).writeByte(0);
        assertReason(trailing, Reason.TRAILING_BYTES);

        ByteBuf noDocEnd = minimalHeader();
        assertReason(noDocEnd, Reason.TRUNCATED);

        ByteBuf array = minimalHeader().writeInt(1).writeInt(1);
        str(array, "T");
        array.writeInt(1);
        str(array, "list");
        array.writeInt(0x40000021).writeInt(10);
        assertReason(array, Reason.UNSUPPORTED_TYPE);

        ByteBuf hugeString = Unpooled.buffer().writeInt(4).writeInt(0x7fffffff);
        assertReason(hugeString, Reason.LENGTH_TOO_LARGE);
    }

    private static void assertReason(ByteBuf doc, Reason reason) {
        IpdrXdrReader r = new IpdrXdrReader(new ByteArrayInputStream(ByteBufUtil.getBytes(doc)));
        assertThatThrownBy(() -> IpdrXdrRealFilesTest.readAll(r)).isInstanceOfSatisfying(IpdrDecodeException.class,
            e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
    }
}
