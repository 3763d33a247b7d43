package io.ipdrsp.bench;

import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.simulator.Ledger;
import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.StorageConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * After the fleet stopped: waits until the node has finalized every document the fleet sent records of, reading the
 * audit summaries from Cassandra (the node's {@code audit_by_day}, through the storage module's public API), then
 * compares them with the ledger — records held = records sent for every document, every one COMPLETE — and measures
 * how fast each boundary's documents were finalized.
 */
final class FleetAudit {
    private static final String FINAL = "FINAL";

    private FleetAudit() {
    }

    /**
     * @param finalizedAfterBoundary per boundary: seconds from it to the finalization of each document it ended
     * @param allFinalSeconds        from the fleet's stop until every document was final (-1: not within the wait)
     */
    record Result(int documents, int finalized, int complete, int heldEqualsSent, long ledgerSent, long ledgerAcked,
                  long auditHeld, List<List<Long>> finalizedAfterBoundary, List<Long> boundaries, long graceSeconds,
                  double allFinalSeconds, List<String> firstProblems) {
        void print() {
            System.out.printf(Locale.ROOT, "ledger = audit: %d documents with records; %d final, %d COMPLETE, %d with "
                    + "records held = records sent; ledger sent %,d (acked %,d), audit held %,d%s%n", documents,
                    finalized, complete, heldEqualsSent, ledgerSent, ledgerAcked, auditHeld,
                    firstProblems.isEmpty() ? "" : "; first problems: " + String.join("; ", firstProblems));
            for (int i = 0; i < boundaries.size(); i++) {
                List<Long> f = finalizedAfterBoundary.get(i);
                long last = f.stream().mapToLong(Long::longValue).max().orElse(0);
                System.out.printf(Locale.ROOT, "finalization of boundary %s: %d documents, finalized p50/p99/max %s "
                        + "after it (grace %d s): %.0f documents/s after the grace%n",
                        Instant.ofEpochMilli(boundaries.get(i)), f.size(), FleetResult.percentiles(f), graceSeconds,
                        f.isEmpty() ? 0 : f.size() / Math.max(1.0, last / 1e3 - graceSeconds));
            }
            System.out.printf(Locale.ROOT, "every document final %s after the fleet stopped%n",
                    allFinalSeconds < 0 ? "NOT within the wait" : String.format(Locale.ROOT, "%.0f s", allFinalSeconds));
        }
    }

    static Result await(FleetOptions o, CassandraServer cassandra, String keyspace, List<Ledger.Document> docs,
                        List<Long> boundaries, long stoppedAtMillis) throws InterruptedException {
        List<Ledger.Document> expected = docs.stream().filter(d -> !d.sent().isEmpty()).toList();
        TreeSet<String> exporters = new TreeSet<>();
        expected.forEach(d -> exporters.add(d.cmts()));
        StorageConfig config = StorageConfig.defaults(List.of(cassandra.contactPoint()), cassandra.localDatacenter(),
                keyspace).withRequestTimeout(Duration.ofSeconds(10));
        Instant from = Instant.ofEpochMilli(stoppedAtMillis).minus(Duration.ofHours(2));
        Instant to = Instant.ofEpochMilli(stoppedAtMillis).plus(Duration.ofHours(1));
        try (CassandraStorage storage = CassandraStorage.open(config)) {
            long deadline = System.nanoTime() + o.finalizeWait().toNanos();
            Map<RecordKey, AuditRow> rows = Map.of();
            double allFinal = -1;
            while (System.nanoTime() < deadline) {
                rows = rows(storage, exporters, from, to);
                Map<RecordKey, AuditRow> seen = rows;
                long open = expected.stream().filter(d -> !isFinal(seen.get(key(d)))).count();
                if (open == 0) {
                    allFinal = (System.currentTimeMillis() - stoppedAtMillis) / 1e3;
                    break;
                }
                System.out.printf("  waiting for finalization: %d of %d documents not final yet%n", open,
                        expected.size());
                Thread.sleep(5_000);
            }
            return compare(o, expected, rows, boundaries, allFinal);
        }
    }

    private static Result compare(FleetOptions o, List<Ledger.Document> expected, Map<RecordKey, AuditRow> rows,
                                  List<Long> boundaries, double allFinal) {
        int finalized = 0, complete = 0, equal = 0;
        long sent = 0, acked = 0, held = 0;
        List<String> problems = new ArrayList<>();
        List<List<Long>> byBoundary = new ArrayList<>();
        boundaries.forEach(b -> byBoundary.add(new ArrayList<>()));
        for (Ledger.Document d : expected) {
            AuditRow r = rows.get(key(d));
            sent += d.sent().count();
            acked += d.acked().count();
            if (r == null) {
                problems.add(problems.size() < 5 ? "no audit row for " + key(d) : "");
                continue;
            }
            held += r.recordsHeld();
            finalized += isFinal(r) ? 1 : 0;
            complete += "COMPLETE".equals(r.verdict()) ? 1 : 0;
            if (r.recordsHeld() == d.sent().count()) {
                equal++;
            } else if (problems.size() < 5) {
                problems.add(key(d) + " held " + r.recordsHeld() + ", sent " + d.sent().count());
            }
            int b = endedAt(d, boundaries, o.interval().toMillis());
            if (b >= 0 && isFinal(r) && r.finalizedAt() != null) {
                byBoundary.get(b).add(r.finalizedAt().toEpochMilli() - boundaries.get(b));
            }
        }
        problems.removeIf(String::isEmpty);
        return new Result(expected.size(), finalized, complete, equal, sent, acked, held, byBoundary, boundaries,
                o.grace().toSeconds(), allFinal, problems);
    }

    /**
     * The boundary (index) that ended a time-interval document with SESSION_STOP 6: the boundary within an interval
     * after its first record was sent — documents are at most one interval long. -1 for others.
     */
    private static int endedAt(Ledger.Document d, List<Long> boundaries, long interval) {
        if (d.sessionId() > 2 || d.stopReason() == null || d.stopReason() != 6 || d.firstSentNanos() == 0) {
            return -1;
        }
        long sentWall = System.currentTimeMillis() - (System.nanoTime() - d.firstSentNanos()) / 1_000_000;
        for (int i = 0; i < boundaries.size(); i++) {
            if (sentWall < boundaries.get(i) && sentWall >= boundaries.get(i) - interval) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isFinal(AuditRow r) {
        return r != null && FINAL.equals(r.state());
    }

    private static RecordKey key(Ledger.Document d) {
        return new RecordKey(d.cmts(), d.sessionId(), java.util.UUID.fromString(d.documentId()), d.exporterBootTime());
    }

    private static Map<RecordKey, AuditRow> rows(CassandraStorage storage, TreeSet<String> exporters, Instant from,
                                                 Instant to) {
        Map<RecordKey, AuditRow> out = new HashMap<>();
        for (String e : exporters) {
            for (AuditRow r : storage.audit().auditByDay(e, from, to)) {
                out.put(r.key(), r);
            }
        }
        return out;
    }
}
