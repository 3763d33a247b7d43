package io.ipdrsp.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ipdrsp.simulator.Ledger;
import io.ipdrsp.simulator.RangeSet;
import io.ipdrsp.storage.Receipt;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A document's audit row ({@code GET /api/audit}) against what the simulated CMTS did (its ledger) and the receipts
 * Cassandra holds, by the rules of docs/audit.md: held = the records the CMTS delivered, duplicates removed = receipts
 * − versions, failovers = changes of collector between data-carrying stretches, missing = what the ledger says was
 * dropped and never sent.
 */
public final class AuditCheck {
    /** The ledger's expectations for one document, with how they were derived (printed). */
    record Expected(long held, long sends, long sendsBeyondFirst, long sendsNotLanded, long duplicates,
                    long handOffs, long dataHandOffs, RangeSet missing, long declaredReceived) {
        @Override
        public String toString() {
            return String.format("held %d; sends %d (beyond the first %d, never durable %d) -> duplicates %d; "
                            + "hand-offs %d (moving data to another collector %d); missing %s, declared received %d",
                    held, sends, sendsBeyondFirst, sendsNotLanded, duplicates, handOffs, dataHandOffs, missing,
                    declaredReceived);
        }
    }

    private AuditCheck() {
    }

    /** The documents of {@code cmts} in the audit report of {@code node} (documents started within the last hour). */
    static JsonNode documents(NodeProcess node, String cmts) {
        Instant now = Instant.now();
        JsonNode report = node.getJson(node.apiPort, "/api/audit?cmts=" + cmts + "&from=" + now.minusSeconds(3600)
                + "&to=" + now.plusSeconds(600));
        return report.path("exporters").path(0).path("documentList");
    }

    /** Waits until the audit lists {@code count} documents of {@code cmts}, all FINAL; returns them. */
    static JsonNode awaitFinal(NodeProcess node, String cmts, int count, Duration timeout) throws InterruptedException {
        JsonNode[] docs = {null};
        try {
            ClusterFixture.await(cmts + ": " + count + " final document(s) in the audit", timeout, () -> {
                docs[0] = documents(node, cmts);
                boolean all = docs[0].size() == count;
                for (JsonNode d : docs[0]) {
                    all &= d.path("state").asText().equals("FINAL");
                }
                return all;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen: " + docs[0], e);
        }
        return docs[0];
    }

    /**
     * What the audit must say of {@code d}, from the ledger, checking the receipts against it on the way: every
     * receipt is a send the ledger recorded to that node (no node holds a record it was not sent, or twice under one
     * stretch), and a send without a receipt was never acknowledged by that node (it died, froze or was cut first:
     * docs/storage.md "what this does not count").
     *
     * @param receipts DSN → receipts of the document's stored versions
     */
    static Expected expected(Ledger.Document d, Map<Long, List<Receipt>> receipts) {
        List<Ledger.Start> stretches = d.starts().stream().filter(s -> !s.sent().isEmpty()).toList();
        long sends = 0;
        long beyondFirst = 0;
        long notLanded = 0;
        List<String> problems = new ArrayList<>();
        for (long[] r : d.sent().ranges()) {
            for (long dsn = r[0]; dsn <= r[1]; dsn++) {
                Map<String, Integer> sentTo = new HashMap<>();
                for (Ledger.Start s : stretches) {
                    if (s.sent().contains(dsn)) {
                        sentTo.merge(s.collector(), 1, Integer::sum);
                    }
                }
                Map<String, Integer> heldBy = new HashMap<>();
                for (Receipt rc : receipts.getOrDefault(dsn, List.of())) {
                    heldBy.merge(rc.node(), 1, Integer::sum);
                }
                int n = sentTo.values().stream().mapToInt(Integer::intValue).sum();
                sends += n;
                beyondFirst += n - 1;
                for (Map.Entry<String, Integer> e : heldBy.entrySet()) {
                    if (e.getValue() > sentTo.getOrDefault(e.getKey(), 0)) {
                        problems.add(String.format("DSN %d: %d receipt(s) of %s, sent to it %d time(s)", dsn,
                                e.getValue(), e.getKey(), sentTo.getOrDefault(e.getKey(), 0)));
                    }
                }
                for (Map.Entry<String, Integer> e : sentTo.entrySet()) {
                    int missing = e.getValue() - heldBy.getOrDefault(e.getKey(), 0);
                    RangeSet acked = d.ackedBy().get(e.getKey());
                    if (missing > 0 && acked != null && acked.contains(dsn) && heldBy.getOrDefault(e.getKey(), 0) == 0) {
                        problems.add(String.format("DSN %d: acknowledged by %s, no receipt of it", dsn, e.getKey()));
                    }
                    notLanded += Math.max(0, missing);
                }
            }
        }
        assertThat(problems).as("%s/%d %s: receipts vs the ledger's sends", d.cmts(), d.sessionId(), d.documentId())
                .isEmpty();
        RangeSet missing = new RangeSet();
        long declaredReceived = 0;
        for (long[] r : d.droppedDeclared().ranges()) {
            for (long[] gap : d.sent().missingIn(r[0], r[1]).ranges()) {
                missing.add(gap[0], gap[1]);
            }
            declaredReceived += (r[1] - r[0] + 1) - d.sent().missingIn(r[0], r[1]).count();
        }
        return new Expected(d.sent().count(), sends, beyondFirst, notLanded, beyondFirst - notLanded, d.handOffs(),
                dataHandOffs(stretches), missing, declaredReceived);
    }

    /** Changes of collector between consecutive stretches that carried data (the audit's failovers). */
    private static long dataHandOffs(List<Ledger.Start> stretches) {
        long n = 0;
        for (int i = 1; i < stretches.size(); i++) {
            n += stretches.get(i).collector().equals(stretches.get(i - 1).collector()) ? 0 : 1;
        }
        return n;
    }

    /** The row of {@code d} in {@code rows}; it must be the only one with its documentId and boot time. */
    static JsonNode row(JsonNode rows, Ledger.Document d) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode r : rows) {
            if (r.path("documentId").asText().equals(d.documentId()) && r.path("bootTime").asLong()
                    == d.exporterBootTime()) {
                found.add(r);
            }
        }
        assertThat(found).as("%s: audit rows of document %s boot %d in %s", d.cmts(), d.documentId(),
                d.exporterBootTime(), rows).hasSize(1);
        return found.get(0);
    }

