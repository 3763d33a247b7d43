package io.ipdrsp.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.TemplateBlock;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DocumentStoreTest {
    private static CassandraStorage storage;

    @BeforeAll
    static void open() {
        storage = CassandraStorage.open(CassandraTestSupport.config("it_documents"));
    }

    @AfterAll
    static void close() {
        storage.close();
    }

    @Test
    void documentsAreSavedUpdatedAndFoundByStartTime() throws Exception {
        Instant start = Instant.parse("2025-03-01T23:59:30Z"); // the next document starts on the next day
        RecordKey a = CassandraTestSupport.newDocument("cmts-doc");
        RecordKey b = CassandraTestSupport.newDocument("cmts-doc");
        RecordKey other = CassandraTestSupport.newDocument("cmts-other");
        storage.saveDocument(new DocumentInfo(a, "OPEN", start, start, start, null, null, "node-1"))
                .toCompletableFuture().get();
        storage.saveDocument(new DocumentInfo(b, "OPEN", start.plusSeconds(60), start.plusSeconds(60),
                start.plusSeconds(60), null, null, "node-2")).toCompletableFuture().get();
        storage.saveDocument(new DocumentInfo(other, "OPEN", start, start, start, null, null, "node-1"))
                .toCompletableFuture().get();
        DocumentInfo finalized = new DocumentInfo(a, "FINALIZED", start, start, start.plusSeconds(900), "INCOMPLETE",
                "missing 17-19", "node-2");
        storage.saveDocument(finalized).toCompletableFuture().get();

        assertThat(storage.document(a).toCompletableFuture().get()).contains(finalized);
        assertThat(storage.document(CassandraTestSupport.newDocument("none")).toCompletableFuture().get()).isEmpty();
        assertThat(storage.documentsStarted("cmts-doc", start.minusSeconds(3600), start.plusSeconds(3600)))
                .containsExactly(a, b);
        assertThat(storage.documentsStarted("cmts-doc", start.plusSeconds(1), start.plusSeconds(3600)))
                .containsExactly(b);
    }

    @Test
    void segmentsRecordStartAndStopPerNode() throws Exception {
        RecordKey doc = CassandraTestSupport.newDocument("cmts-seg");
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        storage.saveSegment(new Segment(doc, t, "node-1", true, 0, 0, 10, 100, null, null, null))
                .toCompletableFuture().get();
        storage.saveSegment(new Segment(doc, t.plus(Duration.ofMinutes(5)), "node-2", false, 4_711, 12, 10, 100, null,
                null, null)).toCompletableFuture().get();
        storage.stopSegment(doc, t, "node-1", t.plusSeconds(299), 2, "failover").toCompletableFuture().get();

        assertThat(storage.segments(doc)).containsExactly(
                new Segment(doc, t, "node-1", true, 0, 0, 10, 100, t.plusSeconds(299), 2, "failover"),
                new Segment(doc, t.plus(Duration.ofMinutes(5)), "node-2", false, 4_711, 12, 10, 100, null, null,
                        null));

        // an open segment's progress: the highest DSN so far, the rest of the row untouched
        storage.documents().segmentProgress(doc, t.plus(Duration.ofMinutes(5)), "node-2", 5_000)
                .toCompletableFuture().get();
        assertThat(storage.segments(doc).get(1)).isEqualTo(new Segment(doc, t.plus(Duration.ofMinutes(5)), "node-2",
                false, 4_711, 12, 10, 100, null, null, null, 5_000L));
    }

    @Test
    void oneDocumentWrittenByTwoNodesWithDifferentClocksIsIndexedOnceUnderTheFirstClaim() throws Exception {
        // an all-zero documentId (the reference exporter's default): nothing in it says when the document started
        RecordKey doc = new RecordKey("cmts-zero", 3, new java.util.UUID(0, 0), 1_700_000_123L);
        Instant first = Instant.parse("2025-04-01T10:00:00.000Z");
        Instant later = first.plusSeconds(37); // node-2's clock at its SESSION_START, after a failover
        storage.saveSegment(new Segment(doc, first, "node-1", true, 0, 0, 10, 100, null, null, null))
                .toCompletableFuture().get();
        storage.saveDocument(new DocumentInfo(doc, "OPEN", first, first, first, null, null, "node-1"))
                .toCompletableFuture().get();
        // node-2 is another process: its own DocumentStore, no cached claim
        try (CassandraStorage node2 = CassandraStorage.open(CassandraTestSupport.config("it_documents"))) {
            node2.saveSegment(new Segment(doc, later, "node-2", false, 500, 0, 10, 100, null, null, null))
                    .toCompletableFuture().get();
            node2.saveDocument(new DocumentInfo(doc, "STOPPED", later, later, later, null, null, "node-2"))
                    .toCompletableFuture().get();
            assertThat(node2.documents().claimStart(doc, later.plusSeconds(99), "node-2").toCompletableFuture().get())
                    .isEqualTo(first);
        }
        Instant from = first.minus(Duration.ofDays(1));
        Instant to = first.plus(Duration.ofDays(1));
        assertThat(storage.documents().documentsStarted("cmts-zero", from, to, null)).singleElement()
                .satisfies(d -> assertThat(d.key()).isEqualTo(doc))
                .satisfies(d -> assertThat(d.startedAt()).isEqualTo(first))
                .satisfies(d -> assertThat(d.touchedAt()).isNotNull());
        assertThat(storage.document(doc).toCompletableFuture().get()).get()
                .satisfies(d -> assertThat(d.startedAt()).isEqualTo(first))
                .satisfies(d -> assertThat(d.state()).isEqualTo("STOPPED"));
        assertThat(storage.documents().exportersSeen()).contains("cmts-zero");
    }

    @Test
    void aDocumentReceivedOnlyOnPrimaryFalseSegmentsIsIndexed() throws Exception {
        RecordKey doc = CassandraTestSupport.newDocument("cmts-standby");
        Instant t = Instant.parse("2025-04-02T08:00:00.000Z");
        storage.saveSegment(new Segment(doc, t, "node-2", false, 0, 0, 10, 100, null, null, null))
                .toCompletableFuture().get();
        storage.documents().stopSegment(doc, t, "node-2", t.plusSeconds(60), 0, "end", 4_999L)
                .toCompletableFuture().get();
        assertThat(storage.documentsStarted("cmts-standby", t.minusSeconds(1), t.plusSeconds(1)))
                .containsExactly(doc);
        assertThat(storage.segments(doc)).singleElement()
                .satisfies(s -> assertThat(s.highestSeq()).isEqualTo(4_999L))
                .satisfies(s -> assertThat(s.endedDocument()).isTrue());
    }

    @Test
    void indexRowsWrittenBeforeTheClaimCountEachDocumentOnce() throws Exception {
        // what the schema before migration 6 left behind: one index entry per node clock for the same document
        RecordKey doc = CassandraTestSupport.newDocument("cmts-legacy");
        Instant a = Instant.parse("2025-04-03T12:00:00.000Z");
        for (Instant t : List.of(a, a.plusMillis(16), a.plusSeconds(5))) {
            storage.session().execute(com.datastax.oss.driver.api.core.cql.SimpleStatement.newInstance("INSERT INTO"
                    + " it_documents.documents_by_time (exporter, day, started_at, session_id, document_id,"
                    + " boot_time) VALUES (?, ?, ?, ?, ?, ?)", doc.exporter(), DocumentStore.day(t), t,
                    doc.sessionId(), doc.documentId(), doc.bootTime()));
        }
        assertThat(storage.documents().documentsStarted("cmts-legacy", a.minusSeconds(60), a.plusSeconds(60), null))
                .containsExactly(new IndexedDocument(doc, a, null));
    }

    /**
     * The finalizer reads only documents whose index entry was touched since it last read them: a segment's start and
     * its stop touch the entry; progress within a stretch does not.
     */
    @Test
    void aSegmentsStartAndStopTouchTheIndexEntryItsProgressDoesNot() throws Exception {
        RecordKey doc = CassandraTestSupport.newDocument("cmts-touch");
        Instant t = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        storage.saveSegment(new Segment(doc, t, "node-1", true, 0, 0, 10, 100, null, null, null))
                .toCompletableFuture().get();
        Instant started = touched(doc, t);
        assertThat(started).isNotNull();
        Thread.sleep(5);
        storage.documents().segmentProgress(doc, t, "node-1", 99).toCompletableFuture().get();
        assertThat(touched(doc, t)).isEqualTo(started);
        storage.documents().stopSegment(doc, t, "node-1", t.plusSeconds(1), 1, "handing off", 99L)
                .toCompletableFuture().get();
        assertThat(touched(doc, t)).isAfter(started);
    }

    private static Instant touched(RecordKey doc, Instant start) {
        return storage.documents().documentsStarted(doc.exporter(), start.minusSeconds(1), start.plusSeconds(1), null)
                .get(0).touchedAt();
    }

    @Test
    void templatesRoundTripPerConfiguration() throws Exception {
        List<TemplateBlock> config3 = List.of(
                new TemplateBlock(256, "http://www.cablelabs.com/namespaces/DOCSIS/3.0/xsd/ipdr/DOCSIS-SAMIS-TYPE-1",
                        "DOCSIS-SAMIS-TYPE-1_DOCSIS-Type", List.of(
                                new FieldDescriptor(0x28, 1, "DOCSIS-SAMIS-TYPE-1:CmtsHostName", true),
                                new FieldDescriptor(0x23, 2, "DOCSIS-SAMIS-TYPE-1:CmtsSysUpTime", false))),
                new TemplateBlock(257, "s", "t", List.of()));
        storage.saveTemplates("cmts-t", 1, 1_700_000_000L, 3, config3).toCompletableFuture().get();
        storage.saveTemplates("cmts-t", 1, 1_700_000_000L, 4, List.of(config3.get(1))).toCompletableFuture().get();

        assertThat(storage.templates("cmts-t", 1, 1_700_000_000L, 3)).isEqualTo(config3);
        assertThat(storage.templates("cmts-t", 1, 1_700_000_000L, 4)).containsExactly(config3.get(1));
        assertThat(storage.templates("cmts-t", 1, 1_600_000_000L, 3)).isEmpty();
    }

    @Test
    void integrityConflictsKeepBothVersions() throws Exception {
        RecordKey doc = CassandraTestSupport.newDocument("cmts-i");
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        IntegrityConflict c = new IntegrityConflict(doc, 42, t, "node-2", ByteBuffer.wrap(new byte[] {1, 2}),
                ByteBuffer.wrap(new byte[] {1, 3}), "duplicate differs");
        assertThat(storage.conflicts().recordConflict(c, DefaultConsistencyLevel.LOCAL_SERIAL).toCompletableFuture().get())
                .isTrue();
        assertThat(storage.integrityConflicts(doc)).containsExactly(c);
    }
}
