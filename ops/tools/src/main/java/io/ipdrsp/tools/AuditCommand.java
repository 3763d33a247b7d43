package io.ipdrsp.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ipdr audit}: the billing-completeness audit of a collector cluster, asked over HTTP from any node like an
 * operator would ({@code GET /api/audit}, {@code GET /api/audit/documents/...}).
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        customSynopsis = {"usage: ipdr audit --from T --to T [--cmts NAME] [--format table|json|csv] [--node URL]",
            "       ipdr audit --document EXPORTER/SESSION/DOCUMENT_ID/BOOT_TIME [--format table|json] [--node URL]"},
        description = {"per CMTS and interval: documents by verdict, missing ranges, declared drops (from a node's "
                + "REST API)", "",
            "Asks a collector node (any node: the audit is read from Cassandra) which documents each CMTS started in "
                + "[from, to) and their completeness verdicts: COMPLETE, COMPLETE_WITH_DECLARED_DROPS (every missing "
                + "record covered by the CMTS's droppedRecordCount), INCOMPLETE (with the unexplained ranges), OPEN "
                + "(not final yet). --document shows one document: segments (which node received what), gaps, "
                + "duplicates, integrity conflicts and its history."},
        footer = {"", "Exit status: 0 answered, 1 the node failed or is unreachable, 2 bad arguments, 3 no such CMTS"
            + " (the error lists the known ones) or document."})
final class AuditCommand extends ToolCommand {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int MAX_RANGES_SHOWN = 8;

    @Option(names = "--from", paramLabel = "T", description = "2024-05-01T10:00:00Z, 2024-05-01 (UTC midnight), now, "
            + "or -2h/-30m/-7d (default: the last 24 hours)")
    String from;

    @Option(names = "--to", paramLabel = "T", description = "as --from")
    String to;

    @Option(names = "--cmts", paramLabel = "NAME", description = "one CMTS (default: every CMTS the node knows)")
    String cmts;

    @Option(names = "--format", paramLabel = "F", description = "table (default), json (the API's answer) or csv "
            + "(one line per document)")
    String format = "table";

    @Option(names = "--node", paramLabel = "URL", description = "the node's API (default http://127.0.0.1:8080)")
    String node = "http://127.0.0.1:8080";

    @Option(names = "--document", paramLabel = "EXPORTER/SESSION/DOCUMENT_ID/BOOT_TIME",
            description = "one document in detail")
    String document;

