package io.ipdrsp.node.export;

import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.protocol.doc.DocumentHeader;
import io.ipdrsp.protocol.doc.IpdrXdrWriter;
import io.ipdrsp.protocol.doc.IpdrXmlWriter;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.DocumentInfo;
import io.ipdrsp.storage.DocumentReads;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.StoredRecord;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one stored document as an IPDR/XML 3.5 or IPDR/XDR version 4 file, streamed from Cassandra in sequence order
 * ({@link CassandraStorage#streamRecords}, paged bucket by bucket): memory does not grow with the document. Each
 * record is written with the templates of its own (exporter, session, bootTime, configId), so a template change in the
 * middle of a document gives a second XDR RECORDDESC. The output is a pure function of what is stored — the header's
 * start time is the document's {@code startedAt} (or the first record's arrival), DOCEND's end time the last
 * record's arrival, the recorder info names the CMTS, not the node — so every node exports identical bytes.
 *
 * <p>Records that cannot be written (no stored template, bytes that do not fit it) are left out, logged, counted in
 * {@link Result#skipped()}; DOCEND's (and IPDRDoc.End's) count is the number of records written.
 * Blocking: run on a worker thread (Jetty's, the spooler's), never on an event loop. Thread-safe.
 */
public final class DocumentExport {
    private static final Logger LOG = LoggerFactory.getLogger(DocumentExport.class);

    /** The two file formats. */
    public enum Format {
        XML("xml", "application/xml"), XDR("xdr", "application/octet-stream");

        private final String extension;
        private final String mediaType;

        Format(String extension, String mediaType) {
            this.extension = extension;
            this.mediaType = mediaType;
        }

        public String extension() {
            return extension;
        }

        public String mediaType() {
            return mediaType;
        }

        /** "xml" / "xdr" (any case). */
        public static Format of(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "xml" -> XML;
                case "xdr" -> XDR;
                default -> throw new IllegalArgumentException("unknown export format '" + name + "' (xml or xdr)");
            };
        }
    }

    /** What was written: records (the DOCEND count), records left out, and bytes. */
    public record Result(long records, long skipped, long bytes) {
    }

    /** A document that cannot be exported in the asked format (e.g. XDR of an ipv6Raw exporter). */
    public static final class UnsupportedExport extends Exception {
        UnsupportedExport(String message) {
            super(message);
        }
    }

    private final CassandraStorage storage;
    private final DocumentReads reads;
    private final Function<String, DecoderOptions> decoderOptions;

    /**
     * @param decoderOptions how the records of an exporter are decoded (its {@code ipv6Raw} setting); called with the
     *                       exporter name
     */
    public DocumentExport(CassandraStorage storage, Function<String, DecoderOptions> decoderOptions) {
        this.storage = storage;
        this.reads = new DocumentReads(storage);
        this.decoderOptions = decoderOptions;
    }

    /** The document's row, if known; empty when neither a row nor records exist (an unknown document). */
    public Optional<Optional<DocumentInfo>> find(RecordKey key) {
        Optional<DocumentInfo> info = await(storage.document(key).toCompletableFuture());
        if (info.isPresent() || reads.hasRecords(key)) {
            return Optional.of(info);
        }
        return Optional.empty();
    }

    /** Refuses a format the exporter's records cannot be copied into. */
    public void check(RecordKey key, Format format) throws UnsupportedExport {
        if (format == Format.XDR && decoderOptions.apply(key.exporter()).ipv6Raw()) {
            throw new UnsupportedExport("exporter " + key.exporter() + " sends ipV6Addr values without their length"
                    + " (ipv6Raw): its records cannot be copied verbatim into IPDR/XDR; export it as XML");
        }
    }

    /** The file name a document gets in a spool directory or a download: exporter_session_boot_docId.ext. */
    public static String fileName(RecordKey key, Format format) {
        return key.exporter().replaceAll("[^A-Za-z0-9._-]", "_") + "_" + key.sessionId() + "_" + key.bootTime() + "_"
                + key.documentId() + "." + format.extension();
    }

    /**
     * Streams the document to {@code out} (flushed, not closed).
     *
     * @param progress called with the number of records written so far, every 1000 records and at the end
     */
    public Result write(RecordKey key, Format format, OutputStream out, LongConsumer progress)
            throws IOException, UnsupportedExport {
        return write(key, format, out, progress, null);
    }

    /**
     * As {@link #write(RecordKey, Format, OutputStream, LongConsumer)} for a document that may not be final yet.
     *
     * @param openState null when the document is final; else its audit state (OPEN, SUSPENDED, NOT_AUDITED...): the
     *                  file then says it is partial where any reader sees it, in the recorder info of its header
     *                  (XML {@code IPDRRecorderInfo}, XDR {@code ipdrRecorderInfo}); its end marker still counts
     *                  exactly the records written
     */
    public Result write(RecordKey key, Format format, OutputStream out, LongConsumer progress, String openState)
            throws IOException, UnsupportedExport {
        check(key, format);
        DecoderOptions options = decoderOptions.apply(key.exporter());
        Optional<DocumentInfo> info = await(storage.document(key).toCompletableFuture());
        Counting counting = new Counting(out);
        Map<Integer, Map<Integer, TemplateBlock>> templates = new HashMap<>();
        long written = 0;
        long skipped = 0;
        try (Stream<StoredRecord> records = storage.streamRecords(key)) {
            Iterator<StoredRecord> it = records.iterator();
            StoredRecord first = it.hasNext() ? it.next() : null;
            Instant start = info.map(DocumentInfo::startedAt)
                    .orElse(first != null && first.receivedAt() != null ? first.receivedAt() : Instant.EPOCH);
            DocumentHeader header = DocumentHeader.of(recorderInfo(key, openState), start.toEpochMilli(),
                    key.documentId(), List.of());
            Instant end = start;
            Sink sink = format == Format.XML ? new XmlSink(counting, options) : new XdrSink(counting, options);
            sink.begin(header);
            StoredRecord r = first;
            while (r != null) {
                TemplateBlock t = templates.computeIfAbsent(r.configId(), c -> byId(key, c)).get(r.templateId());
                String problem = null;
                if (t == null) {
                    problem = "no stored template " + r.templateId() + " for configId " + r.configId();
                } else {
                    try {
                        sink.record(r, t);
                        written++;
                        if (progress != null && written % 1000 == 0) {
                            progress.accept(written);
                        }
                        if (r.receivedAt() != null && r.receivedAt().isAfter(end)) {
                            end = r.receivedAt();
                        }
                    } catch (IpdrDecodeException e) {
                        problem = "record does not fit template " + r.templateId() + ": " + e.getMessage();
                    }
                }
                if (problem != null) {
                    skipped++;
                    LOG.warn("{} seq {}: left out of the {} export: {}", key, r.seq(), format, problem);
                }
                r = it.hasNext() ? it.next() : null;
            }
            sink.end(end.toEpochMilli());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (progress != null) {
            progress.accept(written);
        }
        return new Result(written, skipped, counting.count);
    }

    /** Names the CMTS, not the node (every node writes the same bytes); says PARTIAL for a document not final. */
    static String recorderInfo(RecordKey key, String openState) {
        return "ipdr-collector " + key.exporter() + (openState == null ? ""
                : " PARTIAL: document not final (state " + openState + "), records stored at export time");
    }

    private Map<Integer, TemplateBlock> byId(RecordKey key, int configId) {
        Map<Integer, TemplateBlock> m = new HashMap<>();
        for (TemplateBlock t : storage.templates(key.exporter(), key.sessionId(), key.bootTime(), configId)) {
            m.put(t.templateId(), t);
        }
        return m;
    }

    /** One format's writer behind a common face. */
    private interface Sink {
        void begin(DocumentHeader header) throws IOException;

        void record(StoredRecord r, TemplateBlock t) throws IOException, IpdrDecodeException;

        void end(long endMillis) throws IOException;
    }

    private static final class XmlSink implements Sink {
        private final IpdrXmlWriter w;
        private final OutputStream raw;

        XmlSink(OutputStream out, DecoderOptions options) throws IOException {
            this.raw = out;
            this.w = new IpdrXmlWriter(new NonClosing(out), options);
        }

        @Override
        public void begin(DocumentHeader header) throws IOException {
            w.begin(header);
        }

        @Override
        public void record(StoredRecord r, TemplateBlock t) throws IOException, IpdrDecodeException {
            w.record(t, Unpooled.wrappedBuffer(r.data()), r.seq());
        }

        @Override
        public void end(long endMillis) throws IOException {
            w.end(endMillis);
            w.close();
            raw.flush();
        }
    }

    private static final class XdrSink implements Sink {
        private final IpdrXdrWriter w;
        private final OutputStream raw;

        XdrSink(OutputStream out, DecoderOptions options) {
            this.raw = out;
            this.w = new IpdrXdrWriter(new NonClosing(out), options);
        }

        @Override
        public void begin(DocumentHeader header) throws IOException {
            w.begin(header);
        }

        @Override
        public void record(StoredRecord r, TemplateBlock t) throws IOException, IpdrDecodeException {
            ByteBuf b = Unpooled.wrappedBuffer(r.data());
            w.record(r.configId(), t, b);
        }

        @Override
        public void end(long endMillis) throws IOException {
            w.end(endMillis);
            w.close();
            raw.flush();
        }
    }

    /** Counts bytes; the writers' close() must not close the caller's stream. */
    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    private static final class NonClosing extends FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Cassandra did not answer within 30 s", e);
        }
    }
}
