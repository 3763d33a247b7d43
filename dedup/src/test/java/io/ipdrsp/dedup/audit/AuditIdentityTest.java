package io.ipdrsp.dedup.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.DocumentInfo;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 1 at the audit: one document handed over between collectors is one document in the audit, whatever its
 * documentId (all-zero here, like the reference exporter's) and whatever the collectors' clocks; rows the schema before
 * the claimed start left behind (one index entry per collector clock) do not count it twice; an unknown CMTS is an
 * error naming the known ones, not "0 documents".
 */
class AuditIdentityTest {
    private static FinalizerFixture fx;
    private static AuditService audit;

    @BeforeAll
    static void start() throws Exception {
        fx = new FinalizerFixture("it_audit_identity");
        audit = new AuditService(fx.storage, FinalizerSettings.defaults());
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void oneAllZeroDocumentHandedOverTwiceByNodesWithSkewedClocksIsOneDocument() throws Exception {
        String exporter = "cmts-zero-" + System.nanoTime();
        RecordKey doc = new RecordKey(exporter, 1, new UUID(0, 0), 1_700_000_000L);
        Instant t = Instant.now().minusSeconds(600).truncatedTo(ChronoUnit.MILLIS);
        // node-1 primary, hand-off to node-2 (clock 40 s ahead), fail-back to node-1: each node is its own process
        try (CassandraStorage node2 = CassandraStorage.open(fx.storage.config())) {
            write(fx.storage, doc, t, "node-1", 0, 1, 12_999L);
            write(node2, doc, t.plusSeconds(40 + 60), "node-2", 13_000, 1, 25_999L);
            write(fx.storage, doc, t.plusSeconds(120), "node-1", 26_000, 0, 37_999L);
        }
        fx.records(doc, 0, 37_999);
        AuditReport r = audit.report(t.minusSeconds(3600), Instant.now(), exporter, List.of());
        AuditReport.ExporterAudit e = r.exporters().get(0);
        assertThat(e.documents()).isEqualTo(1);
        assertThat(e.recordsHeld()).isEqualTo(38_000);
        assertThat(e.documentList()).singleElement().satisfies(d -> assertThat(d.startedAt()).isEqualTo(t));
    }

    @Test
    void indexEntriesLeftByTheFormerSchemaCountADocumentOnce() throws Exception {
        String exporter = "cmts-legacy-" + System.nanoTime();
        RecordKey doc = new RecordKey(exporter, 1, new UUID(0, 0), 1_700_000_000L);
        Instant t = Instant.now().minusSeconds(600).truncatedTo(ChronoUnit.MILLIS);
        for (Instant at : List.of(t, t.plusMillis(16), t.plusSeconds(35))) { // three collectors' clocks
            fx.storage.session().execute(SimpleStatement.newInstance("INSERT INTO it_audit_identity.documents_by_time"
                    + " (exporter, day, started_at, session_id, document_id, boot_time) VALUES (?, ?, ?, ?, ?, ?)",
                    exporter, (int) at.atZone(java.time.ZoneOffset.UTC).toLocalDate().toEpochDay(), at, 1,
                    doc.documentId(), doc.bootTime()));
        }
        fx.records(doc, 0, 999);
        AuditReport.ExporterAudit e = audit.report(t.minusSeconds(3600), Instant.now(), exporter, List.of(exporter))
                .exporters().get(0);
        assertThat(e.documents()).isEqualTo(1);
        assertThat(e.recordsHeld()).isEqualTo(1_000);
    }

    @Test
    void anUnknownCmtsIsAnErrorThatNamesTheKnownOnes() throws Exception {
        String known = "cmts-known-" + System.nanoTime();
        write(fx.storage, new RecordKey(known, 1, UUID.randomUUID(), 1L), Instant.now(), "node-1", 0, null, null);
        Instant now = Instant.now();
        assertThatThrownBy(() -> audit.report(now.minusSeconds(3600), now, "cmts-nosuch", List.of("cmts-configured")))
                .isInstanceOf(AuditService.UnknownExporter.class)
                .hasMessageContaining("unknown CMTS 'cmts-nosuch'").hasMessageContaining(known)
                .hasMessageContaining("cmts-configured");
        assertThat(audit.report(now.minusSeconds(3600), now, "cmts-configured", List.of("cmts-configured"))
                .exporters().get(0).documents()).as("configured but without documents: an answer").isZero();
    }

    /** What a collector writes for its stretch: the segment (start, then stop) and, as primary, the document row. */
    private static void write(CassandraStorage node, RecordKey doc, Instant start, String nodeId, long first,
            Integer stop, Long highest) throws Exception {
        node.saveSegment(new Segment(doc, start, nodeId, true, first, 0, 60, 100, stop == null ? null
                : start.plusSeconds(30), stop, null, highest)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        node.saveDocument(new DocumentInfo(doc, stop == null ? "OPEN" : "STOPPED", start, start, start, null, null,
                nodeId)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
