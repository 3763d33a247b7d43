package io.ipdrsp.dedup.audit;

import static io.ipdrsp.dedup.audit.FinalizerFixture.ago;
import static io.ipdrsp.dedup.audit.FinalizerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Finalization that keeps up (issue 19): an interval boundary of 1,000 CMTSes × 2 time-interval sessions — 2,000
 * documents ending at once — finalized by one leader against a real Cassandra, exporters in parallel. Prints the
 * rate; asserts only correctness (every document FINAL and COMPLETE), no timing: the machine is shared.
 */
class FinalizationThroughputTest {
    private static final int CMTSES = 1_000;
    private static final int SESSIONS = 2;
    private static final int RECORDS = 20;
    private static FinalizerFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new FinalizerFixture("it_fin_rate");
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void aTwoThousandDocumentBoundaryIsFinalizedByOneLeader() throws Exception {
        String prefix = "cmts-rate-" + System.nanoTime() + "-";
        List<String> exporters = IntStream.range(0, CMTSES).mapToObj(i -> prefix + i).toList();
        List<RecordKey> docs = new ArrayList<>();
        long t0 = System.nanoTime();
        List<CompletableFuture<?>> writes = new ArrayList<>();
        Instant start = ago(120);
        Instant stop = ago(30);
        for (String e : exporters) {
            for (int s = 1; s <= SESSIONS; s++) {
                RecordKey doc = FinalizerFixture.newDoc(e, s, 1000);
                docs.add(doc);
                writes.add(fx.storage.saveSegment(new Segment(doc, start, "n-rec", true, 0, 0, 60, 100, stop, 6,
                        "end of IPDRDoc", RECORDS - 1L)).toCompletableFuture());
                for (long q = 0; q < RECORDS; q++) {
                    writes.add(fx.writer.write(doc, q, 1, 1, false, ByteBuffer.wrap(("r" + q).getBytes()))
                            .toCompletableFuture());
                }
            }
            if (writes.size() > 5_000) {
                fx.writer.flush();
                CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
                writes.clear();
            }
        }
        fx.writer.flush();
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        System.out.printf("FINALIZATION setup: %d documents of %d records written in %d ms%n", docs.size(), RECORDS,
                (System.nanoTime() - t0) / 1_000_000);

        FinalizerSettings settings = FinalizerSettings.defaults().withGrace(Duration.ofSeconds(1));
        try (FinalizerFixture.Node n = fx.node("n1", exporters, settings)) {
            await("leadership of " + CMTSES + " CMTSes", () -> n.lead().leaderships().size() == CMTSES);
            long t1 = System.nanoTime();
            int passes = 0;
            while (n.finalizer().finalized() < docs.size() && passes < 20) {
                n.finalizer().runOnce();
                passes++;
            }
            long ms = Math.max(1, (System.nanoTime() - t1) / 1_000_000);
            System.out.printf("FINALIZATION %d documents of %d CMTSes finalized by one leader in %d ms (%d passes,"
                    + " parallelism %d): %.0f documents/s%n", n.finalizer().finalized(), CMTSES, ms, passes,
                    settings.parallelism(), n.finalizer().finalized() * 1000.0 / ms);
            for (int i = 1; i <= 2; i++) {
                long read = n.finalizer().documentsRead();
                long t2 = System.nanoTime();
                n.finalizer().runOnce();
                System.out.printf("FINALIZATION pass %d over the same %d final documents: %d ms, %d read, the others"
                        + " skipped as unchanged%n", i, docs.size(), (System.nanoTime() - t2) / 1_000_000,
                        n.finalizer().documentsRead() - read);
            }
        }
        Map<String, Integer> verdicts = new TreeMap<>();
        for (RecordKey k : docs) {
            AuditRow r = fx.row(k).orElseThrow();
            verdicts.merge(r.state() + " " + r.verdict(), 1, Integer::sum);
        }
        assertThat(verdicts).isEqualTo(Map.of("FINAL COMPLETE", docs.size()));
    }
}
