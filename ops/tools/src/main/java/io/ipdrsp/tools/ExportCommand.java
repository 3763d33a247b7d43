package io.ipdrsp.tools;

import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.doc.IpdrXdrReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ipdr export}: downloads a stored document from a node as IPDR/XML or IPDR/XDR, like an operator would with
 * curl, with a progress bar on stderr. The file appears under its name only when complete (written as FILE.part,
 * then renamed). Records are counted while the bytes arrive: XML by its {@code </IPDR>} end tags, XDR by reading the
 * stream with {@link IpdrXdrReader}, which also checks that DOCEND's count matches.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"download a stored document from a node as an IPDR/XML or IPDR/XDR file", "",
            "Streams the document (exporter, session, documentId, exporterBootTime) from a node's "
                + "GET /api/documents/NAME/N/UUID/T/ipdr.FORMAT into FILE ('-': stdout), showing records and bytes "
                + "received on stderr (a percentage when the node knows the document's record count)."},
        footer = {"", "Exit status: 0 written, 1 failed (unreachable node, unknown or incomplete transfer), 2 bad "
                + "arguments, 3 the document is not final (without --allow-open)."})
final class ExportCommand extends ToolCommand {
    @Option(names = "--exporter", required = true, paramLabel = "NAME", description = "the CMTS")
    String exporter;

    @Option(names = "--session", required = true, paramLabel = "N", description = "the session id (0..255)")
    String session;

    @Option(names = "--document", required = true, paramLabel = "UUID", description = "the documentId")
    String document;

    @Option(names = "--boot", required = true, paramLabel = "T", description = "the exporter's boot time (epoch s)")
    String boot;

    @Option(names = "--node", paramLabel = "URL", description = "the node's API (default http://localhost:8080)")
    String node = NodeHttp.DEFAULT_NODE;