    /** Asserts the row against the expectations; {@code verdict} is the one the ledger calls for. */
    static void matches(JsonNode row, Ledger.Document d, Expected e, String verdict) {
        String what = d.cmts() + " " + d.documentId() + " (" + e + ")";
        System.out.printf("AUDIT %s: %s held %d duplicates %d failovers %d missing %s | ledger: %s%n", d.cmts(),
                row.path("verdict").asText(), row.path("recordsHeld").asLong(), row.path("duplicates").asLong(),
                row.path("failovers").asInt(), row.path("missing"), e);
        assertThat(row.path("state").asText()).as(what).isEqualTo("FINAL");
        assertThat(row.path("verdict").asText()).as(what).isEqualTo(verdict);
        assertThat(row.path("recordsHeld").asLong()).as("held: %s", what).isEqualTo(e.held());
        assertThat(row.path("duplicates").asLong()).as("duplicates removed: %s", what).isEqualTo(e.duplicates());
        assertThat(row.path("failovers").asLong()).as("failovers: %s", what).isEqualTo(e.dataHandOffs());
        assertThat(ranges(row.path("missing"))).as("missing: %s", what).isEqualTo(ranges(e.missing()));
        assertThat(row.path("unexplainedCount").asLong()).as("unexplained: %s", what).isZero();
        assertThat(row.path("declaredDrops").asLong()).as("declared: %s", what).isEqualTo(d.declaredDropCount());
        assertThat(row.path("declaredReceived").asLong()).as("declared received: %s", what)
                .isEqualTo(e.declaredReceived());
        assertThat(row.path("integrityConflicts").asLong()).as(what).isZero();
    }

    /** Ranges as [[first, last], ...], comparable with {@link #ranges(JsonNode)}. */
    public static List<List<Long>> ranges(RangeSet s) {
        List<List<Long>> out = new ArrayList<>();
        for (long[] r : s.ranges()) {
            out.add(List.of(r[0], r[1]));
        }
        return out;
    }

    /** An audit JSON range list ({@code [{first, last, ...}]}) as [[first, last], ...]. */
    public static List<List<Long>> ranges(JsonNode array) {
        List<List<Long>> out = new ArrayList<>();
        array.forEach(r -> out.add(List.of(r.get("first").asLong(), r.get("last").asLong())));
        return out;
    }
}
