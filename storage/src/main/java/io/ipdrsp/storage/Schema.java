package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The versioned schema. Each migration is a list of idempotent statements ({@code IF NOT EXISTS}), applied in order
 * when its version is missing from {@code schema_version}; so re-running a half-applied migration is harmless. Later
 * issues append migrations (e.g. audit tables); never edit an applied one. See docs/storage.md for the reasons.
 */
final class Schema {
    static final String COMPONENT = "storage";

    record Migration(int version, String description, List<String> statements) {
    }

    static final String SCHEMA_VERSION_TABLE = """
            CREATE TABLE IF NOT EXISTS {ks}.schema_version (
              component text, version int, description text, applied_at timestamp, applied_by text,
              PRIMARY KEY (component, version))""";

    static final List<Migration> MIGRATIONS = List.of(new Migration(1, "records, documents, segments, templates", List.of(
            """
            CREATE TABLE IF NOT EXISTS {ks}.records (
              exporter text, session_id int, document_id uuid, boot_time bigint, bucket bigint, seq bigint,
              template_id int, config_id int, data blob, dup_flag boolean, received_by text, received_at timestamp,
              PRIMARY KEY ((exporter, session_id, document_id, boot_time, bucket), seq)
            ) WITH CLUSTERING ORDER BY (seq ASC)""",
            """
            CREATE TABLE IF NOT EXISTS {ks}.record_buckets (
              exporter text, session_id int, document_id uuid, boot_time bigint, bucket bigint,
              PRIMARY KEY ((exporter, session_id, document_id, boot_time), bucket)
            ) WITH CLUSTERING ORDER BY (bucket ASC)""",
            """
            CREATE TABLE IF NOT EXISTS {ks}.documents (
              exporter text, session_id int, document_id uuid, boot_time bigint,
              state text, started_at timestamp, first_seen timestamp, last_seen timestamp,
              verdict text, detail text, updated_by text, updated_at timestamp,
              PRIMARY KEY ((exporter, session_id, document_id, boot_time)))""",
            """
            CREATE TABLE IF NOT EXISTS {ks}.documents_by_time (
              exporter text, day int, started_at timestamp, session_id int, document_id uuid, boot_time bigint,
              PRIMARY KEY ((exporter, day), started_at, session_id, document_id, boot_time))""",
            """
            CREATE TABLE IF NOT EXISTS {ks}.segments (
              exporter text, session_id int, document_id uuid, boot_time bigint, started_at timestamp, node text,
              is_primary boolean, first_record_seq bigint, dropped_record_count bigint,
              ack_time_interval int, ack_sequence_interval int,
              stopped_at timestamp, stop_reason_code int, stop_reason_info text,
              PRIMARY KEY ((exporter, session_id, document_id, boot_time), started_at, node))""",
            """
            CREATE TABLE IF NOT EXISTS {ks}.templates (
              exporter text, session_id int, boot_time bigint, config_id int, template_id int,
              schema_name text, type_name text,
              fields list<frozen<tuple<int, int, text, boolean>>>,
              saved_at timestamp,
              PRIMARY KEY ((exporter, session_id, boot_time, config_id), template_id))""",
            """
            CREATE TABLE IF NOT EXISTS {ks}.integrity_conflicts (
              exporter text, session_id int, document_id uuid, boot_time bigint, seq bigint,
              detected_at timestamp, detected_by text, stored_data blob, received_data blob, note text,
              PRIMARY KEY ((exporter, session_id, document_id, boot_time), seq, detected_at, detected_by))""")),
            new Migration(2, "leadership fences", List.of(
            """
            CREATE TABLE IF NOT EXISTS {ks}.leadership_fences (
              exporter text, scope text, fence_token bigint, holder text, updated_at timestamp,
              PRIMARY KEY ((exporter, scope)))""")),
            new Migration(3, "audit: verdicts, audit by day, duplicates per document, audit events", List.of(
            """
            CREATE TABLE IF NOT EXISTS {ks}.document_audit (
              exporter text, session_id int, document_id uuid, boot_time bigint,
              started_at timestamp, state text, verdict text, trigger text,
              expected_first bigint, expected_last bigint, records_held bigint,
              held list<frozen<tuple<bigint, bigint>>>, missing list<frozen<tuple<bigint, bigint>>>,
              unexplained list<frozen<tuple<bigint, bigint>>>,
              declared_drops bigint, declared_matched bigint, declared_unplaced bigint,
              duplicates bigint, integrity_conflicts bigint, segments int, failovers int, nodes map<text, bigint>,
              last_activity timestamp, reopen_count int, finalized_at timestamp, finalized_by text,
              fence_token bigint, version int, rechecked boolean,
              PRIMARY KEY ((exporter, session_id, document_id, boot_time)))""",
            """
            CREATE TABLE IF NOT EXISTS {ks}.audit_by_day (
              exporter text, day int, started_at timestamp, session_id int, document_id uuid, boot_time bigint,
              state text, verdict text, trigger text, expected_first bigint, expected_last bigint, records_held bigint,
              missing list<frozen<tuple<bigint, bigint>>>, unexplained list<frozen<tuple<bigint, bigint>>>,
              declared_drops bigint, declared_matched bigint, declared_unplaced bigint,
              duplicates bigint, integrity_conflicts bigint, segments int, failovers int, nodes map<text, bigint>,
              reopen_count int, finalized_at timestamp, finalized_by text,
              PRIMARY KEY ((exporter, day), started_at, session_id, document_id, boot_time))""",
            """
            CREATE TABLE IF NOT EXISTS {ks}.exporters_by_day (
              day int, exporter text, PRIMARY KEY ((day), exporter))""",
            """
            CREATE TABLE IF NOT EXISTS {ks}.document_duplicates (
              exporter text, session_id int, document_id uuid, boot_time bigint, node text,
              flagged counter, unflagged counter,
              PRIMARY KEY ((exporter, session_id, document_id, boot_time), node))""",
            """
            CREATE TABLE IF NOT EXISTS {ks}.audit_events (
              exporter text, session_id int, document_id uuid, boot_time bigint, at timestamp, node text,
              event text, verdict text, detail text,
              PRIMARY KEY ((exporter, session_id, document_id, boot_time), at, node, event))""")),
            new Migration(4, "exports and subscriber view: spool markers, bindings by MAC/IP/CM, index progress",
                    List.of(
            """
            CREATE TABLE IF NOT EXISTS {ks}.export_spool (
              exporter text, session_id int, document_id uuid, boot_time bigint, format text,
              state text, claimed_by text, claimed_at timestamp, file text, records bigint, bytes bigint,
              written_at timestamp,
              PRIMARY KEY ((exporter, session_id, document_id, boot_time), format))""",
            """
            CREATE TABLE IF NOT EXISTS {ks}.subscriber_by_mac (
              mac bigint, first_seen timestamp, ip inet, kind text, cm_mac bigint, exporter text,
              last_seen timestamp, ended_at timestamp, end_reason text,
              PRIMARY KEY ((mac), first_seen, ip)
            ) WITH CLUSTERING ORDER BY (first_seen DESC, ip ASC)""",
            """
            CREATE TABLE IF NOT EXISTS {ks}.subscriber_by_ip (
              ip inet, first_seen timestamp, mac bigint, kind text, cm_mac bigint, exporter text,
              last_seen timestamp, ended_at timestamp, end_reason text,
              PRIMARY KEY ((ip), first_seen, mac)
            ) WITH CLUSTERING ORDER BY (first_seen DESC, mac ASC)""",
            """
            CREATE TABLE IF NOT EXISTS {ks}.subscriber_cpes_by_cm (
              cm_mac bigint, first_seen timestamp, mac bigint, ip inet, exporter text,
              last_seen timestamp, ended_at timestamp, end_reason text,
              PRIMARY KEY ((cm_mac), first_seen, mac, ip)
            ) WITH CLUSTERING ORDER BY (first_seen DESC, mac ASC, ip ASC)""",
            """
            CREATE TABLE IF NOT EXISTS {ks}.subscriber_index_progress (
              exporter text, session_id int, document_id uuid, boot_time bigint,
              indexed_through bigint, records bigint, updated_at timestamp, updated_by text,
              PRIMARY KEY ((exporter, session_id, document_id, boot_time)))""")),
            new Migration(5, "record versions: the digest of the bytes in the key, receipts per stretch; conflicts"
                    + " recorded once", List.of(
            """
            CREATE TABLE IF NOT EXISTS {ks}.record_versions (
              exporter text, session_id int, document_id uuid, boot_time bigint, bucket bigint, seq bigint,
              digest blob, template_id int, config_id int, data blob, received_at timestamp, receipts set<text>,
              PRIMARY KEY ((exporter, session_id, document_id, boot_time, bucket), seq, digest)
            ) WITH CLUSTERING ORDER BY (seq ASC, digest ASC)""",
            """
            CREATE TABLE IF NOT EXISTS {ks}.record_conflicts (
              exporter text, session_id int, document_id uuid, boot_time bigint, seq bigint,
              detected_at timestamp, detected_by text, stored_data blob, received_data blob, note text,
              PRIMARY KEY ((exporter, session_id, document_id, boot_time), seq))""")),
            new Migration(6, "document identity: start time claimed once per document, exporters seen,"
                    + " highest DSN per segment", List.of(
            """
            CREATE TABLE IF NOT EXISTS {ks}.document_starts (
              exporter text, session_id int, document_id uuid, boot_time bigint,
              started_at timestamp, claimed_by text, claimed_at timestamp,
              PRIMARY KEY ((exporter, session_id, document_id, boot_time)))""",
            """
            CREATE TABLE IF NOT EXISTS {ks}.exporters_seen (
              part int, exporter text, first_seen timestamp,
              PRIMARY KEY ((part), exporter))""",
            "ALTER TABLE {ks}.segments ADD IF NOT EXISTS highest_seq bigint")),
            new Migration(7, "documents_by_time.touched_at: when a segment of the document was last written (the"
                    + " finalizer reads only the documents that changed)", List.of(
            "ALTER TABLE {ks}.documents_by_time ADD IF NOT EXISTS touched_at timestamp")));

