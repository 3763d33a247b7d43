package io.ipdrsp.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.ipdrsp.simulator.Ledger;
import io.ipdrsp.simulator.RangeSet;
import io.ipdrsp.storage.Receipt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The simulator's ledger against what Cassandra holds, plus the nodes' own counters:
 * <ul>
 * <li>every acknowledged DSN of every document is stored, and exactly one row holds it (one version: a second row
 *     would be differing bytes for the same DSN);</li>
 * <li>nothing is stored that the exporter never sent (no phantom documents or DSNs);</li>
 * <li>once the fleet is drained, every deliverable record (generated − declared drops − silent losses) is stored;</li>
 * <li>the duplicates the nodes counted cover the records the CMTSes re-sent with the D flag;</li>
 * <li>rows written by the nodes minus rows stored (re-writes) never exceed the duplicates they counted;</li>
 * <li>no integrity alarm: the {@code integrity_conflicts} and {@code record_conflicts} tables (those the schema has)
 *     are empty and the nodes' {@value #INTEGRITY_METRIC} is 0.</li>
 * </ul>
 * It reads every row of the record tables (a few thousand per scenario): {@code record_versions} (one row per stored
 * version) and the pre-version {@code records}, whichever exist, so it works with any bucketing and with either
 * sequence column name ({@code dsn}, {@code seq}).
 */
final class LedgerCheck {
    static final String STORED_METRIC = "ipdr_records_stored_total";
    static final String DUPLICATES_METRIC = "ipdr_records_duplicates_total";
    static final String INTEGRITY_METRIC = "ipdr_integrity_alarms_total";

    record DocKey(String exporter, int sessionId, UUID documentId, long bootTime) {
    }

    /** What the comparison found; printed by every scenario. */
    record Result(long documents, long acked, long rows, long resentWithD, long resentWithoutD, long droppedDeclared,
                  long lostSilently, double nodesStored, double nodesDuplicates, double integrityAlarms,
                  boolean integrityMetricExported, long integrityRows) {
        @Override
        public String toString() {
            return String.format("ledger: %d documents, %d acked, %d re-sent with D, %d re-sent without D, %d dropped "
                            + "(declared), %d lost silently | Cassandra: %d rows, %d integrity conflicts | nodes: %.0f "
                            + "stored, %.0f duplicates, integrity alarms %s", documents, acked, resentWithD, resentWithoutD,
                    droppedDeclared, lostSilently, rows, integrityRows, nodesStored, nodesDuplicates,
                    integrityMetricExported ? String.format("%.0f", integrityAlarms) : "not exported");
        }
    }

    private final CqlSession cql;
    private final String keyspace;

    LedgerCheck(CqlSession cql, String keyspace) {
        this.cql = cql;
        this.keyspace = keyspace;
    }

    /**
     * @param drained          the fleet was drained (every generated record acked, dropped or lost), so deliverable
     *                         records must all be stored
     * @param countersComplete no node was SIGKILLed, so the nodes' stored counters cover every write
     */
    Result verify(Ledger ledger, List<NodeProcess> nodes, boolean drained, boolean countersComplete) {
        // the CMTSes of this ledger: an earlier fleet of the same test class may have stored others
        java.util.Set<String> cmtses = new java.util.HashSet<>();
        ledger.documents().forEach(d -> cmtses.add(d.cmts()));
        Map<DocKey, Map<Long, Integer>> stored = storedRows();
        stored.keySet().removeIf(k -> !cmtses.contains(k.exporter()));
        long rows = stored.values().stream().mapToLong(m -> m.values().stream().mapToLong(Integer::longValue).sum())
                .sum();
        List<String> problems = new ArrayList<>();
        long acked = 0;
        long resentD = 0;
        long resentNoD = 0;
        long dropped = 0;
        long lost = 0;
        Map<DocKey, Ledger.Document> known = new HashMap<>();
        for (Ledger.Document d : ledger.documents()) {
            DocKey key = new DocKey(d.cmts(), d.sessionId(), UUID.fromString(d.documentId()), d.exporterBootTime());
            known.put(key, d);
            Map<Long, Integer> have = stored.getOrDefault(key, Map.of());
            acked += d.acked().count();
            resentD += d.resentWithDuplicateFlag().count();
            resentNoD += d.resentWithoutDuplicateFlag().count();
            dropped += d.droppedDeclared().count();
            lost += d.lostSilently().count();
            RangeSet missingAcked = missing(d.acked(), have);
            if (!missingAcked.isEmpty()) {
                problems.add(String.format("%s/%d %s: acknowledged but not stored: %s (acked %s, %d rows)", d.cmts(),
                        d.sessionId(), d.documentId(), missingAcked, d.acked(), have.size()));
            }
            if (drained) {
                RangeSet lostByCollector = missing(d.deliverable(), have);
                if (!lostByCollector.isEmpty()) {
                    problems.add(String.format("%s/%d %s: deliverable but not stored: %s", d.cmts(), d.sessionId(),
                            d.documentId(), lostByCollector));
                }
            }
            RangeSet phantom = new RangeSet();
            have.forEach((dsn, n) -> {
                if (!d.sent().contains(dsn)) {
                    phantom.add(dsn);
                }
            });
            if (!phantom.isEmpty()) {
                problems.add(String.format("%s/%d %s: stored but never sent: %s", d.cmts(), d.sessionId(),
                        d.documentId(), phantom));
            }
            have.forEach((dsn, n) -> {
                if (n > 1) {
                    problems.add(String.format("%s/%d %s: DSN %d stored in %d rows", d.cmts(), d.sessionId(),
                            d.documentId(), dsn, n));
                }
            });
        }
        for (DocKey k : stored.keySet()) {
            if (!known.containsKey(k)) {
                problems.add("stored document the exporter never opened: " + k);
            }
        }
        double nodesStored = nodes.stream().mapToDouble(n -> n.counterTotal(STORED_METRIC)).sum();
        double nodesDup = nodes.stream().mapToDouble(n -> n.counterTotal(DUPLICATES_METRIC)).sum();
        boolean integrityExported = nodes.stream().filter(NodeProcess::isAlive).anyMatch(n -> n.exports(INTEGRITY_METRIC));
        double integrity = nodes.stream().mapToDouble(n -> n.counterTotal(INTEGRITY_METRIC)).sum();
        long integrityRows = integrityConflictRows();
        Result r = new Result(known.size(), acked, rows, resentD, resentNoD, dropped, lost, nodesStored, nodesDup,
                integrity, integrityExported, integrityRows);
        System.out.println(r);

        assertThat(problems).as("ledger vs Cassandra (%s)", r).isEmpty();
        assertThat(acked).as("the scenario acknowledged records at all").isPositive();
        assertThat(nodesDup).as("duplicates counted by the nodes cover the records re-sent with the D flag (%s)", r)
                .isGreaterThanOrEqualTo(resentD);
        if (countersComplete) {
            assertThat(nodesStored).as("writes counted by the nodes cover every stored row (%s)", r)
                    .isGreaterThanOrEqualTo(rows);
            assertThat(nodesStored - rows).as("re-writes of a stored record only happen for duplicates (%s)", r)
                    .isLessThanOrEqualTo(nodesDup);
        }
        assertThat(integrityRows).as("rows in %s.integrity_conflicts and record_conflicts", keyspace).isZero();
        assertThat(integrity).as("integrity alarms raised by the nodes").isZero();
        return r;
    }

