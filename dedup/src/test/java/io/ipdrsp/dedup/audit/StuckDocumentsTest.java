package io.ipdrsp.dedup.audit;

import static io.ipdrsp.dedup.audit.FinalizerFixture.ago;
import static io.ipdrsp.dedup.audit.FinalizerFixture.leaderOf;
import static io.ipdrsp.dedup.audit.FinalizerFixture.newDoc;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.SequenceRange;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Finalization that cannot get stuck (issue 15 item 3), with a real Cassandra and real Curator leadership: a document
 * the finalizer cannot handle does not hold back the others, is reported overdue by name and is finalized once it can
 * be; a verdict whose summary was lost is brought up to date; a document received on {@code primary=false} segments
 * only (the vendor guide's failover) is finalized with its declared drops.
 */
class StuckDocumentsTest {
    /** Passes every second: "overdue" = trigger + 1 s grace + 3 s. */
    private static final FinalizerSettings SETTINGS = FinalizerSettings.defaults().withGrace(Duration.ofSeconds(1))
            .withInterval(Duration.ofSeconds(1)).withRecheckAfter(Duration.ofHours(1));
    private static FinalizerFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new FinalizerFixture("it_stuck");
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    /** An ended document holding DSNs 0..9. */
    private static RecordKey ended(String exporter, int session) throws Exception {
        RecordKey doc = newDoc(exporter, session, 1000);
        fx.segment(doc, ago(60), "n1", true, 0, 0, ago(30), 0, 9L);
        fx.records(doc, 0, 9);
        return doc;
    }

    @Test
    void aDocumentThatCannotBeHandledHoldsBackNoOtherIsReportedOverdueAndIsFinalizedOnceItCanBe() throws Exception {
        String exporter = "cmts-stuck-" + System.nanoTime();
        Logger overdueLog = (Logger) LoggerFactory.getLogger(OverdueDocuments.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        overdueLog.addAppender(logged);
        try (FinalizerFixture.Node n = fx.node("n1", exporter, SETTINGS)) {
            leaderOf(exporter, List.of(n));
            RecordKey before = ended(exporter, 1);
            RecordKey bad = ended(exporter, 2);
            RecordKey after = ended(exporter, 3);
            // an audit row the finalizer cannot read (no state): any failure of one document's handling would do
            fx.storage.session().execute(SimpleStatement.newInstance("INSERT INTO it_stuck.document_audit (exporter,"
                    + " session_id, document_id, boot_time, version) VALUES (?, ?, ?, ?, 1)", bad.exporter(),
                    bad.sessionId(), bad.documentId(), bad.bootTime()));

            assertThat(n.finalizer().runOnce()).as("failed documents").isEqualTo(1);
            assertThat(fx.row(before).orElseThrow().state()).isEqualTo("FINAL");
            assertThat(fx.row(after).orElseThrow().state()).as("the documents after it are finalized all the same")
                    .isEqualTo("FINAL");
            assertThat(n.finalizer().failures()).isPositive();
            assertThat(n.finalizer().overdueDocuments()).isEqualTo(Map.of(exporter, 1));
            assertThat(n.finalizer().overdueDocumentKeys().get(exporter)).containsExactly(bad);
            assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(m -> assertThat(m).contains(bad.toString()).contains("not final past its grace"));

            // the row is repaired (here: removed); the next pass finalizes the document and the report clears
            fx.storage.session().execute(SimpleStatement.newInstance("DELETE FROM it_stuck.document_audit WHERE"
                    + " exporter = ? AND session_id = ? AND document_id = ? AND boot_time = ?", bad.exporter(),
                    bad.sessionId(), bad.documentId(), bad.bootTime()));
            assertThat(n.finalizer().runOnce()).isZero();
            AuditRow r = fx.row(bad).orElseThrow();
            assertThat(r.state()).isEqualTo("FINAL");
            assertThat(r.verdict()).isEqualTo("COMPLETE");
            assertThat(n.finalizer().overdueDocuments()).isEmpty();
        } finally {
            overdueLog.detachAppender(logged);
        }
    }

    /**
     * Issue 15 item 3b: a verdict's lightweight transaction was applied but its answer lost in a driver timeout, so its
     * summary ({@code audit_by_day}, what the audit reads) still said SUSPENDED; the row said FINAL and nothing ever
     * looked at it again. The leader compares summaries with their rows every minute (and after a pass with
     * failures): it sees the summary lag behind its row and rewrites it.
     */
    @Test
    void aVerdictWhoseSummaryWasLostInATimeoutIsBroughtUpToDate() throws Exception {
        String exporter = "cmts-lost-" + System.nanoTime();
        FinalizerFixture.LaterClock clock = new FinalizerFixture.LaterClock();
        try (FinalizerFixture.Node n = fx.node("n1", List.of(exporter), SETTINGS, clock)) {
            leaderOf(exporter, List.of(n));
            RecordKey doc = newDoc(exporter, 1, 1000);
            fx.segment(doc, ago(60), "n1", true, 0, 0, ago(40), 3, 9L); // congestion: suspended
            fx.records(doc, 0, 9);
            n.finalizer().runOnce();
            AuditRow suspended = fx.row(doc).orElseThrow();
            assertThat(suspended.state()).isEqualTo("SUSPENDED");
            Instant from = ago(3600);
            assertThat(fx.storage.audit().auditByDay(exporter, from, Instant.now())).extracting(AuditRow::state)
                    .containsExactly("SUSPENDED");

            // the verdict row as the applied LWT left it, without the summary write that should have followed
            fx.storage.session().execute(SimpleStatement.newInstance("UPDATE it_stuck.document_audit SET state ="
                    + " 'FINAL', verdict = 'COMPLETE', trigger = 'idle', finalized_by = 'n1', finalized_at = ?,"
                    + " version = ? WHERE exporter = ? AND session_id = ? AND document_id = ? AND boot_time = ?",
                    Instant.now(), suspended.version() + 1, doc.exporter(), doc.sessionId(), doc.documentId(),
                    doc.bootTime()));
            n.finalizer().runOnce();
            assertThat(fx.storage.audit().auditByDay(exporter, from, Instant.now())).extracting(AuditRow::state)
                    .as("not compared at every pass").containsExactly("SUSPENDED");
            clock.advance(DocumentFinalizer.SUMMARY_CHECK);
            n.finalizer().runOnce();
            assertThat(fx.storage.audit().auditByDay(exporter, from, Instant.now()))
                    .singleElement().satisfies(s -> {
                        assertThat(s.state()).isEqualTo("FINAL");
                        assertThat(s.verdict()).isEqualTo("COMPLETE");
                        assertThat(s.finalizedBy()).isEqualTo("n1");
                    });
        }
    }

    /**
     * The passes skip a quiet final document (QuietDocuments), but not a lagging summary: the next sweep sees that the
     * summary does not show the row it last read, reads the document again and rewrites the summary.
     */
    @Test
    void aQuietDocumentWhoseSummaryLagsIsReadAgainAndRepairedAtTheNextSweep() throws Exception {
        String exporter = "cmts-quiet-lag-" + System.nanoTime();
        FinalizerFixture.LaterClock clock = new FinalizerFixture.LaterClock();
        try (FinalizerFixture.Node n = fx.node("n1", List.of(exporter), SETTINGS, clock)) {
            leaderOf(exporter, List.of(n));
            RecordKey doc = ended(exporter, 1);
            n.finalizer().runOnce();
            AuditRow row = fx.row(doc).orElseThrow();
            assertThat(row.state()).isEqualTo("FINAL");
            clock.advance(Duration.ofSeconds(2)); // the grace after its last segment write
            n.finalizer().runOnce(); // read once more: quiet from now on
            long read = n.finalizer().documentsRead();
            n.finalizer().runOnce();
            assertThat(n.finalizer().documentsRead()).as("quiet: not read").isEqualTo(read);

            // its summary lags behind its row (a summary write lost after the verdict's LWT was applied)
            fx.storage.session().execute(SimpleStatement.newInstance("UPDATE it_stuck.audit_by_day SET state ="
                    + " 'SUSPENDED', verdict = 'OPEN' WHERE exporter = ? AND day = ? AND started_at = ? AND"
                    + " session_id = ? AND document_id = ? AND boot_time = ?", exporter,
                    (int) row.startedAt().atZone(java.time.ZoneOffset.UTC).toLocalDate().toEpochDay(),
                    row.startedAt(), doc.sessionId(), doc.documentId(), doc.bootTime()));
            Instant from = ago(3600);
            assertThat(fx.storage.audit().auditByDay(exporter, from, Instant.now())).extracting(AuditRow::state)
                    .containsExactly("SUSPENDED");
            clock.advance(DocumentFinalizer.SUMMARY_CHECK);
            n.finalizer().runOnce();
            assertThat(n.finalizer().documentsRead()).as("read again by the sweep").isEqualTo(read + 1);
            assertThat(fx.storage.audit().auditByDay(exporter, from, Instant.now())).singleElement()
                    .satisfies(sum -> assertThat(sum.state()).isEqualTo("FINAL"))
                    .satisfies(sum -> assertThat(sum.verdict()).isEqualTo(row.verdict()));
        }
    }

    /**
     * Issue 14 item 2, with real ZooKeeper: n3 collects only one of the two CMTSes its peers collect, and the other one
     * is chosen so that hashing over all three candidates — what leadership did — would hand it to n3, which never
     * contends for it: nobody finalized it. Now it is finalized, by a node that has it.
     */
    @Test
    void aCmtsOneNodeLacksIsFinalizedByANodeThatCollectsIt() throws Exception {
        String shared = "cmts-all-" + System.nanoTime();
        String lacking = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "cmts-two-" + System.nanoTime() + i)
                .filter(e -> io.ipdrsp.dedup.ExporterLeadership.owner(e, List.of("n1", "n2", "n3")).equals("n3"))
                .findFirst().orElseThrow();
        List<FinalizerFixture.Node> nodes = new java.util.ArrayList<>();
        try {
            nodes.add(fx.node("n1", List.of(shared, lacking), SETTINGS));
            nodes.add(fx.node("n2", List.of(shared, lacking), SETTINGS));
            nodes.add(fx.node("n3", List.of(shared), SETTINGS));
            FinalizerFixture.Node leader = leaderOf(lacking, nodes);
            assertThat(leader.id()).isIn("n1", "n2");
            leaderOf(shared, nodes);
            RecordKey doc = ended(lacking, 1);
            for (FinalizerFixture.Node n : nodes) {
                n.finalizer().runOnce();
            }
            AuditRow r = fx.row(doc).orElseThrow();
            assertThat(r.state()).isEqualTo("FINAL");
            assertThat(r.finalizedBy()).isEqualTo(leader.id());
        } finally {
            for (FinalizerFixture.Node n : nodes) {
                n.close();
            }
        }
    }

    /**
     * The vendor guide's failover (SP 2.1 digest §1.9): SESSION_STOP 1 to the active collector, SESSION_START
     * {@code primary=false} with the declared drops to the standby, which receives the rest and SESSION_STOP 0. No
     * document row is written (the session layer writes it only for {@code primary=true}): the segments alone index
     * the document, and its finalization and verdict do not depend on the flag.
     */
    @Test
    void aDocumentFinishedOnAPrimaryFalseSegmentIsFinalizedWithItsDeclaredDrops() throws Exception {
        String exporter = "cmts-vendor-" + System.nanoTime();
        try (FinalizerFixture.Node n = fx.node("n1", exporter, SETTINGS)) {
            leaderOf(exporter, List.of(n));
            RecordKey doc = newDoc(exporter, 1, 1000);
            fx.segment(doc, ago(60), "node-a", true, 0, 0, ago(40), 1, 49L);
            fx.segment(doc, ago(39), "node-b", false, 60, 10, ago(20), 0, 99L);
            fx.records(doc, 0, 49);
            fx.records(doc, 60, 99);
            n.finalizer().runOnce();
            AuditRow r = fx.row(doc).orElseThrow();
            assertThat(r.state()).isEqualTo("FINAL");
            assertThat(r.trigger()).isEqualTo("SESSION_STOP 0 received by node-b");
            assertThat(r.verdict()).isEqualTo("COMPLETE_WITH_DECLARED_DROPS");
            assertThat(r.missing()).containsExactly(new SequenceRange(50, 59));
            assertThat(r.declaredDrops()).isEqualTo(10);
            assertThat(r.declaredMatched()).isEqualTo(10);
            assertThat(r.failovers()).isEqualTo(1);
        }
    }
}
