package io.ipdrsp.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.simulator.Ledger;
import io.ipdrsp.simulator.RangeSet;
import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.Receipt;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.StorageConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The soak's verdict, per document and per DSN, after the CMTSes stopped: waits until the audit has every document
 * the ledger sent records of FINAL (or the wait ends), then reads every stored record version with its receipts
 * ({@code record_versions}) and the recorded conflicts, and compares:
 * <ul>
 * <li><b>lost</b>: DSNs a node acknowledged that no version holds; <b>unexpected</b>: stored DSNs (or documents)
 *     the CMTS never sent; <b>conflicts</b>: DSNs with more than one version, plus {@code record_conflicts} rows;</li>
 * <li><b>duplicates removed</b> by the rule of docs/audit.md computed from the ledger: per DSN, the sends beyond
 *     the first minus the sends whose write never landed (a node's sends of it without a receipt of that node —
 *     allowed only where that node never acknowledged it); against the audit's figure per document. A receipt
 *     without a send to that node counts as a problem;</li>
 * <li><b>failovers</b>: the ledger's changes of collector between data-carrying stretches against the audit's.</li>
 * </ul>
 */
final class SoakCheck {
    /** One stored DSN: how many versions, and the nodes of their receipts. */
    private static final class Stored {
        int versions;
        final Map<String, Integer> receipts = new HashMap<>(4);
    }

    record Verdict(int documents, int notFinal, long sent, long acked, long lost, long unexpected, long conflicts,
                   long auditIntegrity, long duplicatesAudit, long duplicatesRule, long resentBeyondFirst,
                   long sendsNotLanded, int duplicateMismatches, long failoversLedger, long failoversAudit,
                   List<RecordKey> failoverMismatches, List<String> problems) {
    }

    private SoakCheck() {
    }

    static Verdict run(CassandraServer cassandra, String keyspace, Ledger ledger, Duration finalizeWait)
            throws InterruptedException {
        List<Ledger.Document> docs = ledger.documents().stream().filter(d -> !d.sent().isEmpty()).toList();
        Map<RecordKey, AuditRow> audit = awaitFinal(cassandra, keyspace, docs, finalizeWait);
        try (CqlSession cql = CqlSession.builder().addContactPoint(cassandra.contactPoint())
                .withLocalDatacenter(cassandra.localDatacenter()).build()) {
            Map<RecordKey, Map<Long, Stored>> stored = stored(cql, keyspace);
            long conflictRows = cql.execute("SELECT count(*) FROM " + keyspace + ".record_conflicts").one().getLong(0);
            Verdict v = compare(docs, audit, stored, conflictRows);
            v.failoverMismatches().stream().limit(3).forEach(k -> printSegments(cql, keyspace, k));
            return v;
        }
    }

    private static Verdict compare(List<Ledger.Document> docs, Map<RecordKey, AuditRow> audit,
                                   Map<RecordKey, Map<Long, Stored>> stored, long conflictRows) {
        List<String> problems = new ArrayList<>();
        int notFinal = 0, mismatches = 0;
        long sent = 0, acked = 0, lost = 0, unexpected = 0, conflicts = conflictRows, integrity = 0;
        long dupAudit = 0, dupRule = 0, beyond = 0, notLanded = 0, foLedger = 0, foAudit = 0;
        Set<RecordKey> known = new java.util.HashSet<>();
        List<RecordKey> failoverMismatches = new ArrayList<>();
        for (Ledger.Document d : docs) {
            RecordKey key = key(d);
            known.add(key);
            Map<Long, Stored> have = stored.getOrDefault(key, Map.of());
            sent += d.sent().count();
            acked += d.acked().count();
            RangeSet lostHere = new RangeSet();
            forEach(d.acked(), dsn -> {
                if (!have.containsKey(dsn)) {
                    lostHere.add(dsn);
                }
            });
            lost += note(problems, lostHere, d, "acknowledged, not stored");
            RangeSet phantom = new RangeSet();
            have.forEach((dsn, s) -> {
                if (!d.sent().contains(dsn)) {
                    phantom.add(dsn);
                }
            });
            unexpected += note(problems, phantom, d, "stored, never sent");
            long[] rule = duplicatesRule(d, have, problems);
            beyond += rule[0];
            notLanded += rule[1];
            dupRule += rule[0] - rule[1];
            conflicts += have.values().stream().filter(s -> s.versions > 1).count();
            long ledgerFailovers = landedFailovers(d, have);
            foLedger += ledgerFailovers;
            AuditRow row = audit.get(key);
            if (row == null || !"FINAL".equals(row.state())) {
                notFinal++;
                problems.add(key + " not final: " + (row == null ? "no audit row" : row.state() + " " + row.verdict()));
                continue;
            }
            dupAudit += row.duplicates();
            foAudit += row.failovers();
            integrity += row.integrityConflicts();
            if (row.duplicates() != rule[0] - rule[1]) {
                mismatches++;
                problems.add(String.format("%s: audit duplicates %d, rule %d (sends beyond the first %d, not landed "
                        + "%d)", key, row.duplicates(), rule[0] - rule[1], rule[0], rule[1]));
            }
            if (row.failovers() != ledgerFailovers) {
                failoverMismatches.add(key);
                problems.add(String.format("%s: audit failovers %d, ledger %d; the ledger's stretches: %s", key,
                        row.failovers(), ledgerFailovers, stretches(d, have)));
            }
        }
        for (RecordKey k : stored.keySet()) {
            if (!known.contains(k)) {
                unexpected += stored.get(k).size();
                problems.add("stored document the ledger never sent records of: " + k);
            }
        }
        return new Verdict(docs.size(), notFinal, sent, acked, lost, unexpected, conflicts, integrity, dupAudit,
                dupRule, beyond, notLanded, mismatches, foLedger, foAudit, failoverMismatches, problems);
    }