    private static RangeSet missing(RangeSet wanted, Map<Long, Integer> have) {
        RangeSet out = new RangeSet();
        for (long[] r : wanted.ranges()) {
            for (long dsn = r[0]; dsn <= r[1]; dsn++) {
                if (!have.containsKey(dsn)) {
                    out.add(dsn);
                }
            }
        }
        return out;
    }

    /** Every row of the record tables: document → DSN → number of rows (versions) holding it. */
    Map<DocKey, Map<Long, Integer>> storedRows() {
        Map<DocKey, Map<Long, Integer>> out = new HashMap<>();
        for (String table : List.of("record_versions", "records")) {
            String seq = sequenceColumn(table);
            if (seq == null) {
                continue;
            }
            for (Row row : cql.execute(SimpleStatement.newInstance("SELECT exporter, session_id, document_id, "
                    + "boot_time, " + seq + " FROM " + keyspace + "." + table).setPageSize(5000))) {
                DocKey k = new DocKey(row.getString(0), row.getInt(1), row.getUuid(2), row.getLong(3));
                out.computeIfAbsent(k, x -> new HashMap<>()).merge(row.getLong(4), 1, Integer::sum);
            }
        }
        return out;
    }

    /**
     * The receipts of every stored version ({@code record_versions.receipts}, docs/storage.md "Duplicates removed"):
     * document → DSN → one receipt per node and stretch that durably received it, over all its versions.
     */
    Map<DocKey, Map<Long, List<Receipt>>> receipts() {
        Map<DocKey, Map<Long, List<Receipt>>> out = new HashMap<>();
        for (Row row : cql.execute(SimpleStatement.newInstance("SELECT exporter, session_id, document_id, boot_time, "
                + "seq, receipts FROM " + keyspace + ".record_versions").setPageSize(5000))) {
            DocKey k = new DocKey(row.getString(0), row.getInt(1), row.getUuid(2), row.getLong(3));
            List<Receipt> list = out.computeIfAbsent(k, x -> new HashMap<>())
                    .computeIfAbsent(row.getLong(4), x -> new ArrayList<>());
            for (String cell : row.getSet(5, String.class)) {
                list.add(Receipt.parse(cell).receipt());
            }
        }
        return out;
    }

    long rowCount() {
        return storedRows().values().stream().mapToLong(Map::size).sum();
    }

    /** The sequence column of {@code table}, or null when the keyspace has no such table. */
    private String sequenceColumn(String table) {
        List<String> cols = new ArrayList<>();
        for (Row r : cql.execute("SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND "
                + "table_name = ?", keyspace, table)) {
            cols.add(r.getString(0));
        }
        if (cols.contains("seq")) {
            return "seq";
        }
        return cols.contains("dsn") ? "dsn" : null;
    }

    private long integrityConflictRows() {
        long rows = 0;
        for (String table : List.of("integrity_conflicts", "record_conflicts")) {
            boolean exists = cql.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND "
                    + "table_name = ?", keyspace, table).one() != null;
            rows += exists ? cql.execute("SELECT count(*) FROM " + keyspace + "." + table).one().getLong(0) : 0;
        }
        return rows;
    }
}