    @Override
    public Integer call() {
        if (node.endsWith("/")) {
            node = node.substring(0, node.length() - 1);
        }
        if (!List.of("table", "json", "csv").contains(format)) {
            throw usage("--format must be table, json or csv");
        }
        String path;
        if (document != null) {
            String[] p = document.split("/");
            if (p.length != 4) {
                throw usage("--document must be EXPORTER/SESSION/DOCUMENT_ID/BOOT_TIME");
            }
            if (format.equals("csv")) {
                throw usage("--document prints table or json");
            }
            path = "/api/audit/documents/" + enc(p[0]) + "/" + enc(p[1]) + "/" + enc(p[2]) + "/" + enc(p[3]);
        } else {
            StringBuilder q = new StringBuilder("/api/audit?");
            if (from != null) {
                q.append("from=").append(enc(from)).append('&');
            }
            if (to != null) {
                q.append("to=").append(enc(to)).append('&');
            }
            if (cmts != null) {
                q.append("cmts=").append(enc(cmts));
            }
            path = q.toString();
        }
        JsonNode body;
        try {
            HttpResponse<String> r = NodeHttp.client().send(
                    HttpRequest.newBuilder(URI.create(node + path)).timeout(Duration.ofMinutes(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 400) {
                err.println("ipdr audit: " + message(r.body()));
                return 2;
            }
            if (r.statusCode() == 404) { // an unknown CMTS (the message lists the known ones) or document
                err.println("ipdr audit: " + message(r.body()));
                return 3;
            }
            if (r.statusCode() != 200) {
                err.println("ipdr audit: " + node + " answered " + r.statusCode() + ": " + message(r.body()));
                return 1;
            }
            body = MAPPER.readTree(r.body());
        } catch (IOException | IllegalArgumentException e) {
            err.println("ipdr audit: cannot reach " + node + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        try {
            if (format.equals("json")) {
                out.println(MAPPER.writeValueAsString(body));
            } else if (document != null) {
                printDocument(body, out);
            } else if (format.equals("csv")) {
                printCsv(body, out);
            } else {
                printTable(body, out);
            }
        } catch (IOException e) {
            err.println("ipdr audit: " + e.getMessage());
            return 1;
        }
        return 0;
    }

    private static String message(String body) {
        try {
            JsonNode n = MAPPER.readTree(body);
            return n.has("message") ? n.get("message").asText() : body;
        } catch (IOException e) {
            return body;
        }
    }

    private static void printTable(JsonNode report, PrintStream out) {
        out.println("audit of documents started in [" + text(report.path("from")) + ", "
                + text(report.path("to")) + ")");
        for (JsonNode e : report.path("exporters")) {
            out.println();
            out.println("CMTS " + e.path("exporter").asText() + ": " + e.path("documents").asInt() + " documents ("
                    + verdicts(e.path("byVerdict")) + ")");
            out.println("  records held " + e.path("recordsHeld").asLong() + ", missing " + e.path("missing").asLong()
                    + " (declared dropped " + e.path("declaredMatched").asLong() + ", unexplained "
                    + e.path("unexplained").asLong() + "), declared drops " + e.path("declaredDrops").asLong()
                    + ", duplicates removed " + e.path("duplicatesRemoved").asLong() + ", integrity conflicts "
                    + e.path("integrityConflicts").asLong() + ", failovers " + e.path("failovers").asInt()
                    + ", re-opened " + e.path("reopened").asInt());
            out.println("  records per node: " + pairs(e.path("nodes")));
            if (e.path("documentList").isEmpty()) {
                continue;
            }
            out.printf("  %-4s %-36s %-10s %-20s %-9s %-28s %8s %8s %9s %11s  %s%n", "SESS", "DOCUMENT", "BOOT",
                    "STARTED", "STATE", "VERDICT", "HELD", "MISSING", "DECLARED", "UNEXPLAINED",
                    "UNEXPLAINED RANGES");
            for (JsonNode d : e.path("documentList")) {
                out.printf("  %-4d %-36s %-10d %-20s %-9s %-28s %8d %8d %9d %11d  %s%n", d.path("sessionId").asInt(),
                        d.path("documentId").asText(), d.path("bootTime").asLong(),
                        shortTime(text(d.path("startedAt"))), d.path("state").asText(),
                        d.path("verdict").asText() + (d.path("reopenCount").asInt() > 0
                                ? " (re-opened " + d.path("reopenCount").asInt() + ")" : ""),
                        d.path("recordsHeld").asLong(), d.path("missingCount").asLong(),
                        d.path("declaredMatched").asLong(), d.path("unexplainedCount").asLong(),
                        ranges(d.path("unexplained")));
            }
        }
    }

    private static void printCsv(JsonNode report, PrintStream out) {
        out.println("exporter,session,document_id,boot_time,started_at,state,verdict,expected_first,expected_last,"
                + "records_held,missing,declared_drops,declared_matched,unexplained,unexplained_ranges,duplicates,"
                + "integrity_conflicts,failovers,reopen_count,finalized_at,finalized_by");
        for (JsonNode e : report.path("exporters")) {
            for (JsonNode d : e.path("documentList")) {
                List<String> f = List.of(d.path("exporter").asText(), d.path("sessionId").asText(),
                        d.path("documentId").asText(), d.path("bootTime").asText(), text(d.path("startedAt")),
                        d.path("state").asText(), d.path("verdict").asText(), d.path("expectedFirst").asText(),
                        d.path("expectedLast").asText(), d.path("recordsHeld").asText(),
                        d.path("missingCount").asText(), d.path("declaredDrops").asText(),
                        d.path("declaredMatched").asText(), d.path("unexplainedCount").asText(),
                        allRanges(d.path("unexplained")), d.path("duplicates").asText(),
                        d.path("integrityConflicts").asText(), d.path("failovers").asText(),
                        d.path("reopenCount").asText(), text(d.path("finalizedAt")), text(d.path("finalizedBy")));
                out.println(String.join(",", f.stream().map(AuditCommand::csv).toList()));
            }
        }
    }

    private static void printDocument(JsonNode doc, PrintStream out) {
        JsonNode live = doc.path("live");
        JsonNode rec = doc.path("recorded");
        out.println("document " + live.path("documentId").asText() + " of " + live.path("exporter").asText()
                + " session " + live.path("sessionId").asInt() + " boot " + live.path("bootTime").asLong());
        out.println("  recorded verdict: " + (rec.isMissingNode() || rec.isNull() ? "none yet"
                : rec.path("verdict").asText() + " (" + rec.path("state").asText() + ", " + text(rec.path("trigger"))
                        + ", by " + text(rec.path("finalizedBy")) + " at " + text(rec.path("finalizedAt"))
                        + ", re-opened " + rec.path("reopenCount").asInt() + "x)"));
        out.println("  now: expected [" + live.path("expectedFirst").asLong() + ", " + live.path("expectedLast").asLong()
                + "], held " + live.path("recordsHeld").asLong() + " in " + ranges(doc.path("held")) + ", missing "
                + live.path("missingCount").asLong() + ", declared drops " + live.path("declaredDrops").asLong()
                + " (matched " + live.path("declaredMatched").asLong() + ", received all the same "
                + live.path("declaredReceived").asLong() + ", before this document "
                + live.path("declaredUnplaced").asLong() + "), duplicates " + live.path("duplicates").asLong()
                + ", integrity conflicts " + live.path("integrityConflicts").asLong());
        out.println("  records per node: " + pairs(live.path("nodes")));
        out.println("  segments:");
        out.printf("    %-12s %-7s %-21s %-21s %10s %8s  %s%n", "NODE", "PRIMARY", "STARTED", "STOPPED", "FIRST_DSN",
                "DROPPED", "STOP");
        for (JsonNode s : doc.path("segments")) {
            out.printf("    %-12s %-7s %-21s %-21s %10d %8d  %s%n", s.path("node").asText(),
                    s.path("primary").asBoolean() ? "yes" : "no", shortTime(text(s.path("startedAt"))),
                    shortTime(text(s.path("stoppedAt"))), s.path("firstRecordSequenceNumber").asLong(),
                    s.path("droppedRecordCount").asLong(), s.path("stopReasonCode").isNull()
                            || s.path("stopReasonCode").isMissingNode() ? "-" : s.path("stopReasonCode").asInt() + " "
                            + text(s.path("stopReasonInfo")));
        }
        out.println("  gaps:" + (doc.path("gaps").isEmpty() ? " none" : ""));
        for (JsonNode g : doc.path("gaps")) {
            out.println("    " + g.path("first").asLong() + ".." + g.path("last").asLong() + " (" + g.path("count")
                    .asLong() + ") " + (g.path("declared").asBoolean() ? "declared dropped by the CMTS"
                    : "UNEXPLAINED"));
        }
        for (JsonNode d : doc.path("duplicates")) {
            out.println("  duplicates removed by " + d.path("node").asText() + ": " + d.path("flagged").asLong()
                    + " flagged, " + d.path("unflagged").asLong() + " without D flag");
        }
        for (JsonNode c : doc.path("integrityConflicts")) {
            out.println("  INTEGRITY CONFLICT seq " + c.path("seq").asLong() + " detected by "
                    + c.path("detectedBy").asText() + " at " + text(c.path("detectedAt")) + ": "
                    + c.path("note").asText());
        }
        out.println("  history:");
        for (JsonNode h : doc.path("history")) {
            out.println("    " + shortTime(text(h.path("at"))) + " " + h.path("node").asText() + " " + h.path("event").asText()
                    + (h.path("verdict").isTextual() ? " " + h.path("verdict").asText() : "") + ": "
                    + text(h.path("detail")));
        }
    }

    private static String verdicts(JsonNode byVerdict) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = byVerdict.fields(); it.hasNext(); ) {
            var e = it.next();
            out.add(e.getKey() + " " + e.getValue().asInt());
        }
        return String.join(", ", out);
    }

    private static String pairs(JsonNode map) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            var e = it.next();
            out.add(e.getKey() + " " + e.getValue().asLong());
        }
        return out.isEmpty() ? "-" : String.join(", ", out);
    }

    private static String ranges(JsonNode list) {
        if (list.isEmpty()) {
            return "-";
        }
        List<String> out = new ArrayList<>();
        for (JsonNode r : list) {
            if (out.size() == MAX_RANGES_SHOWN) {
                out.add("… " + (list.size() - MAX_RANGES_SHOWN) + " more");
                break;
            }
            out.add(range(r));
        }
        return String.join(" ", out);
    }

    private static String allRanges(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(r -> out.add(range(r)));
        return String.join(" ", out);
    }

    private static String range(JsonNode r) {
        long a = r.path("first").asLong();
        long b = r.path("last").asLong();
        return a == b ? Long.toString(a) : a + ".." + b;
    }

    private static String shortTime(String iso) {
        return iso.length() > 19 ? iso.substring(0, 19) + "Z" : iso;
    }

    /** Text of a field ("" when absent or null); the node writes times as ISO-8601 text. */
    private static String text(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? "" : n.asText();
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
