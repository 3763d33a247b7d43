package io.ipdrsp.node.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.protocol.doc.DocEnd;
import io.ipdrsp.protocol.doc.IpdrXdrReader;
import io.ipdrsp.protocol.doc.RecordDescriptor;
import io.ipdrsp.protocol.doc.XdrElement;
import io.ipdrsp.protocol.doc.XdrRecord;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.StoredRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class DocumentExportTest {
    private static CassandraStorage storage;
    private static DocumentExport export;

    @BeforeAll
    static void open() {
        storage = ExportFixtures.open("it_export");
        export = new DocumentExport(storage, e -> DecoderOptions.DEFAULT);
    }

    @AfterAll
    static void close() {
        storage.close();
    }

    private static List<StoredRecord> stored(RecordKey key) {
        try (Stream<StoredRecord> s = storage.streamRecords(key)) {
            return s.toList();
        }
    }

    @Test
    void xdrExportHoldsEveryStoredRecordByteForByteAndTheDocEndCount() throws Exception {
        RecordKey key = new RecordKey("cmts-xdr", 3, UUID.randomUUID(), 1_700_000_100L);
        ExportFixtures.store(storage, key, 1, List.of(ExportFixtures.SAMIS), 256, 0, 500, ExportFixtures::samis);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DocumentExport.Result r = export.write(key, DocumentExport.Format.XDR, out, null);

        List<StoredRecord> stored = stored(key);
        assertThat(r.records()).isEqualTo(500).isEqualTo(stored.size());
        assertThat(r.skipped()).isZero();
        assertThat(r.bytes()).isEqualTo(out.size());
        List<byte[]> read = new ArrayList<>();
        DocEnd end;
        try (IpdrXdrReader reader = new IpdrXdrReader(new ByteArrayInputStream(out.toByteArray()))) {
            assertThat(reader.header().docIdAsUuid()).isEqualTo(key.documentId());
            XdrElement e;
            int descriptors = 0;
            while ((e = reader.next()) != null) {
                if (e instanceof XdrRecord rec) {
                    read.add(rec.data().toByteArray());
                    assertThat(rec.descriptor().typeName()).isEqualTo("SAMIS-TYPE-1");
                } else if (e instanceof RecordDescriptor) {
                    descriptors++;
                }
            }
            end = reader.docEnd();
            assertThat(descriptors).isEqualTo(1);
        }
        assertThat(end.count()).isEqualTo(stored.size());
        assertThat(read).hasSize(stored.size());
        for (int i = 0; i < stored.size(); i++) {
            assertThat(read.get(i)).as("record %d", i).isEqualTo(stored.get(i).dataBytes());
        }
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        export.write(key, DocumentExport.Format.XDR, again, null);
        assertThat(again.toByteArray()).as("an export is a function of what is stored").isEqualTo(out.toByteArray());
    }

    @Test
    void xmlExportIsWellFormedWithTheDigestShapeAndTheEndCount() throws Exception {
        RecordKey key = new RecordKey("cmts-xml", 4, UUID.randomUUID(), 1_700_000_200L);
        ExportFixtures.store(storage, key, 1, List.of(ExportFixtures.SAMIS), 256, 100, 120, ExportFixtures::samis);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DocumentExport.Result r = export.write(key, DocumentExport.Format.XML, out, null);
        assertThat(r.records()).isEqualTo(120);

        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(out.toByteArray()));
        Element root = doc.getDocumentElement();
        assertThat(root.getLocalName()).isEqualTo("IPDRDoc");
        assertThat(root.getNamespaceURI()).isEqualTo("http://www.ipdr.org/namespaces/ipdr");
        assertThat(root.getAttribute("docId")).isEqualTo(key.documentId().toString());
        assertThat(root.getAttribute("version")).isEqualTo("3.5");
        assertThat(root.getAttribute("IPDRRecorderInfo")).contains("cmts-xml");
        NodeList ipdrs = root.getElementsByTagNameNS("http://www.ipdr.org/namespaces/ipdr", "IPDR");
        assertThat(ipdrs.getLength()).isEqualTo(120);
        Element first = (Element) ipdrs.item(0);
        assertThat(first.getAttributeNS("http://www.w3.org/2001/XMLSchema-instance", "type")).isEqualTo("SAMIS-TYPE-1");
        assertThat(first.getElementsByTagNameNS("*", "seqNum").item(0).getTextContent()).isEqualTo("100");
        assertThat(first.getElementsByTagNameNS("*", "CmIpv4Addr").item(0).getTextContent()).isEqualTo("10.1.100.7");
        NodeList end = root.getElementsByTagNameNS("http://www.ipdr.org/namespaces/ipdr", "IPDRDoc.End");
        assertThat(end.getLength()).isEqualTo(1);
        assertThat(((Element) end.item(0)).getAttribute("count")).isEqualTo("120");
        assertThat(root.getAttribute("IPDRRecorderInfo")).as("a final document").doesNotContain("PARTIAL");

        // the same document exported while not final: a reader sees it is partial, the end count stays exact
        ByteArrayOutputStream open = new ByteArrayOutputStream();
        export.write(key, DocumentExport.Format.XML, open, null, "SUSPENDED");
        Element openRoot = f.newDocumentBuilder().parse(new ByteArrayInputStream(open.toByteArray()))
                .getDocumentElement();
        assertThat(openRoot.getAttribute("IPDRRecorderInfo"))
                .isEqualTo("ipdr-collector cmts-xml PARTIAL: document not final (state SUSPENDED), records stored at"
                        + " export time");
        assertThat(((Element) openRoot.getElementsByTagNameNS("http://www.ipdr.org/namespaces/ipdr", "IPDRDoc.End")
                .item(0)).getAttribute("count")).isEqualTo("120");
    }

    @Test
    void aDocumentOverSeveralBucketsStreamsInSequenceOrder(@TempDir Path dir) throws Exception {
        RecordKey key = new RecordKey("cmts-big", 5, UUID.randomUUID(), 1_700_000_300L);
        long from = 7_000; // buckets 0, 1, 2 and 3: starts mid-bucket, ends mid-bucket
        long count = 24_000;
        ExportFixtures.store(storage, key, 1, List.of(ExportFixtures.SAMIS), 256, from, count, ExportFixtures::samis);
        Path xml = dir.resolve("big.xml");
        Path xdr = dir.resolve("big.xdr");
        try (var o = Files.newOutputStream(xml)) {
            assertThat(export.write(key, DocumentExport.Format.XML, o, null).records()).isEqualTo(count);
        }
        try (var o = Files.newOutputStream(xdr)) {
            assertThat(export.write(key, DocumentExport.Format.XDR, o, null).records()).isEqualTo(count);
        }
        long expected = from;
        try (InputStream in = Files.newInputStream(xml)) {
            XMLStreamReader x = XMLInputFactory.newDefaultFactory().createXMLStreamReader(in);
            while (x.hasNext()) {
                if (x.next() == XMLStreamConstants.START_ELEMENT && x.getLocalName().equals("seqNum")) {
                    assertThat(Long.parseLong(x.getElementText())).isEqualTo(expected++);
                }
            }
        }
        assertThat(expected).isEqualTo(from + count);
        long seq = from;
        try (IpdrXdrReader r = new IpdrXdrReader(Files.newInputStream(xdr))) {
            XdrElement e;
            while ((e = r.next()) != null) {
                if (e instanceof XdrRecord rec) {
                    byte[] want = ExportFixtures.samis(seq++);
                    if (!Arrays.equals(rec.data().toByteArray(), want)) {
                        throw new AssertionError("record of seq " + (seq - 1) + " differs or is out of order");
                    }
                }
            }
            assertThat(r.docEnd().count()).isEqualTo((int) count);
        }
        assertThat(seq).isEqualTo(from + count);
    }

    @Test
    void aTemplateChangeInsideADocumentGivesASecondDescriptor() throws Exception {
        RecordKey key = new RecordKey("cmts-change", 6, UUID.randomUUID(), 1_700_000_400L);
        TemplateBlock samis = ExportFixtures.SAMIS;
        List<FieldDescriptor> fewer = new ArrayList<>(samis.fields());
        fewer.set(3, fewer.get(3).withEnabled(false)); // CmtsIpv6Addr switched off by template negotiation
        TemplateBlock reduced = new TemplateBlock(samis.templateId(), samis.schemaName(), samis.typeName(), fewer);
        ExportFixtures.store(storage, key, 1, List.of(samis), 256, 0, 10, ExportFixtures::samis);
        ExportFixtures.store(storage, key, 2, List.of(reduced), 256, 10, 10, s -> {
            var decoded = (io.ipdrsp.protocol.RecordDecoder.Decoded) io.ipdrsp.protocol.RecordDecoder.compile(samis,
                    DecoderOptions.DEFAULT).decodeOrRaw(io.netty.buffer.Unpooled.wrappedBuffer(ExportFixtures.samis(s)));
            List<Object> v = new ArrayList<>(decoded.values().stream().map(io.ipdrsp.protocol.FieldValue::value)
                    .toList());
            v.remove(3);
            return ExportFixtures.encode(reduced, v);
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        export.write(key, DocumentExport.Format.XDR, out, null);
        List<Integer> descriptorSizes = new ArrayList<>();
        int records = 0;
        try (IpdrXdrReader r = new IpdrXdrReader(new ByteArrayInputStream(out.toByteArray()))) {
            XdrElement e;
            while ((e = r.next()) != null) {
                if (e instanceof RecordDescriptor d) {
                    descriptorSizes.add(d.attributes().size());
                } else if (e instanceof XdrRecord) {
                    records++;
                }
            }
        }
        assertThat(descriptorSizes).containsExactly(28, 27);
        assertThat(records).isEqualTo(20);
    }

    @Test
    void unknownDocumentsAreNotFoundAndIpv6RawExportersCannotBeCopiedToXdr() throws Exception {
        RecordKey unknown = new RecordKey("cmts-none", 1, UUID.randomUUID(), 1L);
        assertThat(export.find(unknown)).isEmpty();
        DocumentExport raw = new DocumentExport(storage, e -> DecoderOptions.DEFAULT.withIpv6Raw(true));
        assertThatThrownBy(() -> raw.write(unknown, DocumentExport.Format.XDR, new ByteArrayOutputStream(), null))
                .isInstanceOf(DocumentExport.UnsupportedExport.class).hasMessageContaining("ipv6Raw");
    }
}