    /**
     * {sends beyond the first, sends not landed} of a document: per DSN, the ledger's sends per collector against
     * the receipts of that node.
     */
    private static long[] duplicatesRule(Ledger.Document d, Map<Long, Stored> have, List<String> problems) {
        long[] out = new long[2];
        List<Ledger.Start> stretches = d.starts().stream().filter(s -> !s.sent().isEmpty()).toList();
        forEach(d.sent(), dsn -> {
            Map<String, Integer> sentTo = new HashMap<>(4);
            for (Ledger.Start s : stretches) {
                if (s.sent().contains(dsn)) {
                    sentTo.merge(s.collector(), 1, Integer::sum);
                }
            }
            Stored s = have.get(dsn);
            Map<String, Integer> heldBy = s == null ? Map.of() : s.receipts;
            out[0] += Math.max(0, sentTo.values().stream().mapToInt(Integer::intValue).sum() - 1);
            sentTo.forEach((node, n) -> {
                int missing = n - heldBy.getOrDefault(node, 0);
                RangeSet ackedBy = d.ackedBy().get(node);
                if (missing > 0 && heldBy.getOrDefault(node, 0) == 0 && ackedBy != null && ackedBy.contains(dsn)) {
                    problems.add(String.format("%s DSN %d: acknowledged by %s, no receipt of it", key(d), dsn, node));
                }
                out[1] += Math.max(0, missing);
            });
            heldBy.forEach((node, n) -> {
                if (n > sentTo.getOrDefault(node, 0)) {
                    problems.add(String.format("%s DSN %d: %d receipt(s) of %s, sent to it %d time(s)", key(d), dsn,
                            n, node, sentTo.getOrDefault(node, 0)));
                }
            });
        });
        return out;
    }

    /**
     * The ledger's failovers as the audit can see them: changes of collector between consecutive stretches whose data
     * reached storage (at least one DSN sent in the stretch holds a receipt of its collector). A stretch whose writes
     * never landed (the node was killed first) left no data for the audit to count (docs/audit.md "Duplicates removed:
     * the rule", the same allowance).
     */
    private static long landedFailovers(Ledger.Document d, Map<Long, Stored> have) {
        long n = 0;
        String last = null;
        for (Ledger.Start s : d.starts()) {
            if (landed(s, have)) {
                n += last != null && !last.equals(s.collector()) ? 1 : 0;
                last = s.collector();
            }
        }
        return n;
    }

    /** The ledger's stretches of a document: collector, primary flag, firstRecordSequenceNumber, DSNs sent. */
    private static String stretches(Ledger.Document d, Map<Long, Stored> have) {
        List<String> out = new ArrayList<>();
        for (Ledger.Start s : d.starts()) {
            out.add(String.format("%s%s first %d sent %s%s", s.collector(), s.primary() ? " primary" : "",
                    s.firstRecordSequenceNumber(), s.sent(), landed(s, have) ? " (landed)" : ""));
        }
        return String.join("; ", out);
    }