    @Option(names = "--format", paramLabel = "F", description = "xml (IPDR/XML 3.5, default) or xdr (IPDR/XDR "
            + "version 4)")
    String formatName = "xml";

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "where to write; written "
            + "as FILE.part and renamed when complete")
    String output;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Option(names = "--allow-open", description = "export a document that is not final yet (OPEN, SUSPENDED, not "
            + "audited): the file says PARTIAL in its recorder info; without it such a document is not written")
    boolean allowOpen;

    /** Exit status of a document that is not final, refused without {@code --allow-open}. */
    static final int NOT_FINAL = 3;

    @Override
    public Integer call() {
        String format = formatName.toLowerCase(Locale.ROOT);
        if (!format.equals("xml") && !format.equals("xdr")) {
            throw usage("--format must be xml or xdr");
        }
        try {
            int sessionId = Integer.parseInt(session);
            long bootTime = Long.parseLong(boot);
            UUID doc = UUID.fromString(document);
            if (sessionId < 0 || sessionId > 255 || bootTime < 0) {
                throw new IllegalArgumentException("--session is 0..255 and --boot is not negative");
            }
            var uri = NodeHttp.uri(node, "/api/documents/" + NodeHttp.segment(exporter) + "/" + sessionId + "/" + doc
                    + "/" + bootTime + "/ipdr." + format);
            return download(uri, format, output, quiet, allowOpen, out, err);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private int download(java.net.URI uri, String format, String output, boolean quiet, boolean allowOpen,
            PrintStream out, PrintStream err) {
        HttpResponse<InputStream> response;
        try {
            response = NodeHttp.client().send(HttpRequest.newBuilder(uri).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            err.println("ipdr export: cannot reach " + uri + ": " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        if (response.statusCode() != 200) {
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                body = "";
            }
            err.println("ipdr export: " + response.statusCode() + ": " + NodeHttp.message(body));
            return 1;
        }
        // a node that predates the header sends none: its documents are taken as they were (final or not unknown)
        String state = response.headers().firstValue("X-Ipdr-Document-State").orElse("FINAL");
        if (!state.equals("FINAL")) {
            if (!allowOpen) {
                try (InputStream in = response.body()) {
                    in.transferTo(OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // we are leaving anyway
                }
                err.println("ipdr export: the document is not final (state " + state + "): its records may still"
                        + " change; nothing written. --allow-open exports it as a file marked PARTIAL");
                return NOT_FINAL;
            }
            err.println("ipdr export: the document is not final (state " + state + "): the file is PARTIAL (its"
                    + " recorder info says so)");
        }
        long total = response.headers().firstValueAsLong("X-Ipdr-Record-Count").orElse(-1);
        Progress progress = new Progress(err, total, quiet);
        boolean toStdout = output.equals("-");
        Path target = toStdout ? null : Path.of(output);
        Path part = toStdout ? null : target.resolveSibling(target.getFileName() + ".part");
        RecordCounter counter = format.equals("xml") ? new XmlCounter() : new XdrCounter();
        try (InputStream in = response.body();
             OutputStream file = toStdout ? null : Files.newOutputStream(part)) { // stdout is not ours to close
            OutputStream sink = toStdout ? out : file;
            byte[] buf = new byte[64 * 1024];
            long bytes = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                sink.write(buf, 0, n);
                counter.accept(buf, n);
                bytes += n;
                progress.show(counter.records(), bytes, false);
            }
            sink.flush();
            String problem = counter.finish();
            progress.show(counter.records(), bytes, true);
            if (problem != null) {
                err.println("ipdr export: the document is not complete: " + problem);
                if (part != null) {
                    Files.deleteIfExists(part);
                }
                return 1;
            }
            if (part != null) {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                err.println("ipdr export: wrote " + target + " (" + counter.records() + " records, " + bytes
                        + " bytes)");
            }
            return 0;
        } catch (IOException e) {
            progress.abort();
            err.println("ipdr export: transfer failed: " + e.getMessage());
            try {
                if (part != null) {
                    Files.deleteIfExists(part);
                }
            } catch (IOException ignored) {
                // best effort
            }
            return 1;
        }
    }

    /** Counts records in the bytes as they pass; {@link #finish} says what is wrong with the whole, or null. */
    private interface RecordCounter {
        void accept(byte[] b, int n) throws IOException;

        long records();

        String finish() throws IOException;
    }

    /** Counts {@code </IPDR>} end tags (record elements never nest, and {@code </IPDRDoc} differs at '>'). */
    private static final class XmlCounter implements RecordCounter {
        private static final byte[] TAG = "</IPDR>".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] END = "<IPDRDoc.End".getBytes(StandardCharsets.US_ASCII);
        private int matched;
        private int endMatched;
        private boolean sawEnd;
        private long records;

        @Override
        public void accept(byte[] b, int n) {
            for (int i = 0; i < n; i++) {
                matched = b[i] == TAG[matched] ? matched + 1 : (b[i] == TAG[0] ? 1 : 0);
                if (matched == TAG.length) {
                    records++;
                    matched = 0;
                }
                endMatched = b[i] == END[endMatched] ? endMatched + 1 : (b[i] == END[0] ? 1 : 0);
                if (endMatched == END.length) {
                    sawEnd = true;
                    endMatched = 0;
                }
            }
        }

        @Override
        public long records() {
            return records;
        }

        @Override
        public String finish() {
            return sawEnd ? null : "no IPDRDoc.End (the node stopped in the middle)";
        }
    }

    /** Feeds the bytes to an {@link IpdrXdrReader} on another thread through a pipe. */
    private static final class XdrCounter implements RecordCounter {
        private final PipedOutputStream pipe = new PipedOutputStream();
        private final AtomicLong records = new AtomicLong();
        private final AtomicReference<String> problem = new AtomicReference<>();
        private final Thread reader;

        XdrCounter() {
            PipedInputStream in;
            try {
                in = new PipedInputStream(pipe, 1 << 20);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            reader = new Thread(() -> {
                try (IpdrXdrReader r = new IpdrXdrReader(in)) {
                    while (r.next() != null) {
                        records.set(r.recordCount());
                    }
                    records.set(r.recordCount());
                    if (r.docEnd().count() != -1 && r.docEnd().count() != r.recordCount()) {
                        problem.set("DOCEND says " + r.docEnd().count() + " records, the file holds "
                                + r.recordCount());
                    }
                } catch (IpdrDecodeException e) {
                    problem.set("not a valid IPDR/XDR document: " + e.getMessage());
                } catch (IOException e) {
                    problem.set("reading failed: " + e.getMessage());
                }
                try {
                    in.skip(Long.MAX_VALUE); // drain, so the writer never blocks on a reader that gave up
                    while (in.read() >= 0) {
                        // drain
                    }
                } catch (IOException ignored) {
                    // the writer closed
                }
            }, "ipdr-export-xdr-check");
            reader.setDaemon(true);
            reader.start();
        }

        @Override
        public void accept(byte[] b, int n) throws IOException {
            pipe.write(b, 0, n);
        }

        @Override
        public long records() {
            return records.get();
        }

        @Override
        public String finish() throws IOException {
            pipe.close();
            try {
                reader.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return problem.get();
        }
    }

    /** One line on stderr, redrawn at most five times a second. */
    private static final class Progress {
        private final PrintStream err;
        private final long total;
        private final boolean quiet;
        private long lastDraw;
        private int lastWidth;

        Progress(PrintStream err, long total, boolean quiet) {
            this.err = err;
            this.total = total;
            this.quiet = quiet;
        }

        void show(long records, long bytes, boolean last) {
            long now = System.nanoTime();
            if (quiet || (!last && now - lastDraw < 200_000_000L)) {
                return;
            }
            lastDraw = now;
            StringBuilder s = new StringBuilder();
            if (total > 0) {
                int pct = (int) Math.min(100, records * 100 / total);
                int filled = pct * 30 / 100;
                s.append('[').append("#".repeat(filled)).append("-".repeat(30 - filled)).append("] ")
                        .append(String.format(Locale.ROOT, "%3d%% ", pct)).append(records).append('/').append(total);
            } else {
                s.append(records);
            }
            s.append(" records, ").append(human(bytes));
            String line = s.toString();
            err.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            lastWidth = line.length();
            if (last) {
                err.println();
            }
            err.flush();
        }

        void abort() {
            if (!quiet && lastWidth > 0) {
                err.println();
            }
        }

        static String human(long bytes) {
            if (bytes < 1024) {
                return bytes + " B";
            }
            double v = bytes;
            String[] units = {"KiB", "MiB", "GiB", "TiB"};
            int u = -1;
            while (v >= 1024 && u < units.length - 1) {
                v /= 1024;
                u++;
            }
            return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
        }
    }
}
