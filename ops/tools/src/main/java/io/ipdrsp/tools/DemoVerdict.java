package io.ipdrsp.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.ipdrsp.launcher.NodeJvm;
import io.ipdrsp.simulator.Ledger;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/** The end of the demo: the audit's verdicts (asked over HTTP) against the simulator's ledger, PASS or FAIL. */
final class DemoVerdict {
    private final PrintStream out;
    private final Consumer<String> say;

    DemoVerdict(PrintStream out, Consumer<String> say) {
        this.out = out;
        this.say = say;
    }

    /** Polls the audit until every document the CMTSes sent records for is listed and none is OPEN. */
    JsonNode awaitVerdicts(NodeJvm auditor, Ledger ledger, Instant from, Instant to) throws InterruptedException {
        String path = "/api/audit?from=" + enc(from.toString()) + "&to=" + enc(to.toString());
        // documents the collectors can know of: some records were sent (after a drain, every generated one was)
        long expectedDocs = ledger.documents().stream().filter(d -> !d.sent().isEmpty()).count();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonNode last = null;
        String lastLine = "";
        while (System.nanoTime() < deadline) {
            Optional<JsonNode> r = DemoCluster.json(auditor, path);
            if (r.isPresent()) {
                last = r.get();
                int docs = 0;
                int open = 0;
                for (JsonNode e : last.path("exporters")) {
                    for (JsonNode d : e.path("documentList")) {
                        docs++;
                        if ("OPEN".equals(d.path("verdict").asText())) {
                            open++;
                        }
                    }
                }
                String line = "audit: " + docs + " documents, " + open + " still open (the CMTSes sent records in "
                        + expectedDocs + ")";
                if (!line.equals(lastLine)) {
                    say.accept(line);
                    lastLine = line;
                }
                if (open == 0 && docs >= expectedDocs) {
                    return last;
                }
            }
            Thread.sleep(2000);
        }
        if (last == null) {
            throw new DemoRun.DemoFailure(auditor.id() + " did not answer GET " + path);
        }
        say.accept("some documents are still open after 120 s");
        return last;
    }

    /** Compares the audit with the simulator's ledger and prints the outcome; the exit status. */
    int verdict(Ledger ledger, JsonNode report) {
        Map<String, JsonNode> audited = new LinkedHashMap<>();
        long held = 0;
        long duplicates = 0;
        long failovers = 0;
        Map<String, Integer> byVerdict = new TreeMap<>();
        for (JsonNode e : report.path("exporters")) {
            duplicates += e.path("duplicatesRemoved").asLong();
            failovers += e.path("failovers").asLong();
            for (JsonNode d : e.path("documentList")) {
                audited.put(docKey(d.path("exporter").asText(), d.path("sessionId").asInt(),
                        d.path("documentId").asText()), d);
                held += d.path("recordsHeld").asLong();
                byVerdict.merge(d.path("verdict").asText(), 1, Integer::sum);
            }
        }
        long deliverable = 0;
        long acked = 0;
        long resent = 0;
        long distinctSent = 0;
        int documents = 0;
        List<String> problems = new ArrayList<>();
        for (Ledger.Document d : ledger.documents()) {
            long want = d.deliverable().count();
            deliverable += want;
            acked += d.acked().count();
            resent += d.resentWithDuplicateFlag().count() + d.resentWithoutDuplicateFlag().count();
            distinctSent += d.sent().count();
            if (want == 0) {
                continue;
            }
            documents++;
            JsonNode a = audited.get(docKey(d.cmts(), d.sessionId(), d.documentId()));
            if (a == null) {
                problems.add(d.cmts() + " document " + d.documentId() + ": not in the audit");
            } else if (a.path("recordsHeld").asLong() != want) {
                problems.add(d.cmts() + " document " + d.documentId() + ": the CMTS delivered " + want
                        + " records, the audit holds " + a.path("recordsHeld").asLong());
            }
        }
        for (Map.Entry<String, JsonNode> e : audited.entrySet()) {
            String v = e.getValue().path("verdict").asText();
            if (!v.equals("COMPLETE") && !v.equals("COMPLETE_WITH_DECLARED_DROPS")) {
                problems.add(e.getKey() + ": verdict " + v);
            }
        }
        if (held != deliverable) {
            problems.add("the audit holds " + held + " records in total, the ledger says " + deliverable);
        }
        out.println("===== ledger (what the simulated CMTSes sent) vs audit (what the collectors hold)");
        // a DSN can be re-sent more than once (again at fail-back if still unacknowledged): every send after the
        // first that reached a collector holding the record is a duplicate it removes
        out.printf("  ledger: %d documents with records, %,d records to deliver, %,d acknowledged, %,d re-sent after "
                + "a hand-off (%,d sends beyond the first)%n", documents, deliverable, acked, resent,
                ledger.totalSent() - distinctSent);
        out.printf("  audit : %d documents %s, %,d records held, %,d duplicates removed, %d failovers%n",
                audited.size(), byVerdict, held, duplicates, failovers);
        if (problems.isEmpty()) {
            out.printf("PASS: every document complete, every record stored exactly once (%,d = %,d), the kill -9 "
                    + "cost nothing%n", held, deliverable);
            return 0;
        }
        out.println("FAIL:");
        problems.stream().limit(20).forEach(p -> out.println("  " + p));
        return 1;
    }

    private static String docKey(String exporter, int session, String documentId) {
        return exporter + "/" + session + "/" + documentId.toLowerCase(Locale.ROOT);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