    /** The audit's view of a document whose failovers differ: its segments as the nodes wrote them. */
    private static void printSegments(CqlSession cql, String keyspace, RecordKey k) {
        System.out.println("  segments of " + k + ":");
        for (Row r : cql.execute("SELECT started_at, node, is_primary, first_record_seq, highest_seq, stopped_at, "
                + "stop_reason_code FROM " + keyspace + ".segments WHERE exporter = ? AND session_id = ? AND "
                + "document_id = ? AND boot_time = ?", k.exporter(), k.sessionId(), k.documentId(), k.bootTime())) {
            System.out.printf("    %s %s primary=%s first=%d highest=%s stopped=%s reason=%s%n", r.getInstant(0),
                    r.getString(1), r.getBoolean(2), r.getLong(3), r.isNull(4) ? "null" : r.getLong(4),
                    r.getInstant(5), r.isNull(6) ? "-" : r.getInt(6));
        }
    }

    private static boolean landed(Ledger.Start s, Map<Long, Stored> have) {
        for (long[] r : s.sent().ranges()) {
            for (long dsn = r[0]; dsn <= r[1]; dsn++) {
                Stored st = have.get(dsn);
                if (st != null && st.receipts.containsKey(s.collector())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static long note(List<String> problems, RangeSet dsns, Ledger.Document d, String what) {
        if (!dsns.isEmpty()) {
            problems.add(key(d) + ": " + what + ": " + dsns);
        }
        return dsns.count();
    }

    private static void forEach(RangeSet set, java.util.function.LongConsumer action) {
        for (long[] r : set.ranges()) {
            for (long dsn = r[0]; dsn <= r[1]; dsn++) {
                action.accept(dsn);
            }
        }
    }

    /** Every stored version: document → DSN → versions and receipts. */
    private static Map<RecordKey, Map<Long, Stored>> stored(CqlSession cql, String keyspace) {
        Map<RecordKey, Map<Long, Stored>> out = new HashMap<>();
        for (Row row : cql.execute(SimpleStatement.newInstance("SELECT exporter, session_id, document_id, boot_time, "
                + "seq, receipts FROM " + keyspace + ".record_versions").setPageSize(5000)
                .setTimeout(Duration.ofSeconds(60)))) {
            RecordKey k = new RecordKey(row.getString(0), row.getInt(1), row.getUuid(2), row.getLong(3));
            Stored s = out.computeIfAbsent(k, x -> new HashMap<>()).computeIfAbsent(row.getLong(4), x -> new Stored());
            s.versions++;
            for (String cell : row.getSet(5, String.class)) {
                s.receipts.merge(Receipt.parse(cell).receipt().node(), 1, Integer::sum);
            }
        }
        return out;
    }

    /** Polls the audit until every document is FINAL or the wait is over; the rows last read. */
    private static Map<RecordKey, AuditRow> awaitFinal(CassandraServer cassandra, String keyspace,
                                                       List<Ledger.Document> docs, Duration wait)
            throws InterruptedException {
        TreeSet<String> exporters = new TreeSet<>();
        docs.forEach(d -> exporters.add(d.cmts()));
        StorageConfig config = StorageConfig.defaults(List.of(cassandra.contactPoint()), cassandra.localDatacenter(),
                keyspace).withRequestTimeout(Duration.ofSeconds(10));
        Instant now = Instant.now();
        try (CassandraStorage storage = CassandraStorage.open(config)) {
            long t0 = System.nanoTime();
            long deadline = t0 + wait.toNanos();
            while (true) {
                Map<RecordKey, AuditRow> rows = new HashMap<>();
                for (String e : exporters) {
                    for (AuditRow r : storage.audit().auditByDay(e, now.minus(Duration.ofHours(3)),
                            now.plus(Duration.ofHours(1)))) {
                        rows.put(r.key(), r);
                    }
                }
                long open = docs.stream().filter(d -> rows.get(key(d)) == null
                        || !"FINAL".equals(rows.get(key(d)).state())).count();
                if (open == 0 || System.nanoTime() > deadline) {
                    System.out.printf("audit: %d of %d documents final %.0f s after the CMTSes stopped%n",
                            docs.size() - open, docs.size(), (System.nanoTime() - t0) / 1e9);
                    return rows;
                }
                Thread.sleep(3_000);
            }
        }
    }

    static RecordKey key(Ledger.Document d) {
        return new RecordKey(d.cmts(), d.sessionId(), UUID.fromString(d.documentId()), d.exporterBootTime());
    }
}
