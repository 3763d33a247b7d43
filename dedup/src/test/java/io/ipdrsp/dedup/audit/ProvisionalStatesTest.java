package io.ipdrsp.dedup.audit;

import static io.ipdrsp.dedup.audit.FinalizerFixture.ago;
import static io.ipdrsp.dedup.audit.FinalizerFixture.newDoc;
import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.RecordKey;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Verdicts before provisional states ({@link ExporterPass}): a pass decides on provisional states first and writes
 * them after the verdicts; one whose verdict has fallen due meanwhile is not written, and the next pass writes the
 * verdict straight away. Real Cassandra; the pass is driven directly, with a clock the test moves.
 */
class ProvisionalStatesTest {
    private static final FinalizerSettings SETTINGS = FinalizerSettings.defaults().withGrace(Duration.ofSeconds(5));
    private static final long TOKEN = 7;
    private static FinalizerFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new FinalizerFixture("it_provisional");
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    /** An exporter's document that received SESSION_STOP 0 just now: STOPPED until the grace has passed. */
    private static RecordKey stoppedNow(String exporter) throws Exception {
        RecordKey doc = newDoc(exporter, 1, 1000);
        fx.document(doc, ago(60));
        fx.segment(doc, ago(60), "n1", true, 0, 0, Instant.now(), 0);
        fx.records(doc, 0, 9);
        return doc;
    }

    private static ExporterPass pass(FinalizerFixture.LaterClock clock, QuietDocuments quiet) {
        return new ExporterPass("n1", fx.storage, SETTINGS, new DocumentEvaluator(fx.storage,
                SETTINGS.readConsistency(), SETTINGS.startsAtZero()), new VerdictWriter("n1", fx.storage, SETTINGS,
                clock), clock, new ConcurrentHashMap<>(), quiet, k -> { });
    }

    /** A document stopped just now and the first pass over its exporter (a sweep), its provisional state decided. */
    private record FirstPass(String exporter, RecordKey doc, FinalizerFixture.LaterClock clock, QuietDocuments quiet,
            ExporterPass pass, ExporterPass.Outcome outcome) {
        static FirstPass over(String prefix) throws Exception {
            String exporter = prefix + System.nanoTime();
            RecordKey doc = stoppedNow(exporter);
            FinalizerFixture.LaterClock clock = new FinalizerFixture.LaterClock();
            QuietDocuments quiet = new QuietDocuments();
            ExporterPass pass = ProvisionalStatesTest.pass(clock, quiet);
            return new FirstPass(exporter, doc, clock, quiet, pass, pass.run(exporter, TOKEN, true, Unsettled.NONE));
        }
    }

    @Test
    void aProvisionalStateIsWrittenAfterTheVerdictsWhileItStillHolds() throws Exception {
        FirstPass f = FirstPass.over("cmts-provisional-");
        RecordKey doc = f.doc();
        ExporterPass.Outcome o = f.outcome();
        assertThat(o.provisional()).extracting(p -> p.trigger().liveState()).containsExactly("STOPPED");
        assertThat(fx.row(doc)).as("decided, not written yet").isEmpty();

        assertThat(f.pass().writeProvisional(o.provisional(), TOKEN, Instant.MAX)).isZero();
        AuditRow row = fx.row(doc).orElseThrow();
        assertThat(row.state()).isEqualTo("STOPPED");
        assertThat(row.recordsHeld()).isEqualTo(10);
    }

    @Test
    void aProvisionalStateNotReachedWithinItsTimeIsDecidedAgainByTheNextPass() throws Exception {
        FirstPass f = FirstPass.over("cmts-later-");
        RecordKey doc = f.doc();
        assertThat(f.pass().writeProvisional(f.outcome().provisional(), TOKEN, f.clock().instant().minusMillis(1)))
                .isZero();
        assertThat(fx.row(doc)).as("its time was over before it came").isEmpty();

        ExporterPass second = pass(f.clock(), f.quiet());
        ExporterPass.Outcome next = second.run(f.exporter(), TOKEN, false, f.outcome().unsettled());
        assertThat(next.provisional()).extracting(p -> p.doc().key()).containsExactly(doc);
        second.writeProvisional(next.provisional(), TOKEN, Instant.MAX);
        assertThat(fx.row(doc).orElseThrow().state()).isEqualTo("STOPPED");
    }

    @Test
    void aProvisionalStateWhoseVerdictFellDueIsNotWrittenAndTheNextPassGivesTheVerdict() throws Exception {
        FirstPass f = FirstPass.over("cmts-overtaken-");
        RecordKey doc = f.doc();
        ExporterPass.Outcome o = f.outcome();
        assertThat(o.provisional()).hasSize(1);

        f.clock().advance(SETTINGS.grace().plusSeconds(1)); // the verdicts of other exporters took that long
        assertThat(f.pass().writeProvisional(o.provisional(), TOKEN, Instant.MAX)).isZero();
        assertThat(fx.row(doc)).as("STOPPED would have been overwritten by the next pass").isEmpty();

        ExporterPass.Outcome next = pass(f.clock(), f.quiet()).run(f.exporter(), TOKEN, false, o.unsettled());
        assertThat(next.read()).as("the skipped document is read again").isEqualTo(1);
        assertThat(next.finalized()).isEqualTo(1);
        assertThat(next.provisional()).isEmpty();
        AuditRow row = fx.row(doc).orElseThrow();
        assertThat(row.state()).isEqualTo("FINAL");
        assertThat(row.verdict()).isEqualTo("COMPLETE");
        assertThat(row.version()).as("the verdict is the document's first row").isEqualTo(1);
    }
}
