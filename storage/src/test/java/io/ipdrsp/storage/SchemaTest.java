package io.ipdrsp.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.cql.Row;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaTest {

    @Test
    void openingTwiceAppliesEachMigrationOnce() {
        StorageConfig config = CassandraTestSupport.config("it_schema");
        long t0 = System.nanoTime();
        try (CassandraStorage first = CassandraStorage.open(config)) {
            System.out.println("first open (connect + schema) " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            assertThat(first.schemaVersion()).isEqualTo(Schema.latestVersion());
        }
        long t1 = System.nanoTime();
        try (CassandraStorage second = CassandraStorage.open(config)) {
            System.out.println("second open " + (System.nanoTime() - t1) / 1_000_000 + " ms");
            assertThat(second.schemaVersion()).isEqualTo(Schema.latestVersion());
            List<Row> versions = second.session()
                    .execute("SELECT version FROM it_schema.schema_version WHERE component = 'storage'").all();
            assertThat(versions).hasSize(Schema.MIGRATIONS.size());
            List<String> tables = second.session()
                    .execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = 'it_schema'").all()
                    .stream().map(r -> r.getString(0)).toList();
            assertThat(tables).containsExactlyInAnyOrder("schema_version", "records", "record_buckets", "documents",
                    "documents_by_time", "segments", "templates", "integrity_conflicts", "leadership_fences",
                    "document_audit", "audit_by_day", "exporters_by_day", "document_duplicates", "audit_events",
                    "export_spool", "subscriber_by_mac", "subscriber_by_ip", "subscriber_cpes_by_cm",
                    "subscriber_index_progress", "record_versions", "record_conflicts", "document_starts", "exporters_seen");
        }
    }

    @Test
    void networkTopologyReplicationIsCreatedAsConfigured() {
        StorageConfig config = CassandraTestSupport.config("it_schema_nts")
                .withReplication(Replication.networkTopology(Map.of("datacenter1", 1)));
        try (CassandraStorage storage = CassandraStorage.open(config)) {
            Map<String, String> replication = storage.session()
                    .execute("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = 'it_schema_nts'")
                    .one().getMap(0, String.class, String.class);
            assertThat(replication).containsEntry("class", "org.apache.cassandra.locator.NetworkTopologyStrategy")
                    .containsEntry("datacenter1", "1");
        }
    }
}
