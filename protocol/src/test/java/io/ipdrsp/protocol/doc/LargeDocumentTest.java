package io.ipdrsp.protocol.doc;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.SamisType1;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.xml.parsers.SAXParserFactory;
import org.junit.jupiter.api.Test;
import org.xml.sax.Attributes;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Large documents (200,000 XDR / 100,000 XML records) written through a pipe to a streaming consumer: the consumer sees the bytes while the
 * writer is still writing, so neither side can be holding the document. Figures are printed, not asserted.
 */
class LargeDocumentTest {
    static final int RECORDS = 200_000;
    /** XML is ~5x the bytes of XDR; fewer records keep the shared test machine's run short. */
    static final int XML_RECORDS = 100_000;
    static final int PIPE = 64 * 1024;

    /** Counts what passes through. */
    static final class Counting extends FilterOutputStream {
        final AtomicLong bytes = new AtomicLong();

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            bytes.incrementAndGet();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            bytes.addAndGet(len);
        }
    }

    /** What the writer thread saw: bytes that had left it when it was halfway, and the record bytes before that. */
    private record Progress(long countHalfway, long recordBytesHalfway, long total) {
    }

    private interface DocumentWriter {
        /** Writes the document to {@code out}, calling {@code halfway} once halfway through. */
        void write(OutputStream out, Runnable halfway, AtomicLong recordBytes) throws Exception;
    }

    private static void writeInThread(PipedOutputStream pipe, DocumentWriter writer,
                                          List<CompletableFuture<Progress>> sink) {
        Counting counting = new Counting(pipe);
        AtomicLong recordBytes = new AtomicLong();
        long[] halfway = new long[2];
        CompletableFuture<Progress> f = CompletableFuture.supplyAsync(() -> {
            try (counting) {
                writer.write(counting, () -> {
                    halfway[0] = counting.bytes.get();
                    halfway[1] = recordBytes.get();
                }, recordBytes);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return new Progress(halfway[0], halfway[1], counting.bytes.get());
        });
        sink.add(f);
    }

    private static void samisRecords(Random random, ByteBuf buf, int i) {
        buf.clear();
        SamisType1.sample(random, 1 + i % 8, i).recType(1 + i % 4).encodeTo(buf);
    }

    @Test
    void xdrDocumentStreamsFromWriterToReader() throws Exception {
        PipedInputStream in = new PipedInputStream(PIPE);
        PipedOutputStream pipe = new PipedOutputStream(in);
        List<CompletableFuture<Progress>> futures = new java.util.ArrayList<>();
        writeInThread(pipe, (out, halfway, recordBytes) -> {
            Random random = new Random(1);
            ByteBuf buf = Unpooled.buffer(512);
            try (IpdrXdrWriter w = new IpdrXdrWriter(out)) {
                w.begin(IpdrXdrRoundTripTest.HEADER);
                int id = w.descriptorId(0, SamisType1.TEMPLATE);
                for (int i = 0; i < RECORDS; i++) {
                    samisRecords(random, buf, i);
                    w.record(id, buf);
                    recordBytes.addAndGet(buf.readableBytes());
                    if (i == RECORDS / 2) {
                        halfway.run();
                    }
                }
                w.end(42);
            }
        }, futures);

        long seen = 0;
        long dataBytes = 0;
        DocEnd end = null;
        try (IpdrXdrReader r = new IpdrXdrReader(in)) {
            assertThat(r.header()).isEqualTo(IpdrXdrRoundTripTest.HEADER);
            for (XdrElement e = r.next(); e != null; e = r.next()) {
                if (e instanceof XdrRecord x) {
                    assertThat(x.values()).hasSize(SamisType1.FIELD_COUNT);
                    seen++;
                    dataBytes += x.data().length();
                } else if (e instanceof DocEnd d) {
                    end = d;
                }
            }
        }
        Progress p = futures.get(0).get(2, TimeUnit.MINUTES);
        assertThat(seen).isEqualTo(RECORDS);
        assertThat(end).isEqualTo(new DocEnd(RECORDS, 42));
        assertThat(dataBytes).isLessThan(p.total());
        // Halfway through, all but the writer's buffer had already been handed to the stream.
        assertThat(p.countHalfway()).isGreaterThan(p.recordBytesHalfway() - IpdrXdrWriter.BUFFER_SIZE);
        System.out.printf("XDR: %d records, %d bytes; %d bytes out when %d record bytes written%n", seen, p.total(),
            p.countHalfway(), p.recordBytesHalfway());
    }

    @Test
    void xmlDocumentStreamsFromWriterToSaxParser() throws Exception {
        PipedInputStream in = new PipedInputStream(PIPE);
        PipedOutputStream pipe = new PipedOutputStream(in);
        List<CompletableFuture<Progress>> futures = new java.util.ArrayList<>();
        writeInThread(pipe, (out, halfway, recordBytes) -> {
            Random random = new Random(2);
            ByteBuf buf = Unpooled.buffer(512);
            try (IpdrXmlWriter w = new IpdrXmlWriter(out)) {
                w.begin(IpdrXdrRoundTripTest.HEADER);
                for (int i = 0; i < XML_RECORDS; i++) {
                    samisRecords(random, buf, i);
                    w.record(SamisType1.TEMPLATE, buf, i);
                    recordBytes.addAndGet(buf.readableBytes());
                    if (i == XML_RECORDS / 2) {
                        halfway.run();
                    }
                }
                w.end(42);
            }
        }, futures);

        long[] counts = new long[3]; // IPDR elements, field elements, IPDRDoc.End count attribute
        SAXParserFactory f = SAXParserFactory.newInstance();
        f.setNamespaceAware(true);
        try (in) {
            f.newSAXParser().parse(in, new DefaultHandler() {
                private int depth;

                @Override
                public void startElement(String uri, String local, String qName, Attributes a) {
                    depth++;
                    if (depth == 2 && local.equals("IPDR")) {
                        counts[0]++;
                    } else if (depth == 3) {
                        counts[1]++;
                    } else if (depth == 2 && local.equals("IPDRDoc.End")) {
                        counts[2] = Long.parseLong(a.getValue("count"));
                    }
                }

                @Override
                public void endElement(String uri, String local, String qName) {
                    depth--;
                }
            });
        }
        Progress p = futures.get(0).get(2, TimeUnit.MINUTES);
        assertThat(counts[0]).isEqualTo(XML_RECORDS);
        assertThat(counts[1]).isEqualTo((long) XML_RECORDS * (SamisType1.FIELD_COUNT + 1)); // + seqNum
        assertThat(counts[2]).isEqualTo(XML_RECORDS);
        // XML is larger than the binary records, so at least the binary size minus buffers must have left.
        assertThat(p.countHalfway()).isGreaterThan(p.recordBytesHalfway() - 2L * PIPE);
        System.out.printf("XML: %d records, %d bytes; %d bytes out when %d record bytes written%n", counts[0],
            p.total(), p.countHalfway(), p.recordBytesHalfway());
    }
}
