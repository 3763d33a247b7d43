package io.ipdrsp.dedup.audit;

import static io.ipdrsp.dedup.audit.FinalizerFixture.ago;
import static io.ipdrsp.dedup.audit.FinalizerFixture.await;
import static io.ipdrsp.dedup.audit.FinalizerFixture.leaderOf;
import static io.ipdrsp.dedup.audit.FinalizerFixture.newDoc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import io.ipdrsp.storage.AuditEvent;
import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.AuditStore;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.SequenceRange;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The finalizer against a real Cassandra and real Curator leadership (two nodes contending in one ZooKeeper). */
class DocumentFinalizerTest {
    private static final FinalizerSettings SETTINGS = FinalizerSettings.defaults().withGrace(Duration.ofSeconds(1))
            .withIdleTimeout(Duration.ofSeconds(3)).withRecheckAfter(Duration.ofHours(1));
    private static FinalizerFixture fx;
    private static CassandraStorage storage;

    @BeforeAll
    static void start() throws Exception {
        fx = new FinalizerFixture("it_finalizer");
        storage = fx.storage;
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    private static final class Node {
        static FinalizerFixture.Node start(String id, String exporter, FinalizerSettings settings) throws Exception {
            return fx.node(id, exporter, settings);
        }
    }

    private static void records(RecordKey key, long first, long last) throws Exception {
        fx.records(key, first, last);
    }

    private static void document(RecordKey key, Instant startedAt) throws Exception {
        fx.document(key, startedAt);
    }

    private static void segment(RecordKey key, Instant startedAt, String node, boolean primary, long first,
            long dropped, Instant stoppedAt, Integer reason) throws Exception {
        fx.segment(key, startedAt, node, primary, first, dropped, stoppedAt, reason);
    }

    private static Optional<AuditRow> row(RecordKey key) throws Exception {
        return fx.row(key);
    }

    @Test
    void onlyTheLeaderFinalizesAndAStaleLeaderIsFencedOut() throws Exception {
        String exporter = "cmts-fence-" + System.nanoTime();
        List<FinalizerFixture.Node> nodes = new ArrayList<>(List.of(Node.start("n1", exporter, SETTINGS),
                Node.start("n2", exporter, SETTINGS)));
        try {
            RecordKey doc = newDoc(exporter, 1, 1000);
            document(doc, ago(60));
            segment(doc, ago(60), "n1", true, 0, 0, ago(10), 0);
            records(doc, 0, 99);
            FinalizerFixture.Node leader = leaderOf(exporter, nodes);
            FinalizerFixture.Node other = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();

            other.finalizer().runOnce();
            assertThat(row(doc)).as("the non-leader writes nothing").isEmpty();
            leader.finalizer().runOnce();
            AuditRow first = row(doc).orElseThrow();
            assertThat(first.state()).isEqualTo("FINAL");
            assertThat(first.verdict()).isEqualTo("COMPLETE");
            assertThat(first.recordsHeld()).isEqualTo(100);
            assertThat(first.finalizedBy()).isEqualTo(leader.id());
            assertThat(first.trigger()).startsWith("SESSION_STOP 0");
            assertThat(storage.audit().auditByDay(exporter, ago(3600), Instant.now()))
                    .extracting(AuditRow::verdict).containsExactly("COMPLETE");
            long staleToken = leader.lead().fencingToken(exporter).orElseThrow();

            // the leader's ZooKeeper session ends: the other node's new term has a higher token
            nodes.remove(leader);
            leader.lead().close();
            leader.registration().close();
            await("new leader", () -> other.lead().isLeader(exporter));
            long newToken = other.lead().fencingToken(exporter).orElseThrow();
            assertThat(newToken).isGreaterThan(staleToken);

            RecordKey second = newDoc(exporter, 1, 1000);
            document(second, ago(50));
            segment(second, ago(50), "n2", true, 0, 0, ago(10), 6);
            records(second, 0, 9);
            other.finalizer().runOnce();
            assertThat(row(second).orElseThrow().finalizedBy()).isEqualTo(other.id());

            // a third document is due; the stale leader tries with its old token and is refused by the fence
            RecordKey third = newDoc(exporter, 1, 1000);
            document(third, ago(40));
            segment(third, ago(40), "n2", true, 0, 0, ago(10), 0);
            assertThatThrownBy(() -> leader.finalizer().pass(exporter, staleToken))
                    .isInstanceOf(VerdictWriter.Fenced.class);
            assertThat(row(third)).as("no verdict from the stale leader").isEmpty();
            // and the conditional write itself refuses a row over one written by a higher token
            AuditRow current = row(second).orElseThrow();
            AuditRow stale = new AuditRow(second, current.startedAt(), "FINAL", "INCOMPLETE", "stale", 0, 9, 0,
                    List.of(), List.of(new SequenceRange(0, 9)), List.of(new SequenceRange(0, 9)), 0, 0, 0, 0, 0, 1,
                    0, java.util.Map.of(), Instant.now(), 0, Instant.now(), leader.id(), staleToken,
                    current.version() + 1, false);
            AuditStore.AuditWrite w = storage.audit().writeAudit(stale, current.version(),
                    DefaultConsistencyLevel.LOCAL_SERIAL).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(w.applied()).isFalse();
            assertThat(w.current().orElseThrow().fenceToken()).isEqualTo(newToken);
            assertThat(row(second).orElseThrow().verdict()).isEqualTo("COMPLETE");
            leader.curator().close();
        } finally {
            for (FinalizerFixture.Node n : nodes) {
                n.close();
            }
        }
    }

    @Test
    void sessionStopOneOrThreeSuspendsAndTheResumedDocumentIsFinalizedWithItsDeclaredDrops() throws Exception {
        String exporter = "cmts-suspend-" + System.nanoTime();
        try (FinalizerFixture.Node n = Node.start("n1", exporter, SETTINGS)) {
            leaderOf(exporter, List.of(n));
            RecordKey handOff = newDoc(exporter, 1, 1000);
            document(handOff, ago(60));
            segment(handOff, ago(60), "n1", true, 0, 0, ago(30), 1);
            records(handOff, 0, 49);
            RecordKey congestion = newDoc(exporter, 2, 1000);
            document(congestion, ago(60));
            segment(congestion, ago(60), "n1", true, 0, 0, ago(30), 3);
            records(congestion, 0, 49);
            n.finalizer().runOnce();
            for (RecordKey k : List.of(handOff, congestion)) {
                AuditRow r = row(k).orElseThrow();
                assertThat(r.state()).isEqualTo("SUSPENDED");
                assertThat(r.verdict()).isEqualTo("OPEN");
                assertThat(r.recordsHeld()).isEqualTo(50);
            }
            assertThat(storage.audit().events(handOff)).extracting(AuditEvent::event).containsExactly("SUSPENDED");

            // the exporter resumes on another collector after dropping 10 records (declared), then ends the document
            segment(congestion, ago(20), "n2", true, 60, 10, ago(5), 0);
            records(congestion, 60, 99);
            n.finalizer().runOnce();
            AuditRow r = row(congestion).orElseThrow();
            assertThat(r.state()).isEqualTo("FINAL");
            assertThat(r.verdict()).isEqualTo("COMPLETE_WITH_DECLARED_DROPS");
            assertThat(r.missing()).containsExactly(new SequenceRange(50, 59));
            assertThat(r.declaredDrops()).isEqualTo(10);
            assertThat(r.declaredMatched()).isEqualTo(10);
            assertThat(r.failovers()).isEqualTo(1);
            assertThat(r.reopenCount()).isZero();
            assertThat(row(handOff).orElseThrow().state()).isEqualTo("SUSPENDED");
        }
    }

    /** A document stopped 10 s ago holding 0..49 and 60..99, finalized by {@code n}: INCOMPLETE, 50..59 missing. */
    private static RecordKey finalizedWithGap(FinalizerFixture.Node n, String exporter) throws Exception {
        RecordKey doc = newDoc(exporter, 1, 1000);
        document(doc, ago(60));
        segment(doc, ago(60), "n1", true, 0, 0, ago(10), 0);
        records(doc, 0, 49);
        records(doc, 60, 99);
        n.finalizer().runOnce();
        return doc;
    }

    @Test
    void aLateRecordReopensAFinalizedDocument() throws Exception {
        String exporter = "cmts-late-" + System.nanoTime();
        FinalizerSettings quickRecheck = SETTINGS.withRecheckAfter(Duration.ofSeconds(2));
        try (FinalizerFixture.Node n = Node.start("n1", exporter, quickRecheck)) {
            leaderOf(exporter, List.of(n));
            RecordKey doc = finalizedWithGap(n, exporter);
            AuditRow before = row(doc).orElseThrow();
            assertThat(before.verdict()).isEqualTo("INCOMPLETE");
            assertThat(before.unexplained()).containsExactly(new SequenceRange(50, 59));

            // the missing records land late (written by another site, no new segment here)
            records(doc, 50, 59);
            n.finalizer().runOnce();
            assertThat(row(doc).orElseThrow().version()).as("not re-checked before recheckAfter")
                    .isEqualTo(before.version());
            Thread.sleep(2_100);
            n.finalizer().runOnce();
            AuditRow after = row(doc).orElseThrow();
            assertThat(after.verdict()).isEqualTo("COMPLETE");
            assertThat(after.reopenCount()).isEqualTo(1);
            assertThat(after.recordsHeld()).isEqualTo(100);
            assertThat(storage.audit().events(doc)).extracting(AuditEvent::event)
                    .containsExactly("FINALIZED", "REOPENED", "FINALIZED");
            assertThat(n.finalizer().reopened()).isEqualTo(1);

            // a segment row of the ended document that a node wrote late (its SESSION_START processed after the
            // stop): SESSION_STOP 0 ended the documentId for good, so it is re-evaluated and stays final
            segment(doc, Instant.now().truncatedTo(ChronoUnit.MILLIS), "n2", true, 100, 0, null, null);
            n.finalizer().runOnce();
            AuditRow late = row(doc).orElseThrow();
            assertThat(late.state()).isEqualTo("FINAL");
            assertThat(late.segments()).isEqualTo(2);
            assertThat(late.reopenCount()).isEqualTo(1);
        }
    }

    /**
     * Passes read what changed, not the whole look-back: a final document read once {@code grace} after its last
     * segment write is skipped until a segment of it is written again (issue 19, finalization that keeps up).
     */
    @Test
    void aFinalDocumentIsNotReadAgainUntilASegmentOfItIsWritten() throws Exception {
        String exporter = "cmts-quiet-" + System.nanoTime();
        try (FinalizerFixture.Node n = Node.start("n1", exporter, SETTINGS)) {
            leaderOf(exporter, List.of(n));
            RecordKey doc = finalizedWithGap(n, exporter);
            assertThat(row(doc).orElseThrow().state()).isEqualTo("FINAL");
            Thread.sleep(1_100); // the grace after its segment was written
            n.finalizer().runOnce();
            long read = n.finalizer().documentsRead();
            long skipped = n.finalizer().documentsSkipped();
            n.finalizer().runOnce();
            n.finalizer().runOnce();
            assertThat(n.finalizer().documentsRead()).as("documents read").isEqualTo(read);
            assertThat(n.finalizer().documentsSkipped()).as("documents skipped").isEqualTo(skipped + 2);

            // a node writes a segment of it late: read again at the next pass, and the row says so
            segment(doc, Instant.now().truncatedTo(ChronoUnit.MILLIS), "n2", false, 100, 0, null, null);
            n.finalizer().runOnce();
            assertThat(n.finalizer().documentsRead()).as("documents read").isEqualTo(read + 1);
            assertThat(row(doc).orElseThrow().segments()).isEqualTo(2);
        }
    }

    /**
     * Documents under way are quiet between passes too, and still finalized when their session moves on: a stop
     * touches its document; a newer document on a session brings back the quiet open one it makes idle.
     */
    @Test
    void quietOpenDocumentsAreReadAgainWhenTheirSessionMovesOn() throws Exception {
        String exporter = "cmts-quiet-open-" + System.nanoTime();
        try (FinalizerFixture.Node n = Node.start("n1", exporter, SETTINGS)) {
            leaderOf(exporter, List.of(n));
            Instant start = ago(60);
            RecordKey idle = newDoc(exporter, 1, 1000);
            RecordKey stopping = newDoc(exporter, 2, 1000);
            for (RecordKey k : List.of(idle, stopping)) {
                document(k, start);
                segment(k, start, "n1", true, 0, 0, null, null);
                records(k, 0, 9);
            }
            n.finalizer().runOnce();
            Thread.sleep(1_100); // the grace after their segments were written
            n.finalizer().runOnce();
            long read = n.finalizer().documentsRead();
            n.finalizer().runOnce();
            assertThat(n.finalizer().documentsRead()).as("open and untouched: not read").isEqualTo(read);
            assertThat(row(idle).orElseThrow().state()).isEqualTo("OPEN");

            storage.documents().stopSegment(stopping, start, "n1", Instant.now(), 0, "end of IPDRDoc", 9L)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            RecordKey newer = newDoc(exporter, 1, 1000);
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            document(newer, now);
            segment(newer, now, "n1", true, 0, 0, null, null);
            n.finalizer().runOnce();
            assertThat(row(stopping).orElseThrow().state()).isEqualTo("STOPPED");
            AuditRow idled = row(idle).orElseThrow();
            assertThat(idled.state()).isEqualTo("FINAL");
            assertThat(idled.trigger()).startsWith("idle");
            Thread.sleep(1_100);
            n.finalizer().runOnce();
            assertThat(row(stopping).orElseThrow().state()).isEqualTo("FINAL");
            assertThat(row(newer).orElseThrow().state()).isEqualTo("OPEN");
        }
    }

    /**
     * Passes between sweeps read only the last 2 hours of the index: a quiet document older than that which changes
     * is read again by the next sweep (once a minute), not by the passes in between.
     */
    @Test
    void aChangeToAQuietDocumentOlderThanTheRecentIndexIsReadAtTheNextSweep() throws Exception {
        String exporter = "cmts-quiet-old-" + System.nanoTime();
        FinalizerFixture.LaterClock clock = new FinalizerFixture.LaterClock();
        FinalizerSettings noRecheck = SETTINGS.withRecheckAfter(Duration.ofDays(1));
        try (FinalizerFixture.Node n = fx.node("n1", List.of(exporter), noRecheck, clock)) {
            leaderOf(exporter, List.of(n));
            RecordKey doc = finalizedWithGap(n, exporter);
            clock.advance(Duration.ofSeconds(2)); // the grace after its last segment write
            n.finalizer().runOnce(); // quiet from now on
            clock.advance(Duration.ofHours(3)); // the document is now older than the recent part of the index
            n.finalizer().runOnce(); // a sweep (over a minute since the last): skipped as quiet
            long read = n.finalizer().documentsRead();

            segment(doc, Instant.now().truncatedTo(ChronoUnit.MILLIS), "n2", false, 100, 0, null, null);
            n.finalizer().runOnce();
            assertThat(n.finalizer().documentsRead()).as("not read between sweeps").isEqualTo(read);
            assertThat(row(doc).orElseThrow().segments()).isEqualTo(1);
            clock.advance(DocumentFinalizer.SUMMARY_CHECK);
            n.finalizer().runOnce();
            assertThat(n.finalizer().documentsRead()).as("read by the sweep").isEqualTo(read + 1);
            assertThat(row(doc).orElseThrow().segments()).isEqualTo(2);
        }
    }

    @Test
    void aRecordLandingAfterTheFirstRecheckIsFoundByALaterOne() throws Exception {
        String exporter = "cmts-later-" + System.nanoTime();
        FinalizerSettings quickRecheck = SETTINGS.withRecheckAfter(Duration.ofSeconds(1));
        try (FinalizerFixture.Node n = Node.start("n1", exporter, quickRecheck)) {
            leaderOf(exporter, List.of(n));
            RecordKey doc = finalizedWithGap(n, exporter);
            Thread.sleep(1_100);
            n.finalizer().runOnce(); // the first re-check: nothing new
            AuditRow rechecked = row(doc).orElseThrow();
            assertThat(rechecked.rechecked()).isTrue();
            assertThat(rechecked.verdict()).isEqualTo("INCOMPLETE");

            n.finalizer().runOnce(); // starts the doubling schedule
            records(doc, 50, 59); // e.g. a node's stalled writes land
            n.finalizer().runOnce();
            assertThat(row(doc).orElseThrow().version()).as("a later re-check waits for its interval")
                    .isEqualTo(rechecked.version());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (row(doc).orElseThrow().reopenCount() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                n.finalizer().runOnce();
            }
            AuditRow after = row(doc).orElseThrow();
            assertThat(after.reopenCount()).as("found by a later re-check").isEqualTo(1);
            assertThat(after.verdict()).isEqualTo("COMPLETE");
            assertThat(storage.audit().events(doc)).extracting(AuditEvent::event)
                    .containsExactly("FINALIZED", "REOPENED", "FINALIZED");
        }
    }

    @Test
    void rebootAndIdleFinalizeDocumentsWithoutSessionStop() throws Exception {
        String exporter = "cmts-reboot-" + System.nanoTime();
        try (FinalizerFixture.Node n = Node.start("n1", exporter, SETTINGS)) {
            leaderOf(exporter, List.of(n));
            RecordKey beforeReboot = newDoc(exporter, 1, 1000);
            document(beforeReboot, ago(120));
            segment(beforeReboot, ago(120), "n1", true, 0, 0, null, null);
            records(beforeReboot, 0, 19);
            RecordKey afterReboot = newDoc(exporter, 1, 2000);
            document(afterReboot, ago(30));
            segment(afterReboot, ago(30), "n1", true, 0, 0, null, null);
            // session 2: an older document that ended with SESSION_STOP 7 and a newer one; the older is idle
            RecordKey idle = newDoc(exporter, 2, 2000);
            document(idle, ago(25));
            segment(idle, ago(25), "n1", true, 0, 0, ago(20), 7);
            records(idle, 0, 4);
            RecordKey newer = newDoc(exporter, 2, 2000);
            document(newer, ago(19));
            segment(newer, ago(19), "n1", true, 0, 0, null, null);
            n.finalizer().runOnce();
            AuditRow rebooted = row(beforeReboot).orElseThrow();
            assertThat(rebooted.state()).isEqualTo("FINAL");
            assertThat(rebooted.trigger()).contains("rebooted");
            assertThat(rebooted.verdict()).isEqualTo("COMPLETE");
            AuditRow idled = row(idle).orElseThrow();
            assertThat(idled.state()).isEqualTo("FINAL");
            assertThat(idled.trigger()).startsWith("idle");
            assertThat(row(afterReboot).orElseThrow().state()).isEqualTo("OPEN");
            assertThat(row(newer).orElseThrow().state()).isEqualTo("OPEN");

            // the exporter comes back to the idle document (it never ended it): re-opened at once
            segment(idle, ago(1), "n2", false, 5, 0, null, null);
            n.finalizer().runOnce();
            AuditRow reopened = row(idle).orElseThrow();
            assertThat(reopened.state()).isEqualTo("REOPENED");
            assertThat(reopened.verdict()).isEqualTo("OPEN");
            assertThat(reopened.reopenCount()).isEqualTo(1);
            assertThat(reopened.finalizedBy()).as("not final: nobody finalized it").isNull();
        }
    }
}
