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