    private Schema() {
    }

    private static final Duration DDL_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Creates the keyspace if missing (an existing one keeps its replication) and applies every migration not yet
     * recorded in {@code schema_version}.
     *
     * @return the highest applied version (a newer node may have applied more: backwards compatible by rule)
     */
    static int migrate(CqlSession session, StorageConfig config) {
        String ks = config.keyspace();
        ddl(session, "CREATE KEYSPACE IF NOT EXISTS " + ks + " WITH replication = " + config.replication().cql()
                + " AND durable_writes = true");
        ddl(session, cql(SCHEMA_VERSION_TABLE, ks));
        Set<Integer> applied = new HashSet<>();
        for (Row row : session.execute(SimpleStatement.newInstance("SELECT version FROM " + ks
                + ".schema_version WHERE component = ?", COMPONENT).setTimeout(DDL_TIMEOUT))) {
            applied.add(row.getInt(0));
        }
        for (Migration m : MIGRATIONS) {
            if (applied.contains(m.version())) {
                continue;
            }
            for (String statement : m.statements()) {
                ddl(session, cql(statement, ks));
            }
            session.execute(SimpleStatement.newInstance("INSERT INTO " + ks + ".schema_version (component, version,"
                    + " description, applied_at, applied_by) VALUES (?, ?, ?, ?, ?)", COMPONENT, m.version(),
                    m.description(), Instant.now(), hostName()).setTimeout(DDL_TIMEOUT)
                    .setConsistencyLevel(config.writeConsistency()));
            applied.add(m.version());
        }
        return applied.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    private static void ddl(CqlSession session, String cql) {
        session.execute(SimpleStatement.newInstance(cql).setTimeout(DDL_TIMEOUT));
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    static String cql(String template, String keyspace) {
        return template.replace("{ks}", keyspace);
    }

    static int latestVersion() {
        return MIGRATIONS.get(MIGRATIONS.size() - 1).version();
    }
}
