package io.ipdrsp.node.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import io.ipdrsp.node.export.DocumentExport.Format;
import io.ipdrsp.node.export.DocumentSpooler.Outcome;
import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.SpoolMarkers;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentSpoolerTest {
    private static CassandraStorage storage;
    private static DocumentExport export;

    @BeforeAll
    static void open() {
        storage = ExportFixtures.open("it_spool");
        export = new DocumentExport(storage, e -> DecoderOptions.DEFAULT);
    }

    @AfterAll
    static void close() {
        storage.close();
    }

    private static RecordKey finalizedDocument(String exporter, int records) throws Exception {
        RecordKey key = new RecordKey(exporter, 2, UUID.randomUUID(), 1_714_000_000L);
        ExportFixtures.store(storage, key, 1, List.of(ExportFixtures.SAMIS), 256, 0, records, ExportFixtures::samis);
        Instant now = Instant.now();
        AuditRow row = new AuditRow(key, now, "FINAL", "COMPLETE", "SESSION_STOP 0", 0, records - 1, records,
                List.of(), List.of(), List.of(), 0, 0, 0, 0, 0, 1, 0, Map.of("test-node", (long) records), now, 0, now,
                "node-x", 1, 1, false);
        assertThat(storage.audit().writeAudit(row, 0, DefaultConsistencyLevel.LOCAL_SERIAL).toCompletableFuture()
                .get(30, TimeUnit.SECONDS).applied()).isTrue();
        return key;
    }

    private static DocumentSpooler spooler(String node, Path dir, boolean leader, String exporter) throws Exception {
        return new DocumentSpooler(node, storage, export, e -> leader, () -> List.of(exporter),
                new DocumentSpooler.Settings(dir, List.of(Format.XML, Format.XDR), Duration.ofHours(1),
                        Duration.ofMinutes(10), Duration.ofHours(24), DefaultConsistencyLevel.LOCAL_SERIAL),
                Clock.systemUTC());
    }

    private static byte[] exported(RecordKey key, Format f) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        export.write(key, f, out, null);
        return out.toByteArray();
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void eachFinalizedDocumentIsWrittenOnceAcrossNodesAndRestarts(@TempDir Path dir) throws Exception {
        RecordKey key = finalizedDocument("cmts-spool", 300);
        try (DocumentSpooler a = spooler("node-a", dir, true, "cmts-spool");
             DocumentSpooler b = spooler("node-b", dir, true, "cmts-spool")) {
            a.sweep();
            b.sweep(); // two nodes that both believe they lead (a moment of split views): the marker decides
            assertThat(a.written()).isEqualTo(2);
            assertThat(b.written()).isZero();
        }
        Path xml = dir.resolve(DocumentExport.fileName(key, Format.XML));
        Path xdr = dir.resolve(DocumentExport.fileName(key, Format.XDR));
        assertThat(files(dir)).containsExactly(xdr, xml); // no temporary files left
        assertThat(Files.readAllBytes(xml)).isEqualTo(exported(key, Format.XML));
        assertThat(Files.readAllBytes(xdr)).isEqualTo(exported(key, Format.XDR));
        SpoolMarkers markers = new SpoolMarkers(storage, DefaultConsistencyLevel.LOCAL_SERIAL);
        SpoolMarkers.Marker m = markers.marker(key, "xdr").orElseThrow();
        assertThat(m.state()).isEqualTo(SpoolMarkers.DONE);
        assertThat(m.records()).isEqualTo(300);
        assertThat(m.bytes()).isEqualTo(Files.size(xdr));

        // the mediation system picks the XML file up (deletes it); a restarted node does not write it again
        Files.delete(xml);
        FileTime before = Files.getLastModifiedTime(xdr);
        try (DocumentSpooler restarted = spooler("node-a", dir, true, "cmts-spool")) {
            restarted.sweep();
            assertThat(restarted.written()).isZero();
        }
        assertThat(files(dir)).containsExactly(xdr);
        assertThat(Files.getLastModifiedTime(xdr)).isEqualTo(before);
    }

    @Test
    void onlyTheLeaderWritesAndTheFinalizationEventIsEnough(@TempDir Path dir) throws Exception {
        RecordKey key = finalizedDocument("cmts-event", 40);
        try (DocumentSpooler follower = spooler("node-f", dir, false, "cmts-event")) {
            assertThat(follower.spool(key)).containsEntry(Format.XML, Outcome.NOT_LEADER)
                    .containsEntry(Format.XDR, Outcome.NOT_LEADER);
        }
        assertThat(files(dir)).isEmpty();
        try (DocumentSpooler leader = spooler("node-l", dir, true, "cmts-event")) {
            leader.documentFinalized(key); // no sweep: the event alone writes the files
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (leader.written() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(leader.written()).isEqualTo(2);
        }
        assertThat(Files.readAllBytes(dir.resolve(DocumentExport.fileName(key, Format.XML))))
                .isEqualTo(exported(key, Format.XML));
    }
}
